//! `Routes::new` (what the server serves) against poem-openapi's own service
//! (`Routes::layered`): the same requests, in the same order, to two apps over equal stores
//! must get the same status, headers and body. Requests are built from parts (methods,
//! paths, queries, headers, bodies) that cover valid and invalid input of every operation,
//! wrong methods, unknown paths and the documents.

use codegen_runtime::serve::{serve_api, Routes};
use items::api;
use items::handlers::ItemHandlers;
use items::store::{self, MemoryStore};
use poem::http::{HeaderMap, Method, StatusCode};
use poem::{Body, Endpoint, Request, Response};

pub fn trials() -> Vec<libtest_mimic::Trial> {
    crate::trials![direct_routes_answer_as_poem_openapi_does]
}

/// One app of each kind, over seeded memory stores.
async fn apps() -> (
    impl Endpoint<Output = Response>,
    impl Endpoint<Output = Response>,
) {
    let seeded = || async {
        let store = MemoryStore::new();
        store::seed(&store).await.expect("seeding");
        store
    };
    let direct = serve_api(api::Api(ItemHandlers::new(seeded().await)), api::DOCUMENT);
    let layered = serve_api(
        Routes::layered(api::service(ItemHandlers::new(seeded().await))),
        api::DOCUMENT,
    );
    (direct, layered)
}

/// A request to send to both apps. `If-Match`/`If-None-Match` may hold `{tag}`, which each
/// app's side replaces with the last `ETag` it answered (versions differ between stores).
#[derive(Debug, Clone)]
struct Sent {
    method: Method,
    target: String,
    headers: Headers,
    body: Option<String>,
}

/// Headers of a request.
type Headers = Vec<(&'static str, String)>;

fn requests() -> Vec<Sent> {
    let long_id = "a".repeat(65);
    let mut targets: Vec<String> = [
        "/items",
        "/items/",
        "/items/foo",
        "/items/bar",
        "/items/new-1",
        "/items/a%20b",
        "/items/%66oo",
        "/items/...",
        "/items/.x",
        "/items/foo/bar",
        "/items?limit=1",
        "/items?limit=0",
        "/items?limit=101",
        "/items?limit=abc",
        "/items?limit=2&cursor=bar",
        "/items?cursor=",
        "/items?cursor=a%00b",
        "/items?limit=1&limit=2",
        "/items?%zz",
        "/items/foo?extra=1",
        "/itemsx",
        "/",
        "/healthz",
        "/readyz",
        "/openapi.json",
        "/nowhere",
    ]
    .map(str::to_owned)
    .into();
    targets.push(format!("/items/{long_id}"));
    let methods = [
        Method::GET,
        Method::HEAD,
        Method::PUT,
        Method::DELETE,
        Method::POST,
        Method::PATCH,
        Method::OPTIONS,
    ];
    let json = || vec![("content-type", "application/json".to_owned())];
    // (headers, body) variants for requests that may carry a body.
    let bodies: Vec<(Headers, Option<String>)> = vec![
        (json(), Some(r#"{"name":"Fighters","size":6}"#.to_owned())),
        (json(), Some(r#"{}"#.to_owned())),
        (json(), Some(r#"{"name":null,"size":null}"#.to_owned())),
        (json(), Some(r#"{"size":-1}"#.to_owned())),
        (json(), Some(r#"{"size":"6"}"#.to_owned())),
        (json(), Some(r#"{"name":"a\u0000b"}"#.to_owned())),
        (json(), Some(r#"{"colour":"red"}"#.to_owned())),
        (json(), Some(r#"{"name":"#.to_owned())),
        (json(), Some("[]".to_owned())),
        (
            vec![("content-type", "text/plain".to_owned())],
            Some("hi".to_owned()),
        ),
        (vec![], Some(r#"{"size":1}"#.to_owned())),
        (json(), Some(format!(r#"{{"name":"{}"}}"#, "n".repeat(101)))),
        (
            json(),
            Some(format!(r#"{{"name":"{}"}}"#, "n".repeat(70_000))),
        ),
    ];
    let conditions: Vec<Headers> = vec![
        vec![],
        vec![("if-match", "*".to_owned())],
        vec![("if-match", "{tag}".to_owned())],
        vec![("if-match", "\"1\"".to_owned())],
        vec![("if-none-match", "*".to_owned())],
        vec![("if-none-match", "{tag}".to_owned())],
        vec![("if-none-match", "x".repeat(1025))],
    ];
    let mut out = Vec::new();
    for target in &targets {
        for method in &methods {
            let carries_body = matches!(*method, Method::PUT | Method::POST | Method::PATCH);
            let variants: Vec<(Headers, Option<String>)> = if carries_body {
                bodies.clone()
            } else {
                vec![(vec![], None)]
            };
            for (headers, body) in variants {
                for condition in &conditions {
                    let mut headers = headers.clone();
                    headers.extend(condition.iter().cloned());
                    out.push(Sent {
                        method: method.clone(),
                        target: target.clone(),
                        headers,
                        body: body.clone(),
                    });
                }
            }
        }
    }
    out
}

/// What is compared of an answer: status, headers but `date`, `etag` (store versions differ)
/// and the request id, which both sides are given, and the body.
#[derive(Debug, PartialEq)]
struct Answer {
    status: StatusCode,
    headers: Vec<(String, String)>,
    body: String,
}

async fn send(
    app: &impl Endpoint<Output = Response>,
    sent: &Sent,
    tag: &mut String,
    n: usize,
) -> Answer {
    let mut request = Request::builder()
        .method(sent.method.clone())
        .uri(sent.target.parse().expect("a valid target"))
        .header("x-request-id", format!("differential-{n}"));
    for (name, value) in &sent.headers {
        request = request.header(*name, value.replace("{tag}", tag));
    }
    let request = match &sent.body {
        Some(body) => request.body(Body::from_string(body.clone())),
        None => request.finish(),
    };
    let response = app.get_response(request).await;
    let status = response.status();
    let headers: &HeaderMap = response.headers();
    if let Some(etag) = headers.get("etag").and_then(|v| v.to_str().ok()) {
        *tag = etag.to_owned();
    }
    let mut kept: Vec<(String, String)> = headers
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "date" | "etag"))
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                value.to_str().unwrap_or("<binary>").to_owned(),
            )
        })
        .collect();
    kept.sort();
    let body = response
        .into_body()
        .into_string()
        .await
        .expect("a text body");
    Answer {
        status,
        headers: kept,
        body,
    }
}

async fn direct_routes_answer_as_poem_openapi_does() {
    let (direct, layered) = apps().await;
    let (mut direct_tag, mut layered_tag) = (String::new(), String::new());
    let requests = requests();
    let mut statuses = std::collections::BTreeSet::new();
    for (n, sent) in requests.iter().enumerate() {
        let a = send(&direct, sent, &mut direct_tag, n).await;
        let b = send(&layered, sent, &mut layered_tag, n).await;
        assert_eq!(a, b, "request {n}: {sent:?}");
        statuses.insert(a.status.as_u16());
    }
    // The requests reach every kind of answer the API gives, so the comparison covers them.
    for status in [200, 201, 204, 304, 400, 404, 405, 412, 413, 415] {
        assert!(
            statuses.contains(&status),
            "no request was answered {status}: {statuses:?}"
        );
    }
    assert!(requests.len() > 1000, "{} requests", requests.len());
}
