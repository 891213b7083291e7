//! The `items-server` binary as a user runs it: configured from the environment, serving the
//! seed items, and stopping cleanly on SIGTERM.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

pub async fn the_binary_serves_the_seed_and_stops_cleanly_on_sigterm() {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_items-server"))
        .arg("--seed")
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

    let seeded: serde_json::Value = reqwest::get(format!("{base}/items/foo"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let pid = child.id().expect("a running child").to_string();
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    let status = tokio::time::timeout(Duration::from_secs(15), child.wait())
        .await
        .expect("exits within 15 s")
        .unwrap();
    let mut rest = Vec::new();
    while let Ok(Some(line)) = log.next_line().await {
        rest.push(line);
    }

    assert_eq!(seeded, serde_json::json!({"name": "Fighters", "size": 6}));
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
    assert!(stderr.contains("usage: items-server"), "{stderr}");
}
