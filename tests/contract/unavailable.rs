//! A failing store is the one 5xx the spec allows: every operation that reads or writes items
//! answers 503 with Retry-After, `/readyz` says so, `/healthz` stays 200, and the server
//! recovers by itself when the store comes back. (This store fails
//! before it writes; that a real store's failed write leaves nothing is tested in stores.rs.)

use serde_json::json;

use crate::helpers::spawn_app;

pub async fn every_operation_answers_503_with_retry_after_while_the_store_is_down() {
    let app = spawn_app().await;
    app.set_store_down(true);

    let responses = [
        app.get("/items").await,
        app.get("/items/foo").await,
        app.put_json("/items/foo", json!({"name": "lost"})).await,
        app.delete("/items/foo").await,
        app.get("/readyz").await,
    ];

    for r in &responses {
        assert_eq!(r.status, 503, "{r:?}");
        assert_eq!(r.header("retry-after"), Some("1"));
        assert_eq!(r.json["title"], "Service Unavailable");
    }
    // Alive all the same: liveness does not touch the store.
    assert_eq!(app.get("/healthz").await.json, json!({"status": "alive"}));
    app.set_store_down(false);
    assert_eq!(app.get("/readyz").await.json, json!({"status": "ready"}));
    assert_eq!(
        app.get("/items/foo").await.json,
        json!({"name": "Fighters", "size": 6})
    );
}

/// This module's tests, for the harness in main.rs.
pub fn trials() -> Vec<libtest_mimic::Trial> {
    crate::trials![every_operation_answers_503_with_retry_after_while_the_store_is_down,]
}
