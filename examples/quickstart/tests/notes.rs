//! The quickstart over real HTTP, every response checked against its openapi.yaml by
//! codegen-testing's `TestServer`: what its README section promises, and that the section
//! shows these very files.

use std::sync::Arc;

use codegen_testing::TestServer;
use serde_json::{json, Value};

/// openapi.yaml as JSON: the oracle of every response below.
fn spec() -> Arc<Value> {
    Arc::new(codegen_testing::written_document(include_str!(
        "../openapi.yaml"
    )))
}

/// The notes API on 127.0.0.1 with a free port.
async fn serve() -> TestServer {
    TestServer::start(quickstart::routes(), spec()).await
}

/// Every response the spec declares, answered once: 413 and 415 come from the serving layer
/// and the generated code, not from the handlers.
#[tokio::test]
async fn every_declared_response_is_answered() {
    let app = serve().await;
    let note = json!({"text": "buy milk"});
    app.json("PUT", "/notes/milk", &note).await;
    app.json("PUT", "/notes/milk", &note).await;
    app.json("PUT", "/notes/milk", &json!({"text": 5})).await;
    app.send(
        "PUT",
        "/notes/milk",
        Some("text/plain"),
        Some(b"milk".to_vec()),
    )
    .await;
    let huge = json!({"text": "x".repeat(70_000)}).to_string().into_bytes();
    app.send("PUT", "/notes/milk", Some("application/json"), Some(huge))
        .await;
    app.get("/notes/milk").await;
    app.get("/notes/nope").await;
    app.get("/notes/NOPE").await;

    assert_eq!(app.coverage().missing(&spec()), Vec::<String>::new());
}

#[tokio::test]
async fn put_creates_then_replaces_and_get_reads_it_back() {
    let app = serve().await;
    let note = json!({"text": "buy milk"});

    let created = app.json("PUT", "/notes/milk", &note).await;
    let replaced = app.json("PUT", "/notes/milk", &note).await;
    let read = app.get("/notes/milk").await;

    assert_eq!(
        (created.status, created.json),
        (201, json!({"text": "buy milk", "pinned": false}))
    );
    assert_eq!(replaced.status, 200);
    assert_eq!(
        (read.status, read.json["text"].clone()),
        (200, json!("buy milk"))
    );
}

#[tokio::test]
async fn what_the_spec_refuses_is_a_problem_and_changes_nothing() {
    let app = serve().await;
    let missing = app.get("/notes/nope").await;
    let bad_id = app
        .json("PUT", "/notes/Bad_Id", &json!({"text": "x".repeat(281)}))
        .await;
    let too_long = app
        .json("PUT", "/notes/long", &json!({"text": "x".repeat(281)}))
        .await;
    let not_stored = app.get("/notes/long").await;

    assert_eq!(
        (missing.status, missing.json["status"].clone()),
        (404, json!(404))
    );
    assert_eq!(bad_id.status, 400);
    let detail = bad_id.json["detail"].as_str().unwrap();
    assert!(
        detail.contains("path /id: must match the pattern"),
        "{detail}"
    );
    assert_eq!(too_long.status, 400);
    let detail = too_long.json["detail"].as_str().unwrap();
    assert!(
        detail.contains("/text: must be at most 280 characters"),
        "{detail}"
    );
    assert_eq!(not_stored.status, 404, "a rejected PUT stored nothing");
}

#[tokio::test]
async fn the_spec_is_served_as_written() {
    let app = serve().await;
    assert_eq!(
        app.served("/openapi.yaml").await,
        include_str!("../openapi.yaml")
    );
}

#[test]
fn the_readme_shows_these_files() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("the repository's README");
    for file in [
        "openapi.yaml",
        "build.rs",
        "src/lib.rs",
        "src/main.rs",
        "Cargo.toml",
    ] {
        let path = format!("{}/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        // Cargo.toml is shown from its [dependencies] on (the package header is the user's).
        let shown = match text.find("[dependencies]") {
            Some(at) if file == "Cargo.toml" => &text[at..],
            _ => &text[..],
        };
        assert!(
            readme.contains(shown),
            "README.md does not show examples/quickstart/{file} as it is"
        );
    }
    // Of this file, the README shows the start: the spec, the server, the coverage test.
    let tests = include_str!("notes.rs");
    let start = tests.find("use std::sync").unwrap();
    let end = tests.find("#[tokio::test]\nasync fn put_creates").unwrap();
    assert!(
        readme.contains(tests[start..end].trim_end()),
        "README.md does not show the start of examples/quickstart/tests/notes.rs as it is"
    );
}
