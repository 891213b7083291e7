//! The `items-server` binary as a user runs it: configured from flags and the environment,
//! stopping cleanly on SIGTERM, keeping acknowledged writes through `kill -9`, sharing one
//! PostgreSQL database between two processes, and refusing a database newer than itself.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::join_all;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Child;

use crate::helpers::{client_for, fresh_postgres, temp_sqlite, TestApp};

/// A running `items-server` process.
struct Server {
    child: Child,
    /// Its log lines after "listening", collected by a task so the pipe never fills up.
    log: Arc<Mutex<Vec<String>>>,
    /// Checks every response against items.yaml.
    client: TestApp,
}

/// Starts `items-server` with `args` on an ephemeral port and waits until it listens.
async fn start(args: &[&str]) -> Server {
    start_with(args, &[]).await
}

/// [`start`] with extra environment variables.
async fn start_with(args: &[&str], env: &[(&str, &str)]) -> Server {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_items-server"))
        .args(args)
        .envs(env.iter().copied())
        .env("ITEMS_LISTEN", "127.0.0.1:0")
        .env("ITEMS_LOG", "info")
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("items-server starts");
    let mut log = BufReader::new(child.stderr.take().unwrap()).lines();
    let base = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = log.next_line().await.unwrap() {
            if let Some(rest) = line.split("listening on ").nth(1) {
                return rest.split_whitespace().next().unwrap().to_owned();
            }
        }
        panic!("items-server exited before listening");
    })
    .await
    .expect("items-server listens within 30 s");
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    tokio::spawn(async move {
        while let Ok(Some(line)) = log.next_line().await {
            sink.lock().unwrap_or_else(|e| e.into_inner()).push(line);
        }
    });
    let client = client_for(&base);
    Server {
        child,
        log: lines,
        client,
    }
}

impl Server {
    async fn put(&self, id: String, size: i64) -> u16 {
        self.client
            .put_json(&format!("/items/{id}"), json!({"name": id, "size": size}))
            .await
            .status
    }

    async fn kill_9(mut self) {
        self.child.start_kill().expect("SIGKILL");
        self.child
            .wait()
            .await
            .expect("the killed server is reaped");
    }
}

