//! One conformance suite for every store (memory, SQLite, PostgreSQL), and how the real stores
//! fail: a locked or full SQLite file and a cut PostgreSQL connection answer 503 with
//! Retry-After, keep what was written, and recover by themselves.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use items::store::{
    Delete, Item, ItemStore, MemoryStore, PostgresStore, Precondition, SqliteOptions, SqliteStore,
    Stored, Tags, Upsert, Version,
};
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};

use crate::helpers::{fresh_postgres, spawn_app_with, temp_sqlite};

fn item(name: &str, size: i64) -> Item {
    Item {
        name: Some(name.to_owned()),
        size: Some(size),
    }
}

const NONE: Precondition = Precondition::NONE;

fn if_match(v: Version) -> Precondition {
    Precondition {
        if_match: Some(Tags::Of(vec![v])),
        if_none_match: None,
    }
}

fn created(outcome: Upsert) -> Version {
    match outcome {
        Upsert::Created(s) => s.version,
        other => panic!("expected Created, got {other:?}"),
    }
}

fn updated(outcome: Upsert) -> Version {
    match outcome {
        Upsert::Updated(s) => s.version,
        other => panic!("expected Updated, got {other:?}"),
    }
}

async fn read<S: ItemStore>(s: &S, id: &str) -> Option<Item> {
    s.get(id).await.unwrap().map(|stored| stored.item)
}

/// `If-Match` and `If-None-Match` as the store sees them: a failed condition writes nothing.
async fn preconditions<S: ItemStore>(s: &S) {
    let absent = Precondition {
        if_match: None,
        if_none_match: Some(Tags::Any),
    };
    let v1 = created(s.upsert("p", item("one", 1), &absent).await.unwrap());
    assert_eq!(
        s.upsert("p", item("again", 9), &absent).await.unwrap(),
        Upsert::PreconditionFailed,
        "If-None-Match: * on an existing item"
    );
    let v2 = updated(s.upsert("p", item("two", 2), &if_match(v1)).await.unwrap());
    assert_eq!(
        s.upsert("p", item("stale", 9), &if_match(v1))
            .await
            .unwrap(),
        Upsert::PreconditionFailed,
        "If-Match with a stale version"
    );
    assert_eq!(
        s.delete("p", &if_match(v1)).await.unwrap(),
        Delete::PreconditionFailed,
        "delete with a stale version"
    );
    assert_eq!(
        read(s, "p").await,
        Some(item("two", 2)),
        "failed writes changed nothing"
    );
    assert_eq!(
        s.upsert("gone", item("x", 1), &if_match(v2)).await.unwrap(),
        Upsert::PreconditionFailed,
        "If-Match on an absent item"
    );
    assert_eq!(
        s.delete("gone", &if_match(v2)).await.unwrap(),
        Delete::PreconditionFailed
    );
    assert_eq!(s.get("gone").await.unwrap(), None, "If-Match never creates");
    let any = Precondition {
        if_match: Some(Tags::Any),
        if_none_match: None,
    };
    let v3 = updated(s.upsert("p", item("three", 3), &any).await.unwrap());
    let not_v3 = Precondition {
        if_match: None,
        if_none_match: Some(Tags::Of(vec![v3])),
    };
    assert_eq!(
        s.upsert("p", item("x", 0), &not_v3).await.unwrap(),
        Upsert::PreconditionFailed,
        "If-None-Match naming the current version"
    );
    assert_eq!(s.delete("p", &if_match(v3)).await.unwrap(), Delete::Deleted);

    // Of 64 writers holding the same version, exactly one wins.
    let v = created(s.upsert("race", item("r", 0), &NONE).await.unwrap());
    let holding_v = if_match(v);
    let writes = (0..64).map(|i| s.upsert("race", item("r", i), &holding_v));
    let outcomes = futures_util::future::join_all(writes).await;
    let won = outcomes
        .iter()
        .filter(|o| matches!(o, Ok(Upsert::Updated(_))))
        .count();
    let refused = outcomes
        .iter()
        .filter(|o| matches!(o, Ok(Upsert::PreconditionFailed)))
        .count();
    assert_eq!((won, refused), (1, 63), "{outcomes:?}");
}

