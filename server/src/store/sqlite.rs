//! SQLite: the embedded store, one file in WAL mode.
//!
//! rusqlite is synchronous. A read runs on the calling thread with a connection that thread
//! keeps for the store (a point read from the page cache is cheaper than any hand-off). Writes
//! are committed in groups, one `BEGIN IMMEDIATE` transaction for the writes waiting at the
//! time, run by whichever request finds the write connection free (see
//! [`SqliteStore::write`]): each reads the current
//! version, checks the precondition, takes the next version from the `item_versions` counter
//! and writes, all under SQLite's write lock, so creation and `If-Match` are decided
//! atomically across connections and processes. With `synchronous = NORMAL` in WAL mode a
//! committed write is in the OS before the call returns, so it survives the process being
//! killed.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, TryLockError};
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
    /// The writes waiting for the next group (see [`SqliteStore::write`]).
    queue: Mutex<Vec<Box<dyn Write>>>,
    /// The one write connection. Whoever holds it runs the waiting writes.
    writer: Mutex<Connection>,
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
    /// connection that migrated becomes the write connection.
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
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                path,
                options,
                queue: Mutex::new(Vec::new()),
                writer: Mutex::new(conn),
            }),
        })
    }

    /// Runs the write `f` inside a transaction it may share with other writes, and answers
    /// once that transaction has committed.
    ///
    /// Flat combining: the write is queued, the task yields once (so the other requests this
    /// thread has ready queue theirs), and then whoever finds the write connection free runs
    /// the queued writes, up to 256 in one transaction, and answers each (after
    /// [`MAX_GROUPS`] groups, a task of its own runs the rest). No thread is handed anything:
    /// a writer thread cost two thread switches per group, which on one core was a third of
    /// the time of a PUT. A request dropped while it waits still has its write run, by the
    /// guard below. The group runs on the runtime's thread, like the reads: a commit is a
    /// write to the WAL, but a database locked by another process holds that thread for up to
    /// [`BUSY_TIMEOUT`].
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
        lock(&self.inner.queue).push(job);
        let combine = Combine(&self.inner);
        tokio::task::yield_now().await;
        drop(combine);
        answer
            .await
            .map_err(|_| StoreError::new("sqlite: a write was dropped unanswered"))?
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

/// One write waiting for its group.
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

/// A lock whose holder panicked still guards consistent data here: the queue is only pushed
/// to and drained, and a transaction a panic left open is rolled back when dropped.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Most groups one request runs before it hands what is left to a task of its own. Writers on
/// other runtime threads can keep the queue full; without a bound, the request that found the
/// connection free would keep running their groups, its own answer waiting and the other
/// requests of its thread with it.
const MAX_GROUPS: usize = 4;

/// Runs the queued writes when dropped (see [`SqliteStore::write`]).
struct Combine<'a>(&'a Arc<Inner>);

impl Drop for Combine<'_> {
    fn drop(&mut self) {
        combine(self.0);
    }
}

/// Takes the write connection if it is free and runs up to [`MAX_GROUPS`] groups, then, if
/// writes are still queued, spawns a task that does the same. If the connection is not free,
/// its holder runs the queued writes: it looks at the queue again after letting the
/// connection go, so no write is left behind.
fn combine(inner: &Arc<Inner>) {
    loop {
        let mut conn = match inner.writer.try_lock() {
            Ok(conn) => conn,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => return,
        };
        for _ in 0..MAX_GROUPS {
            let batch: Vec<_> = {
                let mut queue = lock(&inner.queue);
                let take = queue.len().min(MAX_BATCH);
                queue.drain(..take).collect()
            };
            if batch.is_empty() {
                break;
            }
            commit_group(&mut conn, batch);
        }
        drop(conn);
        if lock(&inner.queue).is_empty() {
            return;
        }
        // Outside a runtime (a request dropped as its runtime shuts down) there is no task to
        // hand to: this thread keeps going.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let inner = inner.clone();
            runtime.spawn(async move { combine(&inner) });
            return;
        }
    }
}