pub async fn the_binary_serves_the_seed_and_stops_cleanly_on_sigterm() {
    let mut server = start(&["--seed", "--store", "memory:"]).await;

    let seeded = server.client.get("/items/foo").await.json;
    // An idle keep-alive connection (the client's pool holds one too) must not hold the stop
    // for the 10 s grace period: connections between requests are ended at once.
    let addr = server.client.addr;
    let mut idle = tokio::net::TcpStream::connect(addr).await.unwrap();
    tokio::io::AsyncWriteExt::write_all(&mut idle, b"GET /items/foo HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut head = [0u8; 12];
    tokio::io::AsyncReadExt::read_exact(&mut idle, &mut head)
        .await
        .unwrap();
    // And one that has not sent a byte yet.
    let fresh = tokio::net::TcpStream::connect(addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let pid = server.child.id().expect("a running child").to_string();
    let stopping = std::time::Instant::now();
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    let status = tokio::time::timeout(Duration::from_secs(15), server.child.wait())
        .await
        .expect("exits within 15 s")
        .unwrap();
    let took = stopping.elapsed();
    assert!(
        took < Duration::from_secs(3),
        "idle connections held the stop for {took:?}"
    );
    drop((idle, fresh));
    // The log task sees the pipe close when the process exits; give it a moment to finish.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let rest = server.log.lock().unwrap().clone();

    assert_eq!(seeded, json!({"name": "Fighters", "size": 6}));
    assert!(kill.success());
    assert!(status.success(), "exit status {status}");
    assert!(rest.iter().any(|l| l.contains("stopped")), "{rest:?}");
}

pub async fn a_bad_flag_is_a_usage_error_not_a_panic() {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_items-server"))
        .args(["--store", "mongodb://x"])
        .output()
        .await
        .unwrap();

    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("unknown store `mongodb://x`"), "{stderr}");
    assert!(stderr.contains("try '--help'"), "{stderr}");
}

/// One access line per request, carrying the request's id, as text and as JSON lines.
pub async fn every_request_is_logged_once_with_its_id() {
    for json in [false, true] {
        let env: &[(&str, &str)] = if json {
            &[("ITEMS_LOG_FORMAT", "json")]
        } else {
            &[]
        };
        let server = start_with(&["--store", "memory:", "--seed"], env).await;
        let traced = server
            .client
            .send_with("GET", "/items/foo", &[("x-request-id", "trace-42")], None)
            .await;
        assert_eq!(traced.header("x-request-id"), Some("trace-42"));
        let missing = server.client.get("/items/nope").await;
        let generated = missing.header("x-request-id").unwrap().to_owned();
        assert_eq!(missing.json["instance"], generated.as_str());

        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        let lines = loop {
            let lines = server.log.lock().unwrap().clone();
            let access: Vec<String> = lines.into_iter().filter(|l| l.contains("access")).collect();
            if access.len() >= 2 || tokio::time::Instant::now() > deadline {
                break access;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(lines.len(), 2, "{lines:#?}");
        if json {
            let first: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
            assert_eq!(first["target"], "access");
            assert_eq!(first["span"]["id"], "trace-42");
            assert_eq!(first["fields"]["operation"], "getItem");
            assert_eq!(first["fields"]["status"], 200);
            let second: serde_json::Value = serde_json::from_str(&lines[1]).unwrap();
            assert_eq!(second["span"]["id"], generated.as_str());
            assert_eq!(second["fields"]["status"], 404);
        } else {
            assert!(
                lines[0].contains("request{id=trace-42}")
                    && lines[0].contains("operation=getItem")
                    && lines[0].contains("status=200"),
                "{}",
                lines[0]
            );
            assert!(
                lines[1].contains(&generated) && lines[1].contains("status=404"),
                "{}",
                lines[1]
            );
        }
    }
}

pub async fn metrics_off_records_nothing_and_serves_the_rest() {
    for (args, recorded) in [(&[][..], true), (&["--metrics", "off"][..], false)] {
        let server = start(&[&["--store", "memory:", "--seed"][..], args].concat()).await;
        assert_eq!(server.client.get("/items/foo").await.status, 200);
        let metrics = server.client.get("/metrics").await;
        assert_eq!(metrics.status, 200);
        let counted = metrics
            .text
            .contains(r#"http_request_duration_seconds_count{operation="getItem",status="200"} 1"#);
        let timed = metrics
            .text
            .contains(r#"item_store_call_duration_seconds_count{call="get",outcome="ok"} 1"#);
        assert_eq!(
            (counted, timed),
            (recorded, recorded),
            "{args:?}: {}",
            metrics.text
        );
    }
}

pub async fn version_names_the_server_and_the_api() {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_items-server"))
        .arg("--version")
        .output()
        .await
        .unwrap();

    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    let spec = crate::spec::written();
    let api_version = spec["info"]["version"].as_str().unwrap();
    assert!(
        stdout.starts_with(&format!("items-server {}", env!("CARGO_PKG_VERSION")))
            && stdout.contains(&format!("Items API {api_version}")),
        "{stdout}"
    );
}

/// 1,000 acknowledged PUTs, `kill -9`, restart on the same store: all 1,000 are there.
async fn writes_survive_kill_9(store: &str) {
    let server = start(&["--store", store]).await;
    for chunk in (0..1000).collect::<Vec<i64>>().chunks(50) {
        let statuses = join_all(chunk.iter().map(|i| server.put(format!("k{i:04}"), *i))).await;
        assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    }

    server.kill_9().await;
    let restarted = start(&["--store", store]).await;

    let items = restarted.client.all_items().await;

    assert_eq!(items.len(), 1000);
    for it in &items {
        let i: i64 = it["id"].as_str().unwrap()[1..].parse().unwrap();
        assert_eq!(it["size"], i);
    }
}

pub async fn sqlite_writes_survive_kill_9() {
    let (_dir, path) = temp_sqlite();
    writes_survive_kill_9(&format!("sqlite://{}", path.display())).await;
}

pub async fn postgres_writes_survive_kill_9() {
    writes_survive_kill_9(&fresh_postgres().await).await;
}

pub async fn two_processes_on_one_postgres_create_a_new_id_once() {
    let url = fresh_postgres().await;
    let args = ["--store", url.as_str()];
    let (a, b) = tokio::join!(start(&args), start(&args));

    let statuses = join_all((0..64).map(|i| {
        let server = if i % 2 == 0 { &a } else { &b };
        server.put("contested".to_owned(), i)
    }))
    .await;

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

pub async fn two_processes_on_one_postgres_let_one_if_match_put_win() {
    let url = fresh_postgres().await;
    let args = ["--store", url.as_str(), "--seed"];
    let (a, b) = tokio::join!(start(&args), start(&args));
    let tag = a
        .client
        .get("/items/foo")
        .await
        .header("etag")
        .unwrap()
        .to_owned();

    let statuses = join_all((0..64).map(|i| {
        let server = if i % 2 == 0 { &a } else { &b };
        let tag = tag.as_str();
        async move {
            server
                .client
                .put_json_with("/items/foo", &[("if-match", tag)], json!({"size": i}))
                .await
                .status
        }
    }))
    .await;

    let count = |status| statuses.iter().filter(|s| **s == status).count();
    assert_eq!((count(200), count(412)), (1, 63), "{statuses:?}");
}

pub async fn a_database_newer_than_the_binary_is_refused_with_a_clear_error() {
    let (_dir, path) = temp_sqlite();
    items::store::SqliteStore::open(&path, Default::default())
        .await
        .unwrap();
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("INSERT INTO items_schema_version VALUES (99)")
        .unwrap();

    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_items-server"))
        .args([
            "--store",
            &format!("sqlite://{}", path.display()),
            "--listen",
            "127.0.0.1:0",
        ])
        .output()
        .await
        .unwrap();

    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("schema version 99, newer than the 2 this items-server knows"),
        "{stderr}"
    );
}

/// This module's tests, for the harness in main.rs.
pub fn trials() -> Vec<libtest_mimic::Trial> {
    crate::trials![
        the_binary_serves_the_seed_and_stops_cleanly_on_sigterm,
        a_bad_flag_is_a_usage_error_not_a_panic,
        metrics_off_records_nothing_and_serves_the_rest,
        version_names_the_server_and_the_api,
        every_request_is_logged_once_with_its_id,
        sqlite_writes_survive_kill_9,
        postgres_writes_survive_kill_9,
        two_processes_on_one_postgres_create_a_new_id_once,
        two_processes_on_one_postgres_let_one_if_match_put_win,
        a_database_newer_than_the_binary_is_refused_with_a_clear_error,
    ]
}