/// Runs every conformance case, each on a fresh store from `make`. The first element of what
/// `make` returns keeps the store's resources (a temporary directory) alive.
async fn conformance<G, S, F, Fut>(make: F)
where
    S: ItemStore,
    F: Fn() -> Fut,
    Fut: Future<Output = (G, S)>,
{
    let (_g, s) = make().await;
    assert_eq!(s.get("nope").await.unwrap(), None, "get of an absent id");

    let (_g, s) = make().await;
    let v1 = created(s.upsert("a", item("x", 1), &NONE).await.unwrap());
    let v2 = updated(s.upsert("a", item("y", 2), &NONE).await.unwrap());
    assert_eq!(
        s.get("a").await.unwrap(),
        Some(Stored {
            item: item("y", 2),
            version: v2
        }),
        "upsert replaces, and get tells the version"
    );
    assert_eq!(s.delete("a", &NONE).await.unwrap(), Delete::Deleted);
    assert_eq!(
        s.delete("a", &NONE).await.unwrap(),
        Delete::NotFound,
        "second delete finds nothing"
    );
    let v3 = created(s.upsert("a", item("z", 3), &NONE).await.unwrap());
    assert!(
        v1 != v2 && v3 != v1 && v3 != v2,
        "a version never repeats for an id, across delete and re-create: {v1:?} {v2:?} {v3:?}"
    );

    let (_g, s) = make().await;
    preconditions(&s).await;

    let (_g, s) = make().await;
    let odd = Item {
        name: Some("Ñandú 🍍 \"quoted\" 'single'".into()),
        size: None,
    };
    s.upsert("odd", odd.clone(), &NONE).await.unwrap();
    s.upsert("empty", Item::default(), &NONE).await.unwrap();
    s.upsert("big", item("", 1_000_000), &NONE).await.unwrap();
    assert_eq!(read(&s, "odd").await, Some(odd), "values round-trip");
    assert_eq!(read(&s, "empty").await, Some(Item::default()));
    assert_eq!(read(&s, "big").await, Some(item("", 1_000_000)));

    let (_g, s) = make().await;
    assert!(s.insert_if_absent("foo", item("mine", 1)).await.unwrap());
    assert!(!s.insert_if_absent("foo", item("seed", 6)).await.unwrap());
    assert_eq!(
        read(&s, "foo").await,
        Some(item("mine", 1)),
        "insert_if_absent never overwrites"
    );

    let (_g, s) = make().await;
    let ids = ["b", "B", "a", "_x", "~z", "-m", "0", "a.b", "aa", "Z"];
    for id in ids {
        s.upsert(id, item(id, 0), &NONE).await.unwrap();
    }
    let mut expected: Vec<&str> = ids.to_vec();
    expected.sort_unstable(); // bytewise, as every store must order ids
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = s.list(after.as_deref(), 3).await.unwrap();
        if page.is_empty() {
            break;
        }
        after = page.last().map(|(id, _)| id.clone());
        seen.extend(page.into_iter().map(|(id, _)| id));
    }
    assert_eq!(seen, expected, "keyset pages in bytewise id order");

    let (_g, s) = make().await;
    let s = Arc::new(s);
    let racers: Vec<_> = (0..64)
        .map(|i| {
            let s = s.clone();
            tokio::spawn(async move { s.upsert("contested", item("r", i), &NONE).await.unwrap() })
        })
        .collect();
    let mut created = 0;
    for r in racers {
        if matches!(r.await.unwrap(), Upsert::Created(_)) {
            created += 1;
        }
    }
    assert_eq!(
        created, 1,
        "64 concurrent upserts of one new id create it once"
    );

    let (_g, s) = make().await;
    let s = Arc::new(s);
    for i in 0..200 {
        s.upsert(&format!("k{i:03}"), item("stable", i), &NONE)
            .await
            .unwrap();
    }
    let writer = {
        let s = s.clone();
        tokio::spawn(async move {
            for i in 0..200 {
                s.upsert(&format!("k{i:03}x"), item("new", i), &NONE)
                    .await
                    .unwrap();
                tokio::task::yield_now().await;
            }
        })
    };
    let mut listed = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = s.list(after.as_deref(), 7).await.unwrap();
        let Some((last, _)) = page.last() else { break };
        after = Some(last.clone());
        listed.extend(
            page.into_iter()
                .filter(|(_, it)| it.name.as_deref() == Some("stable"))
                .map(|(id, _)| id),
        );
        tokio::task::yield_now().await;
    }
    writer.await.unwrap();
    let stable: Vec<String> = (0..200).map(|i| format!("k{i:03}")).collect();
    assert_eq!(
        listed, stable,
        "paging during inserts lists every lasting item exactly once"
    );
}

