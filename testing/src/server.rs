//! A generated server under test: served on 127.0.0.1 with an ephemeral port over real HTTP,
//! with a client whose every response is checked against the spec and recorded, so a suite
//! can tell which of the responses the spec declares it never saw ([`Coverage::missing`]).

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use poem::{Endpoint, Response};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::responses::{check_response, check_response_default_mode, Observed};

/// The (operationId, status) pairs a suite's responses answered. Clones share one record,
/// so several servers of one suite can add to it.
#[derive(Clone, Debug, Default)]
pub struct Coverage(Arc<Mutex<BTreeSet<(String, u16)>>>);

impl Coverage {
    /// Notes that `operation` answered `status`.
    pub fn record(&self, operation: &str, status: u16) {
        self.pairs().insert((operation.to_owned(), status));
    }

    /// Every pair recorded so far.
    pub fn observed(&self) -> BTreeSet<(String, u16)> {
        self.pairs().clone()
    }

    /// The responses `spec` declares that no recorded answer used, as `operationId key`
    /// (`key` a status, a range such as `4XX`, or `default`): an answer uses the most specific
    /// key that covers it, as the response checker reads it. Empty when every declared
    /// response was seen.
    pub fn missing(&self, spec: &Value) -> Vec<String> {
        let observed = self.observed();
        let mut missing = Vec::new();
        for op in operations(spec) {
            let id = op["operationId"].as_str().unwrap_or_default();
            let responses = &op["responses"];
            for key in responses.as_object().into_iter().flat_map(|r| r.keys()) {
                let used = observed
                    .iter()
                    .any(|(o, status)| o == id && response_key(responses, *status) == key);
                if !used {
                    missing.push(format!("{id} {key}"));
                }
            }
        }
        missing
    }

    fn pairs(&self) -> std::sync::MutexGuard<'_, BTreeSet<(String, u16)>> {
        // A test that panicked while holding the lock recorded nothing half-way.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The operation objects of `spec`.
fn operations(spec: &Value) -> impl Iterator<Item = &Value> {
    spec["paths"]
        .as_object()
        .into_iter()
        .flat_map(|paths| paths.values())
        .flat_map(|item| item.as_object().into_iter().flat_map(|m| m.values()))
        .filter(|op| op.get("responses").is_some())
}

/// The key of `responses` that answers `status`: the code, else its range, else `default`.
fn response_key(responses: &Value, status: u16) -> &str {
    [status.to_string(), format!("{}XX", status / 100)]
        .into_iter()
        .find_map(|k| {
            responses
                .as_object()?
                .get_key_value(&k)
                .map(|(k, _)| k.as_str())
        })
        .unwrap_or("default")
}

/// A response that passed the spec check.
#[derive(Debug)]
pub struct Checked {
    /// Status code.
    pub status: u16,
    /// Headers, names lower-case.
    pub headers: Vec<(String, String)>,
    /// Body parsed as JSON (`Null` if empty or not JSON).
    pub json: Value,
    /// Body as text (lossy); for [`TestServer::raw`], everything read, interim responses too.
    pub text: String,
    /// Body as it came.
    pub bytes: Vec<u8>,
}

impl Checked {
    /// The value of header `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A server under test and a client for it whose every response is checked against the
/// spec (a response the spec does not allow panics, naming what broke) and recorded in its
/// [`Coverage`]. Dropping it stops a server it started.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The bound address.
    pub addr: SocketAddr,
    spec: Arc<Value>,
    http: reqwest::Client,
    coverage: Coverage,
    /// Whether the server was generated in default mode (see [`Self::default_mode`]).
    default_mode: bool,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl TestServer {
    /// Serves `endpoint` (a generated API's routes, e.g. `codegen_runtime::serve::serve_api`)
    /// on 127.0.0.1 with a free port, on the current tokio runtime; its responses are checked
    /// against `spec` (the spec as JSON, see [`crate::written_document`]).
    pub async fn start(
        endpoint: impl Endpoint<Output = Response> + 'static,
        spec: Arc<Value>,
    ) -> Self {
        let app = codegen_runtime::serve::bind_endpoint("127.0.0.1:0", endpoint)
            .await
            .expect("bind 127.0.0.1:0");
        let addr = app.local_addr();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(app.serve(async {
            let _ = stopped.await;
        }));
        let mut server = Self::connect(&format!("http://{addr}"), spec);
        server.stop = Some(stop);
        server
    }

    /// A checked client for a server that is already running at `base`
    /// (`http://127.0.0.1:PORT`), such as a spawned process.
    pub fn connect(base: &str, spec: Arc<Value>) -> Self {
        let addr = base
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .expect("a base URL like http://127.0.0.1:PORT");
        Self {
            base: base.trim_end_matches('/').to_owned(),
            addr,
            spec,
            // A redirect is checked as the answer it is, not followed.
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("a client without TLS builds"),
            coverage: Coverage::default(),
            default_mode: false,
            stop: None,
        }
    }

    /// Records this server's answers into `coverage` (shared with other servers of a suite)
    /// instead of a record of its own.
    pub fn recording_into(mut self, coverage: Coverage) -> Self {
        self.coverage = coverage;
        self
    }

    /// Checks answers as the generator's default (not strict) mode makes the server give
    /// them: a 400, 401, 413 or 415 the operation does not declare is the server's own
    /// answer to a request it rejected before the handler, and must be RFC 9457 problem
    /// details. Without this every status must be declared, as in strict mode.
    pub fn default_mode(mut self) -> Self {
        self.default_mode = true;
        self
    }

    /// What this server's answers covered so far.
    pub fn coverage(&self) -> &Coverage {
        &self.coverage
    }

    /// The spec responses are checked against.
    pub fn spec(&self) -> &Value {
        &self.spec
    }

    /// Sends `method path` with an optional `Content-Type` and body; the response is checked
    /// and recorded.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Checked {
        let headers: Vec<(&str, &str)> = content_type
            .map(|ct| ("content-type", ct))
            .into_iter()
            .collect();
        self.send_with(method, path, &headers, body).await
    }

