//! The migration from FastAPI, proven against the real FastAPI app (app.py, run by uvicorn
//! from the virtualenv `scripts/python-env` makes, at the versions scripts/requirements.txt pins):
//! its exported document plus the one edit is the committed openapi.json, and the generated
//! Rust server answers the tutorial's requests as the FastAPI app does, over real sockets.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

fn here() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The test virtualenv's Python (`ITEMS_TEST_PYTHON` overrides it).
fn python() -> PathBuf {
    let python = std::env::var_os("ITEMS_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| here().join("../../target/python/bin/python"));
    assert!(
        python.exists(),
        "{} is missing: run scripts/python-env (it makes the virtualenv with FastAPI)",
        python.display()
    );
    python
}

/// The one edit a user makes, in the language of the export: declare the 201 the handler
/// returns by hand, right after the 200. Printed as json.dump prints, key order kept.
const DECLARE_201: &str = r#"
import json, subprocess, sys
doc = json.loads(subprocess.run([sys.executable, "export.py"], check=True, capture_output=True).stdout)
assert doc["openapi"] == "3.1.0", doc["openapi"]
put = doc["paths"]["/items/{item_id}"]["put"]
assert "201" not in put["responses"], "FastAPI does not declare the 201"
responses = {}
for status, response in put["responses"].items():
    responses[status] = response
    if status == "200":
        responses["201"] = {"description": "Created", "content": {"application/json": {"schema": {}}}}
put["responses"] = responses
json.dump(doc, sys.stdout, indent=2)
sys.stdout.write("\n")
"#;

#[test]
fn fastapis_export_plus_the_201_is_the_committed_document() {
    let out = Command::new(python())
        .args(["-c", DECLARE_201])
        .current_dir(here())
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let committed = std::fs::read_to_string(here().join("openapi.json")).unwrap();

    assert_eq!(String::from_utf8_lossy(&out.stdout), committed);
}

/// uvicorn serving app.py, stopped on drop.
struct Uvicorn(Child);

impl Drop for Uvicorn {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_fastapi() -> (Uvicorn, String) {
    let port = free_port();
    let child = Command::new(python())
        .args([
            "-m",
            "uvicorn",
            "app:app",
            "--host",
            "127.0.0.1",
            "--log-level",
            "warning",
        ])
        .args(["--port", &port.to_string()])
        .current_dir(here())
        .stdout(Stdio::null())
        .spawn()
        .expect("start uvicorn");
    let uvicorn = Uvicorn(child);
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if reqwest::get(format!("{base}/openapi.json")).await.is_ok() {
            return (uvicorn, base);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("uvicorn did not answer on {base} within 10 s");
}

async fn start_rust() -> String {
    let app = codegen_runtime::serve::bind_endpoint("127.0.0.1:0", fastapi_migration::routes())
        .await
        .expect("bind 127.0.0.1:0");
    let base = format!("http://{}", app.local_addr());
    tokio::spawn(app.serve(std::future::pending()));
    base
}

async fn put(base: &str, id: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = reqwest::Client::new().put(format!("{base}/items/{id}"));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("PUT");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_rust_server_answers_the_tutorials_requests_as_fastapi_does() {
    let (_fastapi, fastapi) = start_fastapi().await;
    let rust = start_rust().await;

    let requests = [
        ("foo", Some(json!({"name": "Fighters II", "size": 7}))),
        ("baz", Some(json!({"name": "Baz"}))),
        ("baz", Some(json!({}))),
        ("qux", None),
        ("bar", Some(json!({"size": null}))),
    ];
    let mut statuses = Vec::new();
    for (id, body) in requests {
        let expected = put(&fastapi, id, body.clone()).await;
        let actual = put(&rust, id, body.clone()).await;
        assert_eq!(actual, expected, "PUT /items/{id} {body:?}");
        statuses.push(actual.0);
    }
    // The upsert: existing items 200, new ones 201, as the tutorial says.
    assert_eq!(statuses, [200, 201, 200, 201, 200]);

    // The served document is the one written: FastAPI's export with the 201.
    let served: Value = reqwest::get(format!("{rust}/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(served["paths"]["/items/{item_id}"]["put"]["responses"]["201"].is_object());
    assert_eq!(served["openapi"], "3.1.0");
}

#[tokio::test]
async fn a_mistyped_field_is_rejected_by_both_and_changes_nothing() {
    let (_fastapi, fastapi) = start_fastapi().await;
    let rust = start_rust().await;
    let bad = Some(json!({"name": "x", "size": "big"}));

    let (fastapi_status, fastapi_body) = put(&fastapi, "foo", bad.clone()).await;
    let (rust_status, rust_body) = put(&rust, "foo", bad).await;

    // Both answer 422 with FastAPI's body, located at the field: the document declares 422
    // (and no 400), and its `HTTPValidationError` is filled from the rejection. The message
    // is each server's own wording.
    assert_eq!(fastapi_status, 422);
    assert_eq!(rust_status, 422, "{rust_body}");
    assert_eq!(fastapi_body["detail"][0]["loc"], json!(["body", "size"]));
    assert_eq!(
        rust_body["detail"][0]["loc"],
        json!(["body", "size"]),
        "{rust_body}"
    );
    assert!(rust_body["detail"][0]["msg"].is_string(), "{rust_body}");
    assert!(rust_body["detail"][0]["type"].is_string(), "{rust_body}");
    // Malformed JSON: 422 with a `detail` list from both.
    for base in [&fastapi, &rust] {
        let response = reqwest::Client::new()
            .put(format!("{base}/items/foo"))
            .header("content-type", "application/json")
            .body("{\"name\": ")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{base}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["detail"][0]["loc"][0], "body", "{base}: {body}");
    }
    // Neither changed foo: the next PUT still finds it (200, not 201).
    assert_eq!(put(&fastapi, "foo", Some(json!({}))).await.0, 200);
    assert_eq!(put(&rust, "foo", Some(json!({}))).await.0, 200);
}

/// A request body as sent: JSON text and its content type.
async fn put_raw(base: &str, id: &str, content_type: &str, body: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .put(format!("{base}/items/{id}"))
        .header("content-type", content_type)
        .body(body.to_owned())
        .send()
        .await
        .expect("PUT");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The `loc` of each entry of a 422's `detail`.
fn locs(body: &Value) -> Vec<Value> {
    body["detail"]
        .as_array()
        .map(|d| d.iter().map(|e| e["loc"].clone()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn invalid_input_gets_the_same_status_and_loc_from_both() {
    let (_fastapi, fastapi) = start_fastapi().await;
    let rust = start_rust().await;
    let json = "application/json";

    // Every status and body shape must match; for a 422, the `loc` entries (`msg`, `type`,
    // `input` and `ctx` are each server's own).
    let same = [
        (json, r#"{"size": "big"}"#),
        (json, r#"{"name": 7}"#),
        (json, r#"{"name": ["x"]}"#),
        (json, r#"{"size": 1.5}"#),
        (json, r#"{"size": {}}"#),
        (json, r#"{"name": "x", "colour": "red"}"#),
    ];
    for (content_type, body) in same {
        let expected = put_raw(&fastapi, "foo", content_type, body).await;
        let actual = put_raw(&rust, "foo", content_type, body).await;
        assert_eq!(
            actual.0, expected.0,
            "{body}: FastAPI {expected:?}, Rust {actual:?}"
        );
        if expected.0 == 422 {
            assert_eq!(
                locs(&actual.1),
                locs(&expected.1),
                "{body}: FastAPI {expected:?}, Rust {actual:?}"
            );
        } else {
            assert_eq!(actual.1, expected.1, "{body}");
        }
    }

    // Differences that stay, each asserted as it is so that a change shows up here.
    let differ: [(&str, &str, u16, u16, &str); 7] = [
        ("text/plain", r#"{"name": "x"}"#, 200, 422,
         "FastAPI reads a body of another media type as no body and nulls both fields; the document declares application/json only, so the Rust server rejects it (the 415, answered as FastAPI's 422)"),
        (json, "[]", 422, 422,
         "a body that is not an object: FastAPI reports each field missing (`[\"body\", \"name\"]`, …), the Rust server the body (`[\"body\"]`)"),
        (json, r#""text""#, 422, 422,
         "as for `[]`"),
        (json, r#"{"size": "5"}"#, 200, 422,
         "pydantic's lax mode reads the string \"5\" as an integer; the schema says integer"),
        (json, r#"{"size": 5.0}"#, 200, 422,
         "pydantic reads 5.0 as the integer 5; the generated check wants an integer literal"),
        (json, r#"{"size": true}"#, 200, 422,
         "pydantic's lax mode reads true as the integer 1"),
        (json, r#"{"name": "#, 422, 422,
         "malformed JSON: FastAPI's loc carries the character offset (`[\"body\", 9]`), the Rust server's only `[\"body\"]`"),
    ];
    for (content_type, body, fastapi_status, rust_status, why) in differ {
        let expected = put_raw(&fastapi, "foo", content_type, body).await;
        let actual = put_raw(&rust, "foo", content_type, body).await;
        assert_eq!(
            (expected.0, actual.0),
            (fastapi_status, rust_status),
            "{body} ({why}): FastAPI {expected:?}, Rust {actual:?}"
        );
    }
}