pub async fn memory_store_passes_the_conformance_suite() {
    conformance(|| async { ((), MemoryStore::new()) }).await;
}

pub async fn sqlite_store_passes_the_conformance_suite() {
    conformance(|| async {
        let (dir, path) = temp_sqlite();
        (
            dir,
            SqliteStore::open(&path, SqliteOptions::default())
                .await
                .unwrap(),
        )
    })
    .await;
}

pub async fn postgres_store_passes_the_conformance_suite() {
    conformance(|| async {
        (
            (),
            PostgresStore::open(&fresh_postgres().await).await.unwrap(),
        )
    })
    .await;
}

pub async fn sqlite_and_postgres_serve_the_seed_scenario_over_http() {
    let (_dir, path) = temp_sqlite();
    let sqlite = spawn_app_with(
        SqliteStore::open(&path, SqliteOptions::default())
            .await
            .unwrap(),
    )
    .await;
    let postgres =
        spawn_app_with(PostgresStore::open(&fresh_postgres().await).await.unwrap()).await;

    for app in [&sqlite, &postgres] {
        assert_eq!(
            app.put_json("/items/foo", json!({"name": "F"}))
                .await
                .status,
            200
        );
        let created = app.put_json("/items/new", json!({"size": 2})).await;
        assert_eq!(created.status, 201);
        assert_eq!(created.header("location"), Some("/items/new"));
        assert_eq!(
            app.put_json("/items/new", json!({"size": 3})).await.status,
            200
        );
        assert_eq!(
            app.get("/items/new").await.json,
            json!({"name": null, "size": 3})
        );
        assert_eq!(app.delete("/items/bar").await.status, 204);
        let ids: Vec<String> = app
            .all_items()
            .await
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(ids, ["foo", "new"]);
    }
}

pub async fn a_locked_sqlite_database_answers_503_then_recovers() {
    let (_dir, path) = temp_sqlite();
    let app = spawn_app_with(
        SqliteStore::open(&path, SqliteOptions::default())
            .await
            .unwrap(),
    )
    .await;
    let locker = rusqlite::Connection::open(&path).unwrap();
    locker.execute_batch("BEGIN EXCLUSIVE").unwrap();

    let blocked = app.put_json("/items/foo", json!({"name": "blocked"})).await;
    locker.execute_batch("ROLLBACK").unwrap();
    let after = app.put_json("/items/foo", json!({"name": "after"})).await;

    assert_eq!(blocked.status, 503);
    assert_eq!(blocked.header("retry-after"), Some("1"));
    assert_eq!(after.status, 200);
    assert_eq!(app.get("/items/foo").await.json["name"], "after");
}