/// Group commit: runs `batch` in order in one `BEGIN IMMEDIATE` transaction, commits once and
/// then answers each, so every 200/201 is still sent after its commit while concurrent writers
/// share the cost of a transaction. Writes in a batch see the ones before them, so
/// preconditions and creation are decided as if one by one. If a write or the commit fails
/// (disk full), the batch is rolled back and each write runs again alone, so one failure
/// fails only its own request.
fn commit_group(conn: &mut Connection, mut batch: Vec<Box<dyn Write>>) {
    match run_batch(conn, &mut batch) {
        Ok(()) => batch.into_iter().for_each(|job| job.answer(Ok(()))),
        // The lock was not had (another process holds it past the busy timeout): every
        // write of the batch gets that answer; running them again would wait again.
        Err(Failed::Begin(e)) => batch.into_iter().for_each(|job| job.answer(Err(e.clone()))),
        Err(Failed::Write(e)) if batch.len() == 1 => {
            batch.into_iter().for_each(|job| job.answer(Err(e.clone())))
        }
        Err(Failed::Write(_)) => {
            for mut job in batch {
                let alone = run_batch(conn, std::slice::from_mut(&mut job));
                job.answer(alone.map_err(Failed::into_error));
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

#[cfg(test)]
mod tests {
    use std::future::Future;

    use super::*;

    async fn open_temp() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("t.db"), SqliteOptions::default())
            .await
            .unwrap();
        (dir, store)
    }

    fn item(size: i64) -> Item {
        Item {
            name: None,
            size: Some(size),
        }
    }

    /// A request dropped while its write waits for its group (a client that hung up) does
    /// not strand the write: it is run when the request is dropped, and the store is not left
    /// with a queued write that would be applied later, behind someone else's.
    #[tokio::test]
    async fn a_write_whose_request_is_dropped_is_still_run() {
        let (_dir, store) = open_temp().await;
        let always = Precondition::default();
        // Polled once (queued, then yielding to other tasks), then dropped.
        let mut write = Box::pin(store.upsert("dropped", item(1), &always));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(write.as_mut().poll(&mut cx).is_pending());
        assert_eq!(lock(&store.inner.queue).len(), 1, "queued, not yet run");
        drop(write);

        assert!(lock(&store.inner.queue).is_empty());
        let stored = store.get("dropped").await.unwrap().expect("the write ran");
        assert_eq!(stored.item, item(1));
    }

    /// A request that finds the connection free runs at most `MAX_GROUPS` groups; the writes
    /// left are run by a task of its own, and every one is answered.
    #[tokio::test]
    async fn past_max_groups_the_rest_is_run_by_a_task_of_its_own() {
        let (_dir, store) = open_temp().await;
        let count = MAX_GROUPS * MAX_BATCH + 10;
        let answers: Vec<_> = (0..count)
            .map(|n| {
                let (reply, answer) = tokio::sync::oneshot::channel();
                let id = format!("w{n}");
                let job = Box::new(Pending {
                    f: move |tx: &Connection| super::store(tx, &id, &item(1)),
                    outcome: None,
                    reply,
                });
                lock(&store.inner.queue).push(job);
                answer
            })
            .collect();

        combine(&store.inner);
        assert_eq!(lock(&store.inner.queue).len(), 10, "left to the task");
        for answer in answers {
            let answered = tokio::time::timeout(Duration::from_secs(10), answer).await;
            answered.expect("every write is answered").unwrap().unwrap();
        }

        assert!(lock(&store.inner.queue).is_empty());
        let last = format!("w{}", count - 1);
        assert!(store.get(&last).await.unwrap().is_some());
    }

    /// Writes issued together share a transaction and each gets its own outcome, in order:
    /// the first create wins and the rest update.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writes_are_answered_each_with_its_own_outcome() {
        let (_dir, store) = open_temp().await;
        let always = Precondition::default();
        let writes = (0..32).map(|n| {
            let store = store.clone();
            let always = always.clone();
            tokio::spawn(async move { store.upsert("shared", item(n), &always).await })
        });
        let mut created = 0;
        for write in writes {
            match write.await.unwrap().unwrap() {
                Upsert::Created(_) => created += 1,
                Upsert::Updated(_) => {}
                Upsert::PreconditionFailed => panic!("no precondition was given"),
            }
        }

        assert_eq!(created, 1);
        assert!(lock(&store.inner.queue).is_empty());
    }
}
