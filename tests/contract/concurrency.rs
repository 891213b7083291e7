//! The upsert is atomic: racing creators of one id see exactly one 201.

use serde_json::json;

use crate::helpers::spawn_app;

pub async fn sixty_four_concurrent_puts_of_a_new_id_give_exactly_one_201() {
    let app = std::sync::Arc::new(spawn_app().await);

    let tasks: Vec<_> = (0..64)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                app.put_json("/items/contested", json!({"size": i}))
                    .await
                    .status
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.expect("a PUT task"));
    }

    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        63,
        "{statuses:?}"
    );
}
