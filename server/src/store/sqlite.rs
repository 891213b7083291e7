//! SQLite: the embedded store, one file in WAL mode.
//!
//! rusqlite is synchronous. A read runs on the calling thread with a connection that thread
//! keeps for the store (a point read from the page cache is cheaper than any hand-off); a
//! write runs on tokio's blocking pool with a connection from a small pool. A write is one `BEGIN IMMEDIATE` transaction: it reads the current version,
//! checks the precondition, takes the next version from the `item_versions` counter and
//! writes, all under SQLite's write lock, so creation and `If-Match` are decided atomically
//! across connections and processes. With `synchronous = NORMAL` in WAL mode a committed
//! write is in the OS before the call returns, so it survives the process being killed.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension};

use super::migrate;
use super::{Delete, Item, ItemStore, Precondition, StoreError, Stored, Upsert, Version};

/// How long a statement waits for another connection's lock before the store reports itself
/// unavailable (the client then gets 503 with Retry-After).
const BUSY_TIMEOUT: Duration = Duration::from_secs(1);
/// Connections open at most (SQLite has one writer; more only add lock waits).
const POOL_SIZE: usize = 8;

/// Settings of a SQLite store.
#[derive(Debug, Clone, Default)]
pub struct SqliteOptions {
    /// Cap on the database size in pages (`PRAGMA max_page_count`); writes past it fail as if
    /// the disk were full.
    pub max_page_count: Option<u64>,
}

/// Items in a SQLite file.
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    options: SqliteOptions,
    idle: Mutex<Vec<Connection>>,
    /// Bounds the connections in use (and so the blocking threads) to [`POOL_SIZE`].
    permits: Arc<tokio::sync::Semaphore>,
    /// Writers take turns here, so they queue in the process instead of colliding on
    /// SQLite's lock, where the busy handler sleeps for milliseconds at a time.
    writer: tokio::sync::Mutex<()>,
}

std::thread_local! {
    /// Each thread's read connection per open store (see [`SqliteStore::read`]).
    static READERS: std::cell::RefCell<Vec<(std::sync::Weak<Inner>, Connection)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

fn err(e: impl std::fmt::Display) -> StoreError {
    StoreError::new(format!("sqlite: {e}"))
}

impl SqliteStore {
    /// Opens (creating if absent) the database at `path` and applies pending migrations.
    pub async fn open(path: impl AsRef<Path>, options: SqliteOptions) -> Result<Self, String> {
        let store = SqliteStore {
            inner: Arc::new(Inner {
                path: path.as_ref().to_owned(),
                options,
                idle: Mutex::new(Vec::new()),
                permits: Arc::new(tokio::sync::Semaphore::new(POOL_SIZE)),
                writer: tokio::sync::Mutex::new(()),
            }),
        };
        let path = store.inner.path.display().to_string();
        store
            .with(|conn| migrate_sqlite(conn).map_err(StoreError::new))
            .await
            .map_err(|e| format!("cannot open SQLite store {path}: {}", e.reason))?;
        Ok(store)
    }

    fn connect(&self) -> Result<Connection, StoreError> {
        let conn = Connection::open(&self.inner.path).map_err(err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(err)?;
        if let Some(pages) = self.inner.options.max_page_count {
            conn.pragma_update(None, "max_page_count", pages)
                .map_err(err)?;
        }
        Ok(conn)
    }

    /// Runs the write `f` with a pooled connection, one writer at a time.
    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let _turn = self.inner.writer.lock().await;
        self.with(f).await
    }

    /// Runs the read `f` on the calling thread, with a connection this thread keeps for this
    /// store. A point read or a page of the listing comes from SQLite's page cache in a few
    /// microseconds, less than the hand-off to the blocking pool costs, and a WAL reader does
    /// not wait for the writer, so it does not hold up the runtime's thread on a lock.
    fn read<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        READERS.with_borrow_mut(|readers| {
            // Connections of stores that are gone are closed here, on the next read.
            readers.retain(|(store, _)| store.strong_count() > 0);
            let mine = Arc::downgrade(&self.inner);
            let at = match readers.iter().position(|(store, _)| store.ptr_eq(&mine)) {
                Some(at) => at,
                None => {
                    readers.push((mine, self.connect()?));
                    readers.len() - 1
                }
            };
            f(&mut readers[at].1)
        })
    }

    /// Runs `f` with a pooled connection on the blocking pool.
    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let store = self.clone();
        let permit = self
            .inner
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(err)?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let pooled = store
                .inner
                .idle
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .pop();
            let mut conn = match pooled {
                Some(conn) => conn,
                None => store.connect()?,
            };
            let result = f(&mut conn);
            let mut idle = store.inner.idle.lock().unwrap_or_else(|e| e.into_inner());
            if idle.len() < POOL_SIZE {
                idle.push(conn);
            }
            result
        })
        .await
        .map_err(|e| StoreError::new(format!("sqlite worker failed: {e}")))?
    }
}

