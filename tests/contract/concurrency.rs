//! The upsert is atomic in every store: racing creators of one id see exactly one 201.

use items::store::{ItemStore, MemoryStore, PostgresStore, SqliteOptions, SqliteStore};
use serde_json::json;

use crate::helpers::{fresh_postgres, spawn_app_with, temp_sqlite};

async fn one_201_among_64<S: ItemStore>(store: S) {
    let app = std::sync::Arc::new(spawn_app_with(store).await);

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

pub async fn sixty_four_concurrent_puts_of_a_new_id_give_exactly_one_201_on_every_store() {
    let (_dir, path) = temp_sqlite();

    one_201_among_64(MemoryStore::new()).await;
    one_201_among_64(
        SqliteStore::open(&path, SqliteOptions::default())
            .await
            .unwrap(),
    )
    .await;
    one_201_among_64(PostgresStore::open(&fresh_postgres().await).await.unwrap()).await;
}