pub async fn a_full_sqlite_disk_answers_503_keeps_earlier_items_and_recovers() {
    let (_dir, path) = temp_sqlite();
    let options = SqliteOptions {
        max_page_count: Some(8),
    };
    let app = spawn_app_with(SqliteStore::open(&path, options).await.unwrap()).await;
    let name = "n".repeat(100);

    let mut stored = Vec::new();
    let mut full = None;
    for i in 0..2000 {
        let r = app
            .put_json(
                &format!("/items/item{i:04}"),
                json!({"name": name, "size": i}),
            )
            .await;
        if r.status == 503 {
            full = Some(i);
            break;
        }
        assert_eq!(r.status, 201);
        stored.push(i);
    }
    let full = full.expect("the database fills up");

    assert_eq!(
        app.get(&format!("/items/item{full:04}")).await.status,
        404,
        "the failed write left nothing"
    );
    for i in &stored {
        assert_eq!(
            app.get(&format!("/items/item{i:04}")).await.json["size"],
            *i,
            "earlier items intact"
        );
    }
    for i in stored.iter().take(stored.len() / 2) {
        assert_eq!(app.delete(&format!("/items/item{i:04}")).await.status, 204);
    }
    assert_eq!(
        app.put_json(&format!("/items/item{full:04}"), json!({"name": name}))
            .await
            .status,
        201,
        "space freed: writes work again"
    );
}

/// A TCP proxy to PostgreSQL that the test can cut (closing every connection and refusing
/// new ones) and restore, like a database host dropping off the network.
struct Proxy {
    port: u16,
    cut: Arc<AtomicBool>,
    connections: Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(target: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let cut = Arc::new(AtomicBool::new(false));
        let connections: Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>> = Arc::default();
        let (c, conns) = (cut.clone(), connections.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if c.load(Ordering::SeqCst) {
                    continue; // dropped: connection refused in effect
                }
                let target = target.clone();
                let task = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                conns.lock().unwrap().push(task);
            }
        });
        Proxy {
            port,
            cut,
            connections,
        }
    }

    /// Refuses new connections and closes every open one; returns once they are closed, so
    /// nothing sent afterwards can reach the database.
    async fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        let open: Vec<_> = std::mem::take(&mut *self.connections.lock().unwrap());
        for task in open {
            task.abort();
            let _ = task.await;
        }
    }

    fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

pub async fn a_cut_postgres_connection_answers_503_then_recovers() {
    let url = fresh_postgres().await;
    let (prefix, rest) = url.split_once('@').unwrap();
    let (host_port, db) = rest.split_once('/').unwrap();
    let proxy = Proxy::start(host_port.to_owned()).await;
    let proxied = format!("{prefix}@127.0.0.1:{}/{db}", proxy.port);
    let app = spawn_app_with(PostgresStore::open(&proxied).await.unwrap()).await;
    assert_eq!(
        app.put_json("/items/foo", json!({"name": "before"}))
            .await
            .status,
        200
    );

    proxy.cut().await;
    let during = app.put_json("/items/foo", json!({"name": "during"})).await;
    let read_during = app.get("/items/foo").await;
    proxy.restore();
    let mut after = app.get("/items/foo").await;
    for _ in 0..20 {
        if after.status == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        after = app.get("/items/foo").await;
    }

    assert_eq!(during.status, 503);
    assert_eq!(during.header("retry-after"), Some("1"));
    assert_eq!(read_during.status, 503);
    assert_eq!(
        after.status, 200,
        "the server recovers when the database is back"
    );
    assert_eq!(
        after.json["name"], "before",
        "the write that got 503 did not happen"
    );
}

/// This module's tests, for the harness in main.rs.
pub fn trials() -> Vec<libtest_mimic::Trial> {
    crate::trials![
        memory_store_passes_the_conformance_suite,
        sqlite_store_passes_the_conformance_suite,
        postgres_store_passes_the_conformance_suite,
        sqlite_and_postgres_serve_the_seed_scenario_over_http,
        a_locked_sqlite_database_answers_503_then_recovers,
        a_full_sqlite_disk_answers_503_keeps_earlier_items_and_recovers,
        a_cut_postgres_connection_answers_503_then_recovers,
    ]
}
