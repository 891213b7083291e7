//! The quickstart over real HTTP: what its README section promises, and that the section
//! shows these very files.

use serde_json::{json, Value};

/// Serves the notes API on 127.0.0.1:0; the base URL.
async fn serve() -> String {
    let app = codegen_runtime::serve::bind_endpoint("127.0.0.1:0", quickstart::routes())
        .await
        .expect("binds a free port");
    let base = format!("http://{}", app.local_addr());
    tokio::spawn(app.serve(std::future::pending()));
    base
}

async fn send(method: reqwest::Method, url: String, body: Option<Value>) -> (u16, Value) {
    let mut request = reqwest::Client::new().request(method, url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn put_creates_then_replaces_and_get_reads_it_back() {
    let base = serve().await;
    let note = json!({"text": "buy milk"});
    let put = || {
        send(
            reqwest::Method::PUT,
            format!("{base}/notes/milk"),
            Some(note.clone()),
        )
    };

    assert_eq!(
        put().await,
        (201, json!({"text": "buy milk", "pinned": false}))
    );
    assert_eq!(put().await.0, 200);
    let (status, read) = send(reqwest::Method::GET, format!("{base}/notes/milk"), None).await;
    assert_eq!((status, read["text"].clone()), (200, json!("buy milk")));
}

#[tokio::test]
async fn what_the_spec_refuses_is_a_problem_and_changes_nothing() {
    let base = serve().await;
    let (status, missing) = send(reqwest::Method::GET, format!("{base}/notes/nope"), None).await;
    assert_eq!((status, missing["status"].clone()), (404, json!(404)));

    let long = json!({"text": "x".repeat(281)});
    let (status, problem) = send(
        reqwest::Method::PUT,
        format!("{base}/notes/Bad_Id"),
        Some(long),
    )
    .await;
    assert_eq!(status, 400);
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("path /id: must match the pattern"),
        "{detail}"
    );
    let (status, problem) = send(
        reqwest::Method::PUT,
        format!("{base}/notes/long"),
        Some(json!({"text": "x".repeat(281)})),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("/text: must be at most 280 characters"),
        "{problem}"
    );
    let (status, _) = send(reqwest::Method::GET, format!("{base}/notes/long"), None).await;
    assert_eq!(status, 404, "a rejected PUT stored nothing");
}

#[tokio::test]
async fn the_spec_is_served_as_written() {
    let base = serve().await;
    let served = reqwest::get(format!("{base}/openapi.yaml"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let written = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml"));
    assert_eq!(served, written.unwrap());
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
}
