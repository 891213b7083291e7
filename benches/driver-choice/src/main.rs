//! Upsert throughput of rusqlite vs sqlx-sqlite, and tokio-postgres vs sqlx-postgres, with the
//! statement the item store uses (version counter: RETURNING version = 1 means created).
//! Sequential on one connection (latency-bound, what one request costs) and 16 concurrent
//! tasks (PostgreSQL only: SQLite has one writer). Usage: driver-choice [POSTGRES_URL]

use std::time::Instant;

const N: usize = 20_000;
const SQLITE_DDL: &str = "CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY, name TEXT, size INTEGER, version INTEGER NOT NULL)";
const UPSERT_SQLITE: &str = "INSERT INTO items (id, name, size, version) VALUES (?1, ?2, ?3, 1) ON CONFLICT (id) DO UPDATE SET name = excluded.name, size = excluded.size, version = items.version + 1 RETURNING version";
const UPSERT_PG: &str = "INSERT INTO items (id, name, size, version) VALUES ($1, $2, $3, 1) ON CONFLICT (id) DO UPDATE SET name = excluded.name, size = excluded.size, version = items.version + 1 RETURNING version";

fn report(name: &str, n: usize, start: Instant) {
    let secs = start.elapsed().as_secs_f64();
    println!("{name:<40} {:>9.0} upserts/s  ({n} in {secs:.2} s)", n as f64 / secs);
}

fn id(i: usize) -> String {
    format!("item{}", i % 5000)
}

fn sqlite_path(tag: &str) -> std::path::PathBuf {
    let p = std::env::temp_dir().join(format!("driver-choice-{tag}.db"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", p.display()));
    }
    p
}

fn rusqlite_bench() {
    let conn = rusqlite::Connection::open(sqlite_path("rusqlite")).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
    conn.execute(SQLITE_DDL, []).unwrap();
    let mut stmt = conn.prepare_cached(UPSERT_SQLITE).unwrap();
    let start = Instant::now();
    for i in 0..N {
        let _v: i64 = stmt.query_row(rusqlite::params![id(i), "name", i as i64], |r| r.get(0)).unwrap();
    }
    report("rusqlite (WAL, synchronous=NORMAL)", N, start);
}

async fn sqlx_sqlite_bench() {
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
    let opts = SqliteConnectOptions::new()
        .filename(sqlite_path("sqlx"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal);
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(opts).await.unwrap();
    sqlx::query(SQLITE_DDL).execute(&pool).await.unwrap();
    let start = Instant::now();
    for i in 0..N {
        let _v: (i64,) = sqlx::query_as(UPSERT_SQLITE).bind(id(i)).bind("name").bind(i as i64).fetch_one(&pool).await.unwrap();
    }
    report("sqlx-sqlite (WAL, synchronous=NORMAL)", N, start);
}

async fn pg_reset(url: &str) {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(conn);
    client
        .batch_execute("DROP TABLE IF EXISTS items; CREATE TABLE items (id TEXT PRIMARY KEY, name TEXT, size BIGINT, version BIGINT NOT NULL)")
        .await
        .unwrap();
}

async fn tokio_postgres_bench(url: &str, tasks: usize) {
    pg_reset(url).await;
    let mut clients = Vec::new();
    for _ in 0..tasks {
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(conn);
        clients.push(client);
    }
    let start = Instant::now();
    let mut handles = Vec::new();
    for (t, client) in clients.into_iter().enumerate() {
        handles.push(tokio::spawn(async move {
            let stmt = client.prepare(UPSERT_PG).await.unwrap();
            for i in (t..N).step_by(tasks) {
                let _row = client.query_one(&stmt, &[&id(i), &"name", &(i as i64)]).await.unwrap();
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    report(&format!("tokio-postgres ({tasks} connections)"), N, start);
}

async fn sqlx_postgres_bench(url: &str, tasks: usize) {
    pg_reset(url).await;
    let pool = sqlx::postgres::PgPoolOptions::new().max_connections(tasks as u32).connect(url).await.unwrap();
    let start = Instant::now();
    let mut handles = Vec::new();
    for t in 0..tasks {
        let pool = pool.clone();
        handles.push(tokio::spawn(async move {
            for i in (t..N).step_by(tasks) {
                let _v: (i64,) = sqlx::query_as(UPSERT_PG).bind(id(i)).bind("name").bind(i as i64).fetch_one(&pool).await.unwrap();
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    report(&format!("sqlx-postgres ({tasks} connections)"), N, start);
}

#[tokio::main]
async fn main() {
    let url = std::env::args().nth(1).unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".into());
    for _ in 0..2 {
        tokio::task::spawn_blocking(rusqlite_bench).await.unwrap();
        sqlx_sqlite_bench().await;
        for tasks in [1, 16] {
            tokio_postgres_bench(&url, tasks).await;
            sqlx_postgres_bench(&url, tasks).await;
        }
    }
    pg_reset(&url).await;
}
