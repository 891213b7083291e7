//! The upsert is atomic in every store: racing creators of one id see exactly one 201, and
//! racing writers holding one `ETag` see exactly one 200.

use std::sync::Arc;

use items::store::{ItemStore, MemoryStore, PostgresStore, SqliteOptions, SqliteStore};
use serde_json::json;

use crate::helpers::{fresh_postgres, spawn_app_with, temp_sqlite, TestApp};

/// Sends 64 PUTs of `id` at once, each with `headers`; how many got `a` and how many `b`.
async fn race_64(app: &Arc<TestApp>, id: &str, headers: &[(&str, &str)], a: u16, b: u16) {
    let tasks: Vec<_> = (0..64)
        .map(|i| {
            let app = app.clone();
            let path = format!("/items/{id}");
            let headers: Vec<(String, String)> = headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect();
            tokio::spawn(async move {
                let headers: Vec<(&str, &str)> = headers
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_str()))
                    .collect();
                app.put_json_with(&path, &headers, json!({"size": i}))
                    .await
                    .status
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.expect("a PUT task"));
    }
    let count = |status| statuses.iter().filter(|s| **s == status).count();
    assert_eq!((count(a), count(b)), (1, 63), "{statuses:?}");
}

/// 64 concurrent PUTs of a new id: one 201, 63 × 200; then 64 with `If-Match` naming the same
/// tag: one 200, 63 × 412.
async fn one_winner_among_64<S: ItemStore>(store: S) {
    let app = Arc::new(spawn_app_with(store).await);
    race_64(&app, "contested", &[], 201, 200).await;

    let read = app.get("/items/foo").await;
    let tag = read.header("etag").expect("an ETag");
    race_64(&app, "foo", &[("if-match", tag)], 200, 412).await;
}

pub async fn sixty_four_concurrent_puts_have_exactly_one_winner_on_every_store() {
    let (_dir, path) = temp_sqlite();

    one_winner_among_64(MemoryStore::new()).await;
    one_winner_among_64(
        SqliteStore::open(&path, SqliteOptions::default())
            .await
            .unwrap(),
    )
    .await;
    one_winner_among_64(PostgresStore::open(&fresh_postgres().await).await.unwrap()).await;
}

/// This module's tests, for the harness in main.rs.
pub fn trials() -> Vec<libtest_mimic::Trial> {
    crate::trials![sixty_four_concurrent_puts_have_exactly_one_winner_on_every_store,]
}
