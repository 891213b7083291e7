//! PostgreSQL: the store several `items-server` processes share.
//!
//! tokio-postgres with a deadpool pool. Each write is one statement (`INSERT … ON CONFLICT`, or
//! `UPDATE … WHERE version = …` under `If-Match`) whose version comes from the `item_version`
//! sequence, so of many concurrent PUTs of one new id, or of one version, through one process
//! or several, PostgreSQL's row lock lets exactly one win. A broken
//! connection (database restarted, network cut) fails its call with a [`StoreError`] and is
//! dropped by the pool; later calls open new connections, so the server recovers by itself.

use std::future::Future;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime, Timeouts};
use tokio_postgres::NoTls;

use super::migrate;
use super::{Delete, Item, ItemStore, Precondition, StoreError, Stored, Tags, Upsert, Version};

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

/// Creates or replaces unless the current version is one of `$4` (an empty list: always).
/// `xmax = 0` holds for a row this statement inserted, not for one it updated.
const UPSERT: &str = "INSERT INTO items (id, name, size, version) VALUES ($1, $2, $3, nextval('item_version')) \
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, size = excluded.size, version = excluded.version \
     WHERE NOT (items.version = ANY($4)) \
     RETURNING version, (xmax = 0) AS created";

/// Creates only (`If-None-Match: *`).
const CREATE: &str =
    "INSERT INTO items (id, name, size, version) VALUES ($1, $2, $3, nextval('item_version')) \
     ON CONFLICT (id) DO NOTHING RETURNING version";

/// Replaces only an existing item that matches `If-Match` (`$4`: `*`, `$5`: versions) and not
/// `If-None-Match` (`$6`, `$7`). The row lock makes concurrent writers of one version take
/// turns, and PostgreSQL re-checks the condition on the row the winner left.
const REPLACE: &str = "UPDATE items SET name = $2, size = $3, version = nextval('item_version') \
     WHERE id = $1 AND ($4 OR version = ANY($5)) AND NOT ($6 OR version = ANY($7)) \
     RETURNING version";

/// Deletes if the condition holds: `$2` says whether `If-Match` was given, `$3`/`$4` its
/// `*`/versions, `$5`/`$6` those of `If-None-Match`.
const DELETE_IF: &str = "DELETE FROM items \
     WHERE id = $1 AND (NOT $2 OR $3 OR version = ANY($4)) AND NOT ($5 OR version = ANY($6))";

/// `*` and the versions of a condition, as SQL parameters.
fn sql_tags(tags: &Option<Tags>) -> (bool, Vec<i64>) {
    match tags {
        None => (false, Vec::new()),
        Some(Tags::Any) => (true, Vec::new()),
        Some(Tags::Of(versions)) => (false, versions.iter().map(|v| v.0).collect()),
    }
}

impl ItemStore for PostgresStore {
    async fn get(&self, id: &str) -> Result<Option<Stored>, StoreError> {
        self.with(|client| async move {
            let stmt = client
                .prepare_cached("SELECT name, size, version FROM items WHERE id = $1")
                .await?;
            let row = client.query_opt(&stmt, &[&id]).await?;
            Ok(row.map(|r| Stored {
                item: Item {
                    name: r.get(0),
                    size: r.get(1),
                },
                version: Version(r.get(2)),
            }))
        })
        .await
    }

    async fn upsert(
        &self,
        id: &str,
        item: Item,
        when: &Precondition,
    ) -> Result<Upsert, StoreError> {
        let (match_any, match_versions) = sql_tags(&when.if_match);
        let (none_any, none_versions) = sql_tags(&when.if_none_match);
        self.with(|client| async move {
            let (name, size) = (&item.name, &item.size);
            let row = if when.if_match.is_some() {
                let stmt = client.prepare_cached(REPLACE).await?;
                let params: [&(dyn tokio_postgres::types::ToSql + Sync); 7] = [
                    &id,
                    name,
                    size,
                    &match_any,
                    &match_versions,
                    &none_any,
                    &none_versions,
                ];
                client
                    .query_opt(&stmt, &params)
                    .await?
                    .map(|r| (r.get(0), false))
            } else if none_any {
                let stmt = client.prepare_cached(CREATE).await?;
                client
                    .query_opt(&stmt, &[&id, name, size])
                    .await?
                    .map(|r| (r.get(0), true))
            } else {
                let stmt = client.prepare_cached(UPSERT).await?;
                client
                    .query_opt(&stmt, &[&id, name, size, &none_versions])
                    .await?
                    .map(|r| (r.get(0), r.get(1)))
            };
            Ok(match row {
                None => Upsert::PreconditionFailed,
                Some((version, created)) => {
                    let stored = Stored {
                        item,
                        version: Version(version),
                    };
                    if created {
                        Upsert::Created(stored)
                    } else {
                        Upsert::Updated(stored)
                    }
                }
            })
        })
        .await
    }

    async fn delete(&self, id: &str, when: &Precondition) -> Result<Delete, StoreError> {
        let (match_any, match_versions) = sql_tags(&when.if_match);
        let (none_any, none_versions) = sql_tags(&when.if_none_match);
        let conditional = !when.is_none();
        let gone_means_failed = !when.holds(None);
        self.with(|client| async move {
            let deleted = if conditional {
                let stmt = client.prepare_cached(DELETE_IF).await?;
                let params: [&(dyn tokio_postgres::types::ToSql + Sync); 6] = [
                    &id,
                    &when.if_match.is_some(),
                    &match_any,
                    &match_versions,
                    &none_any,
                    &none_versions,
                ];
                client.execute(&stmt, &params).await? > 0
            } else {
                let stmt = client
                    .prepare_cached("DELETE FROM items WHERE id = $1")
                    .await?;
                client.execute(&stmt, &[&id]).await? > 0
            };
            if deleted {
                return Ok(Delete::Deleted);
            }
            if !conditional {
                return Ok(Delete::NotFound);
            }
            if gone_means_failed {
                // `If-Match` fails on an absent item as on a stale one.
                return Ok(Delete::PreconditionFailed);
            }
            // Only `If-None-Match`: nothing deleted means absent, or present and matching. A
            // read tells which (the item may have changed since; either answer was true at
            // some point during the call).
            let stmt = client
                .prepare_cached("SELECT 1 FROM items WHERE id = $1")
                .await?;
            Ok(match client.query_opt(&stmt, &[&id]).await? {
                Some(_) => Delete::PreconditionFailed,
                None => Delete::NotFound,
            })
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
                .prepare_cached("INSERT INTO items (id, name, size, version) VALUES ($1, $2, $3, nextval('item_version')) ON CONFLICT (id) DO NOTHING")
                .await?;
            Ok(client.execute(&stmt, &[&id, &item.name, &item.size]).await? > 0)
        })
        .await
    }
}
