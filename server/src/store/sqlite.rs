//! SQLite: the embedded store, one file in WAL mode.
//!
//! rusqlite is synchronous. A read runs on the calling thread with a connection that thread
//! keeps for the store (a point read from the page cache is cheaper than any hand-off). A
//! write runs on the store's writer thread, which commits the writes waiting at the time in one
//! `BEGIN IMMEDIATE` transaction (group commit, see [`writer`]): each reads the current
//! version, checks the precondition, takes the next version from the `item_versions` counter
//! and writes, all under SQLite's write lock, so creation and `If-Match` are decided
//! atomically across connections and processes. With `synchronous = NORMAL` in WAL mode a
//! committed write is in the OS before the call returns, so it survives the process being
//! killed.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension};

use super::migrate;
use super::{Delete, Item, ItemStore, Precondition, StoreError, Stored, Upsert, Version};

/// How long a statement waits for another connection's lock before the store reports itself
/// unavailable (the client then gets 503 with Retry-After).
const BUSY_TIMEOUT: Duration = Duration::from_secs(1);

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
    /// The writes, to the one writer thread (see [`writer`]).
    jobs: std::sync::mpsc::Sender<Box<dyn Write>>,
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
    /// Opens (creating if absent) the database at `path` and applies pending migrations; the
    /// connection that migrated becomes the writer thread's.
    pub async fn open(path: impl AsRef<Path>, options: SqliteOptions) -> Result<Self, String> {
        let path = path.as_ref().to_owned();
        let fail =
            |e: StoreError| format!("cannot open SQLite store {}: {}", path.display(), e.reason);
        let (at, with) = (path.clone(), options.clone());
        let conn = tokio::task::spawn_blocking(move || {
            let mut conn = connect(&at, &with)?;
            migrate_sqlite(&mut conn).map_err(StoreError::new)?;
            Ok(conn)
        })
        .await
        .map_err(|e| fail(err(e)))?
        .map_err(fail)?;
        let (jobs, queue) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || writer(conn, queue))
            .map_err(|e| fail(err(e)))?;
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                path,
                options,
                jobs,
            }),
        })
    }

    /// Runs the write `f` on the writer thread, inside a transaction it may share with other
    /// writes, and answers once that transaction has committed.
    async fn write<T: Send + 'static>(
        &self,
        f: impl FnMut(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job = Box::new(Pending {
            f,
            outcome: None,
            reply,
        });
        let stopped = || StoreError::new("sqlite: the writer thread stopped");
        self.inner.jobs.send(job).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
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
                    readers.push((mine, connect(&self.inner.path, &self.inner.options)?));
                    readers.len() - 1
                }
            };
            f(&mut readers[at].1)
        })
    }
}

/// A connection to the file at `path`: WAL, `synchronous = NORMAL`, the busy timeout and the
/// page cap of `options`.
fn connect(path: &Path, options: &SqliteOptions) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(err)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(err)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(err)?;
    if let Some(pages) = options.max_page_count {
        conn.pragma_update(None, "max_page_count", pages)
            .map_err(err)?;
    }
    Ok(conn)
}

/// Most writes one transaction takes.
const MAX_BATCH: usize = 256;

/// One write waiting for the writer thread.
trait Write: Send {
    /// Does the write in the batch's transaction `tx`, keeping its outcome.
    fn apply(&mut self, tx: &Connection) -> Result<(), StoreError>;
    /// Answers the caller: the kept outcome once the transaction committed, or the error.
    fn answer(self: Box<Self>, committed: Result<(), StoreError>);
}

struct Pending<T, F> {
    f: F,
    outcome: Option<T>,
    reply: tokio::sync::oneshot::Sender<Result<T, StoreError>>,
}

impl<T: Send, F: FnMut(&Connection) -> Result<T, StoreError> + Send> Write for Pending<T, F> {
    fn apply(&mut self, tx: &Connection) -> Result<(), StoreError> {
        self.outcome = Some((self.f)(tx)?);
        Ok(())
    }

    fn answer(self: Box<Self>, committed: Result<(), StoreError>) {
        let Pending { outcome, reply, .. } = *self;
        let outcome = committed.and_then(|()| {
            outcome.ok_or_else(|| StoreError::new("sqlite: a write was answered before it ran"))
        });
        // The caller may have gone (its request was dropped); the write stands.
        let _ = reply.send(outcome);
    }
}

/// The writer thread: group commit. It takes the writes that are waiting (up to
/// [`MAX_BATCH`]), runs them in order in one `BEGIN IMMEDIATE` transaction, commits once and
/// then answers each, so every 200/201 is still sent after its commit while concurrent writers
/// share the cost of a transaction. Writes in a batch see the ones before them, so
/// preconditions and creation are decided as if one by one. If a write or the commit fails
/// (disk full), the batch is rolled back and each write runs again alone, so one failure
/// fails only its own request.
fn writer(mut conn: Connection, queue: std::sync::mpsc::Receiver<Box<dyn Write>>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        match run_batch(&mut conn, &mut batch) {
            Ok(()) => batch.into_iter().for_each(|job| job.answer(Ok(()))),
            // The lock was not had (another process holds it past the busy timeout): every
            // write of the batch gets that answer; running them again would wait again.
            Err(Failed::Begin(e)) => batch.into_iter().for_each(|job| job.answer(Err(e.clone()))),
            Err(Failed::Write(e)) if batch.len() == 1 => {
                batch.into_iter().for_each(|job| job.answer(Err(e.clone())))
            }
            Err(Failed::Write(_)) => {
                for mut job in batch {
                    let alone = run_batch(&mut conn, std::slice::from_mut(&mut job));
                    job.answer(alone.map_err(Failed::into_error));
                }
            }
        }
    }
}

/// Why a batch did not commit.
enum Failed {
    /// `BEGIN IMMEDIATE` failed: the database is locked or unreachable.
    Begin(StoreError),
    /// A write or the commit failed.
    Write(StoreError),
}

impl Failed {
    fn into_error(self) -> StoreError {
        match self {
            Failed::Begin(e) | Failed::Write(e) => e,
        }
    }
}

fn run_batch(conn: &mut Connection, batch: &mut [Box<dyn Write>]) -> Result<(), Failed> {
    let tx = begin(conn).map_err(Failed::Begin)?;
    for job in batch.iter_mut() {
        job.apply(&tx).map_err(Failed::Write)?;
    }
    tx.commit().map_err(|e| Failed::Write(err(e)))
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
        self.write(move |tx| {
            let current = current_version(tx, &id)?;
            if !when.holds(current) {
                return Ok(Upsert::PreconditionFailed);
            }
            let version = store(tx, &id, &item)?;
            let stored = Stored {
                item: item.clone(),
                version,
            };
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
        self.write(move |tx| {
            let current = current_version(tx, &id)?;
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
        self.write(move |tx| {
            if current_version(tx, &id)?.is_some() {
                return Ok(false);
            }
            store(tx, &id, &item)?;
            Ok(true)
        })
        .await
    }
}
