//! The docs page at /docs, rendered by a real browser with the network limited to 127.0.0.1:
//! it must show PUT /items/{item_id} with both 200 and 201, from nothing but this server.

use std::process::Stdio;
use std::time::Duration;

use crate::helpers::spawn_app;

/// Debian's Chromium binary (the `/usr/bin/chromium` wrapper adds flags that re-enable
/// background networking, so call the binary itself).
const CHROMIUM: &str = "/usr/lib/chromium/chromium";

pub async fn docs_page_shows_put_with_200_and_201_offline() {
    let app = spawn_app().await;
    let profile = std::env::temp_dir().join(format!("items-docs-{}", std::process::id()));

    let run = tokio::process::Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            &format!("--user-data-dir={}", profile.display()),
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            // Everything but 127.0.0.1 is unreachable: a dead proxy for all traffic, and no
            // name or address resolves except 127.0.0.1.
            "--proxy-server=http://127.0.0.1:9",
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            "--log-level=3",
            "--virtual-time-budget=10000",
            "--dump-dom",
            &format!("{}/docs#/items/putItem", app.base),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(90), run)
        .await
        .expect("chromium finishes within 90 s")
        .unwrap_or_else(|e| {
            panic!("cannot run {CHROMIUM} ({e}); `make test` installs Debian's chromium package")
        });
    let _ = std::fs::remove_dir_all(&profile);
    let dom = String::from_utf8_lossy(&output.stdout);

    // Only what Swagger UI renders counts (the page source already holds the raw spec): the
    // deep-linked PUT block, open, with its response rows.
    let start = dom
        .find(r#"id="operations-items-putItem""#)
        .unwrap_or_else(|| {
            panic!(
                "the rendered page has no PUT operation; stderr: {}",
                String::from_utf8_lossy(&output.stderr)
            )
        });
    let block = &dom[start..];
    let block = &block[..block[1..]
        .find(r#"<div class="opblock opblock-"#)
        .map_or(block.len(), |i| i + 1)];
    assert!(
        dom[..start].ends_with(r#"class="opblock opblock-put is-open" "#),
        "the PUT operation is not expanded"
    );
    assert!(block.contains(r#"data-path="/items/{item_id}""#));
    assert!(block.contains(r#"data-code="200""#), "no 200 row");
    assert!(block.contains(r#"data-code="201""#), "no 201 row");
}

pub async fn docs_page_loads_nothing_from_other_hosts() {
    let app = spawn_app().await;

    let html = reqwest::get(format!("{}/docs", app.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();

    for attr in [
        "src=\"http",
        "href=\"http",
        "src='http",
        "href='http",
        "@import url(http",
        "url(\"http",
    ] {
        assert!(
            !html.contains(attr),
            "the docs page references an outside resource: {attr}"
        );
    }
}

/// `GET /` (the spec has no `/`) says where the documents are, for a new user with curl.
pub async fn the_root_points_at_the_docs_and_the_document() {
    let app = crate::helpers::spawn_app().await;
    let root = reqwest::get(format!("{}/", app.base)).await.unwrap();
    assert_eq!(root.status(), 200);
    assert_eq!(root.headers()["content-type"], "application/json");
    let links: serde_json::Value = root.json().await.unwrap();
    assert_eq!(links["docs"], "/docs");
    assert_eq!(links["openapi"], "/openapi.json");
    assert_eq!(links["version"], crate::spec::written()["info"]["version"]);
    for path in ["/docs", "/openapi.json", "/openapi.yaml"] {
        let status = reqwest::get(format!("{}{path}", app.base))
            .await
            .unwrap()
            .status();
        assert_eq!(status, 200, "{path}");
    }
}

/// This module's tests, for the harness in main.rs.
pub fn trials() -> Vec<libtest_mimic::Trial> {
    crate::trials![
        docs_page_shows_put_with_200_and_201_offline,
        docs_page_loads_nothing_from_other_hosts,
        the_root_points_at_the_docs_and_the_document,
    ]
}
