//! PostgreSQL: the store several `items-server` processes share.
//!
//! tokio-postgres with a deadpool pool. The upsert is one `INSERT … ON CONFLICT DO UPDATE …
//! RETURNING version` statement (version 1 = inserted), so of many concurrent PUTs of one new
//! id, through one process or several, PostgreSQL's row lock lets exactly one insert. A broken
//! connection (database restarted, network cut) fails its call with a [`StoreError`] and is
//! dropped by the pool; later calls open new connections, so the server recovers by itself.

use std::future::Future;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime, Timeouts};
use tokio_postgres::NoTls;

use super::migrate;
use super::{Item, ItemStore, StoreError, Upsert};

/// Longest a call may take, waiting for a connection included, before it fails as unavailable.
const CALL_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest a statement may run on the server: below [`CALL_TIMEOUT`].
const STATEMENT_TIMEOUT: Duration = Duration::from_secs(4);
/// Connections per process.
const POOL_SIZE: usize = 16;

/// Items in a PostgreSQL database.
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
}

fn err(e: impl std::fmt::Display) -> StoreError {
    StoreError::new(format!("postgres: {e}"))
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user@host:port/db`) and applies pending migrations.
    pub async fn open(url: &str) -> Result<Self, String> {
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| format!("bad PostgreSQL URL: {e}"))?;
        // The server gives up on a statement before the store does, so a call that failed with
        // a timeout did not commit behind the client's back.
        config.options(format!(
            "-c statement_timeout={}",
            STATEMENT_TIMEOUT.as_millis()
        ));
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .timeouts(Timeouts {
                wait: Some(CALL_TIMEOUT),
                create: Some(CALL_TIMEOUT),
                recycle: Some(CALL_TIMEOUT),
            })
            .build()
            .map_err(|e| format!("cannot create the PostgreSQL pool: {e}"))?;
        let store = PostgresStore { pool };
        store
            .migrate()
            .await
            .map_err(|e| format!("cannot open PostgreSQL store: {}", e.reason))?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let mut client = self.pool.get().await.map_err(err)?;
        let tx = client.transaction().await.map_err(err)?;
        // Two servers starting together must not both apply a migration.
        tx.execute("SELECT pg_advisory_xact_lock(7355608)", &[])
            .await
            .map_err(err)?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS items_schema_version (version BIGINT NOT NULL)",
        )
        .await
        .map_err(err)?;
        let current: i64 = tx
            .query_one(
                "SELECT coalesce(max(version), 0) FROM items_schema_version",
                &[],
            )
            .await
            .map_err(err)?
            .get(0);
        for m in
            migrate::pending(migrate::POSTGRES, current, "PostgreSQL").map_err(StoreError::new)?
        {
            tx.batch_execute(m.sql)
                .await
                .map_err(|e| err(format!("migration {}: {e}", m.version)))?;
            tx.execute(
                "INSERT INTO items_schema_version (version) VALUES ($1)",
                &[&m.version],
            )
            .await
            .map_err(err)?;
        }
        tx.commit().await.map_err(err)
    }

    /// Runs `f` with a pooled client, failing as unavailable after [`CALL_TIMEOUT`].
    async fn with<T, F, Fut>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(deadpool_postgres::Object) -> Fut,
        Fut: Future<Output = Result<T, tokio_postgres::Error>>,
    {
        let call = async {
            let client = self.pool.get().await.map_err(err)?;
            f(client).await.map_err(err)
        };
        tokio::time::timeout(CALL_TIMEOUT, call)
            .await
            .unwrap_or_else(|_| Err(StoreError::new("postgres: no answer within 5 s")))
    }
}

const UPSERT: &str = "INSERT INTO items (id, name, size, version) VALUES ($1, $2, $3, 1) \
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, size = excluded.size, version = items.version + 1 \
     RETURNING version";

impl ItemStore for PostgresStore {
    async fn get(&self, id: &str) -> Result<Option<Item>, StoreError> {
        self.with(|client| async move {
            let stmt = client
                .prepare_cached("SELECT name, size FROM items WHERE id = $1")
                .await?;
            let row = client.query_opt(&stmt, &[&id]).await?;
            Ok(row.map(|r| Item {
                name: r.get(0),
                size: r.get(1),
            }))
        })
        .await
    }

    async fn upsert(&self, id: &str, item: Item) -> Result<Upsert, StoreError> {
        self.with(|client| async move {
            let stmt = client.prepare_cached(UPSERT).await?;
            let version: i64 = client
                .query_one(&stmt, &[&id, &item.name, &item.size])
                .await?
                .get(0);
            Ok(if version == 1 {
                Upsert::Created(item)
            } else {
                Upsert::Updated(item)
            })
        })
        .await
    }

    async fn delete(&self, id: &str) -> Result<bool, StoreError> {
        self.with(|client| async move {
            let stmt = client
                .prepare_cached("DELETE FROM items WHERE id = $1")
                .await?;
            Ok(client.execute(&stmt, &[&id]).await? > 0)
        })
        .await
    }

    async fn list(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, Item)>, StoreError> {
        let after = after.unwrap_or("");
        let limit = limit as i64;
        self.with(|client| async move {
            // Every id is non-empty, so `id > ''` is the first page.
            let stmt = client
                .prepare_cached(
                    "SELECT id, name, size FROM items WHERE id > $1 ORDER BY id LIMIT $2",
                )
                .await?;
            let rows = client.query(&stmt, &[&after, &limit]).await?;
            Ok(rows
                .into_iter()
                .map(|r| {
                    (
                        r.get(0),
                        Item {
                            name: r.get(1),
                            size: r.get(2),
                        },
                    )
                })
                .collect())
        })
        .await
    }

    async fn insert_if_absent(&self, id: &str, item: Item) -> Result<bool, StoreError> {
        self.with(|client| async move {
            let stmt = client
                .prepare_cached("INSERT INTO items (id, name, size, version) VALUES ($1, $2, $3, 1) ON CONFLICT (id) DO NOTHING")
                .await?;
            Ok(client.execute(&stmt, &[&id, &item.name, &item.size]).await? > 0)
        })
        .await
    }
}