    /// Sends a request with the given headers; checked and recorded like [`Self::send`]'s.
    pub async fn send_with(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Checked {
        let mut req = self.http.request(
            method.parse().expect("an HTTP method"),
            format!("{}{path}", self.base),
        );
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        if let Some(body) = body {
            req = req.body(body);
        }
        let resp = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = resp.status().as_u16();
        let headers: Vec<(String, String)> = resp
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    v.to_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        let bytes = resp.bytes().await.expect("a response body");
        self.record(method, path, status, &headers, &bytes)
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Checked {
        self.send("GET", path, None, None).await
    }

    /// `DELETE path`.
    pub async fn delete(&self, path: &str) -> Checked {
        self.send("DELETE", path, None, None).await
    }

    /// `method path` with `body` as JSON.
    pub async fn json(&self, method: &str, path: &str, body: &Value) -> Checked {
        self.json_with(method, path, &[], body).await
    }

    /// `method path` with `body` as JSON and extra headers (`Authorization`, `If-Match`, …).
    pub async fn json_with(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &Value,
    ) -> Checked {
        let mut all = vec![("content-type", "application/json")];
        all.extend_from_slice(headers);
        self.send_with(method, path, &all, Some(body.to_string().into_bytes()))
            .await
    }

    /// The document served at `/openapi.json` (not checked: it is no operation).
    pub async fn served_document(&self) -> Value {
        serde_json::from_str(&self.served("/openapi.json").await).expect("/openapi.json is JSON")
    }

    /// The text of `GET path` for what the spec does not describe and so cannot be checked
    /// against it (`/openapi.yaml`, `/docs`); panics unless the answer is a 200.
    pub async fn served(&self, path: &str) -> String {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        assert_eq!(resp.status(), 200, "GET {path}");
        resp.text().await.expect("a text body")
    }

    /// Sends raw bytes over a new connection and reads until the server closes it: for
    /// requests a client library will not send (a chunked body without Content-Length, a
    /// malformed head). The request should say `Connection: close`.
    pub async fn raw(&self, method: &str, path: &str, request: &[u8]) -> Checked {
        self.raw_exchange(method, path, request, true).await
    }

    /// Sends only a request head (its body never comes) and reads the first final response
    /// in full: the server must answer without waiting for the body. `text` keeps everything
    /// read, so an interim `100 Continue` would show.
    pub async fn raw_head(&self, method: &str, path: &str, head: &[u8]) -> Checked {
        self.raw_exchange(method, path, head, false).await
    }

    async fn raw_exchange(&self, method: &str, path: &str, request: &[u8], whole: bool) -> Checked {
        let mut conn = tokio::net::TcpStream::connect(self.addr)
            .await
            .expect("connect");
        conn.write_all(request).await.expect("write request");
        let mut buf = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(10), async {
            if whole {
                conn.read_to_end(&mut buf).await.map(|_| ())
            } else {
                // Until the final response's body is in (the server closes the connection
                // after an early answer, or Content-Length says when it is complete).
                let mut chunk = [0u8; 4096];
                loop {
                    let n = conn.read(&mut chunk).await?;
                    buf.extend_from_slice(&chunk[..n]);
                    if n == 0 || response_complete(&buf) {
                        return Ok(());
                    }
                }
            }
        });
        read.await
            .expect("the server answers within 10 s")
            .expect("read response");
        let full = String::from_utf8_lossy(&buf).into_owned();
        // Skip interim 1xx responses for the status, but keep them in `text`.
        let text = full
            .split("\r\n\r\n")
            .skip_while(|part| part.starts_with("HTTP/1.1 1"))
            .collect::<Vec<_>>()
            .join("\r\n\r\n");
        let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP response");
        let mut lines = head.lines();
        let status: u16 = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .expect("a status line");
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_lowercase(), v.trim().to_owned()))
            .collect();
        let mut checked = self.record(method, path, status, &headers, body.as_bytes());
        checked.text = full;
        checked
    }

