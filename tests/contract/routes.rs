//! `Routes::new` (what the server serves) against poem-openapi's own service
//! (`Routes::layered`): the same requests, in the same order, to two apps over equal stores
//! must get the same status, headers and body. Requests are built from parts (methods,
//! paths, queries, headers, bodies) that cover valid and invalid input of every operation,
//! wrong methods, unknown paths and the documents.

use codegen_runtime::serve::{serve_api, Routes};
use codegen_testing::{Answer, Sent};
use items::api;
use items::handlers::ItemHandlers;
use items::store::{self, MemoryStore};
use poem::http::Method;
use poem::{Endpoint, Response};

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

/// Headers of a request.
type Headers = Vec<(String, String)>;

fn header(name: &str, value: &str) -> Headers {
    vec![(name.to_owned(), value.to_owned())]
}

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
    let json = || header("content-type", "application/json");
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
        (header("content-type", "text/plain"), Some("hi".to_owned())),
        (vec![], Some(r#"{"size":1}"#.to_owned())),
        (json(), Some(format!(r#"{{"name":"{}"}}"#, "n".repeat(101)))),
        (
            json(),
            Some(format!(r#"{{"name":"{}"}}"#, "n".repeat(70_000))),
        ),
    ];
    let conditions: Vec<Headers> = vec![
        vec![],
        header("if-match", "*"),
        header("if-match", "{tag}"),
        header("if-match", "\"1\""),
        header("if-none-match", "*"),
        header("if-none-match", "{tag}"),
        header("if-none-match", &"x".repeat(1025)),
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

/// Sends `sent` to `app`, with `{tag}` in its headers replaced by the last `ETag` this app
/// answered (versions differ between the two stores), and keeps the new one.
async fn send(
    app: &impl Endpoint<Output = Response>,
    sent: &Sent,
    tag: &mut String,
    n: usize,
) -> Answer {
    let mut sent = sent.clone();
    for (_, value) in &mut sent.headers {
        *value = value.replace("{tag}", tag);
    }
    let response = app
        .get_response(sent.request(&format!("differential-{n}")))
        .await;
    if let Some(etag) = response.headers().get("etag").and_then(|v| v.to_str().ok()) {
        *tag = etag.to_owned();
    }
    // `etag`: store versions differ; the request id is given, so it is compared.
    Answer::of(response, &["date", "etag"]).await
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
        statuses.insert(a.status);
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