fn migrate_sqlite(conn: &mut Connection) -> Result<(), String> {
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(|e| e.to_string())?;
    tx.execute_batch("CREATE TABLE IF NOT EXISTS items_schema_version (version INTEGER NOT NULL)")
        .map_err(|e| e.to_string())?;
    let current: i64 = tx
        .query_row(
            "SELECT coalesce(max(version), 0) FROM items_schema_version",
            [],
            |r| r.get(0),
        )
        .map_err(|e| e.to_string())?;
    for m in migrate::pending(migrate::SQLITE, current, "SQLite")? {
        tx.execute_batch(m.sql)
            .map_err(|e| format!("migration {}: {e}", m.version))?;
        tx.execute(
            "INSERT INTO items_schema_version (version) VALUES (?1)",
            [m.version],
        )
        .map_err(|e| e.to_string())?;
    }
    tx.commit().map_err(|e| e.to_string())
}

/// Stores a row at a version the caller took from [`next_version`].
const UPSERT: &str = "INSERT INTO items (id, name, size, version) VALUES (?1, ?2, ?3, ?4) \
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, size = excluded.size, version = excluded.version";

/// Starts a write transaction: `IMMEDIATE` takes SQLite's write lock at once, so what the
/// transaction reads (the current version) cannot change before it writes, in this process or
/// another one.
fn begin(conn: &mut Connection) -> Result<rusqlite::Transaction<'_>, StoreError> {
    conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(err)
}

fn current_version(tx: &Connection, id: &str) -> Result<Option<Version>, StoreError> {
    tx.prepare_cached("SELECT version FROM items WHERE id = ?1")
        .map_err(err)?
        .query_row([id], |r| r.get(0).map(Version))
        .optional()
        .map_err(err)
}

/// The next value of the store's version counter (inside the caller's write transaction).
fn next_version(tx: &Connection) -> Result<Version, StoreError> {
    tx.prepare_cached("UPDATE item_versions SET last = last + 1 RETURNING last")
        .map_err(err)?
        .query_one([], |r| r.get(0).map(Version))
        .map_err(err)
}

/// Stores `item` under `id` at a new version, in `tx`.
fn store(tx: &Connection, id: &str, item: &Item) -> Result<Version, StoreError> {
    let version = next_version(tx)?;
    tx.prepare_cached(UPSERT)
        .map_err(err)?
        .execute(params![id, item.name, item.size, version.0])
        .map_err(err)?;
    Ok(version)
}

impl ItemStore for SqliteStore {
    async fn get(&self, id: &str) -> Result<Option<Stored>, StoreError> {
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached("SELECT name, size, version FROM items WHERE id = ?1")
                .map_err(err)?;
            stmt.query_row([id], |r| {
                Ok(Stored {
                    item: Item {
                        name: r.get(0)?,
                        size: r.get(1)?,
                    },
                    version: Version(r.get(2)?),
                })
            })
            .optional()
            .map_err(err)
        })
    }

    async fn upsert(
        &self,
        id: &str,
        item: Item,
        when: &Precondition,
    ) -> Result<Upsert, StoreError> {
        let id = id.to_owned();
        let when = when.clone();
        self.write(move |conn| {
            let tx = begin(conn)?;
            let current = current_version(&tx, &id)?;
            if !when.holds(current) {
                return Ok(Upsert::PreconditionFailed);
            }
            let version = store(&tx, &id, &item)?;
            // The answer is built only after the commit succeeded (disk full, I/O errors are
            // returned, not lost).
            tx.commit().map_err(err)?;
            let stored = Stored { item, version };
            Ok(match current {
                Some(_) => Upsert::Updated(stored),
                None => Upsert::Created(stored),
            })
        })
        .await
    }

    async fn delete(&self, id: &str, when: &Precondition) -> Result<Delete, StoreError> {
        let id = id.to_owned();
        let when = when.clone();
        self.write(move |conn| {
            let tx = begin(conn)?;
            let current = current_version(&tx, &id)?;
            if !when.holds(current) {
                return Ok(Delete::PreconditionFailed);
            }
            if current.is_none() {
                return Ok(Delete::NotFound);
            }
            tx.prepare_cached("DELETE FROM items WHERE id = ?1")
                .map_err(err)?
                .execute([&id])
                .map_err(err)?;
            tx.commit().map_err(err)?;
            Ok(Delete::Deleted)
        })
        .await
    }

    async fn list(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, Item)>, StoreError> {
        let after = after.unwrap_or("");
        self.read(move |conn| {
            // Every id is non-empty, so `id > ''` is the first page.
            let mut stmt = conn
                .prepare_cached(
                    "SELECT id, name, size FROM items WHERE id > ?1 ORDER BY id LIMIT ?2",
                )
                .map_err(err)?;
            let rows = stmt
                .query_map(params![after, limit as i64], |r| {
                    Ok((
                        r.get(0)?,
                        Item {
                            name: r.get(1)?,
                            size: r.get(2)?,
                        },
                    ))
                })
                .map_err(err)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(err)
        })
    }

    async fn insert_if_absent(&self, id: &str, item: Item) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.write(move |conn| {
            let tx = begin(conn)?;
            if current_version(&tx, &id)?.is_some() {
                return Ok(false);
            }
            store(&tx, &id, &item)?;
            tx.commit().map_err(err)?;
            Ok(true)
        })
        .await
    }
}