    /// Checks a response against the spec (panicking with what broke) and records it.
    fn record(
        &self,
        method: &str,
        path: &str,
        status: u16,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Checked {
        let observed = Observed {
            method,
            path,
            status,
            headers,
            body,
        };
        let checked = if self.default_mode {
            check_response_default_mode(&self.spec, &observed)
        } else {
            check_response(&self.spec, &observed)
        };
        match checked {
            Ok(Some(op)) => self.coverage.record(&op, status),
            Ok(None) => {}
            Err(e) => panic!("response breaks the contract: {e}"),
        }
        let json = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(body).unwrap_or(Value::Null)
        };
        Checked {
            status,
            headers: headers.to_vec(),
            json,
            text: String::from_utf8_lossy(body).into_owned(),
            bytes: body.to_vec(),
        }
    }
}

/// Whether `buf` holds a final (non-1xx) response with all of its `Content-Length` body.
fn response_complete(buf: &[u8]) -> bool {
    let text = String::from_utf8_lossy(buf);
    let mut rest = text.as_ref();
    while let Some((head, body)) = rest.split_once("\r\n\r\n") {
        if head.starts_with("HTTP/1.1 1") {
            rest = body;
            continue;
        }
        let length = head
            .lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(n, _)| n.trim().eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.trim().parse::<usize>().ok())
            .unwrap_or(0);
        return body.len() >= length;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `GET /a`, which declares only a 200, answered with a 400 in problem details (a
    /// request rejected before the handler), and `GET /moved` with a redirect.
    async fn server() -> TestServer {
        let spec = serde_json::json!({"paths": {
            "/a": {"get": {"operationId": "getA", "responses": {"200": {"description": "A."}}}},
            "/moved": {"get": {"operationId": "moved", "responses": {"307": {"description": "There."}}}},
        }});
        let routes = poem::Route::new()
            .at(
                "/a",
                poem::get(poem::endpoint::make_sync(|_| {
                    Response::builder()
                        .status(poem::http::StatusCode::BAD_REQUEST)
                        .content_type("application/problem+json")
                        .body(r#"{"type":"about:blank","title":"Bad Request","status":400,"detail":"x"}"#)
                })),
            )
            .at(
                "/moved",
                poem::get(poem::endpoint::make_sync(|_| {
                    Response::builder()
                        .status(poem::http::StatusCode::TEMPORARY_REDIRECT)
                        .header("location", "/a")
                        .finish()
                })),
            );
        TestServer::start(routes, Arc::new(spec)).await
    }

    #[tokio::test]
    async fn default_mode_allows_an_undeclared_rejection_in_problem_details() {
        let app = server().await.default_mode();
        assert_eq!(app.get("/a").await.status, 400);
        assert_eq!(
            app.coverage().missing(app.spec()),
            ["getA 200", "moved 307"]
        );
    }

    #[tokio::test]
    #[should_panic(expected = "response breaks the contract")]
    async fn strict_checking_refuses_an_undeclared_status() {
        server().await.get("/a").await;
    }

    #[tokio::test]
    async fn a_redirect_is_checked_as_sent_not_followed() {
        let moved = server().await.get("/moved").await;
        assert_eq!((moved.status, moved.header("location")), (307, Some("/a")));
    }

    #[test]
    fn an_answer_covers_its_code_else_its_range_else_default() {
        let spec: Value = serde_json::json!({"paths": {"/a": {"get": {"operationId": "getA",
            "responses": {"200": {}, "4XX": {}, "404": {}, "default": {}}}}}});
        let coverage = Coverage::default();
        coverage.record("getA", 200);
        coverage.record("getA", 400);
        assert_eq!(coverage.missing(&spec), ["getA 404", "getA default"]);
        coverage.record("getA", 404);
        coverage.record("getA", 503);
        assert_eq!(coverage.missing(&spec), Vec::<String>::new());
        coverage.record("other", 200);
        assert_eq!(coverage.observed().len(), 5);
    }
}
