//! Serving a generated API: the operations, the spec as written (`/openapi.json`,
//! `/openapi.yaml`) and the offline docs page (`/docs`), one problem+json error format for
//! whatever went wrong, request ids and an access log, request metrics, and the connection
//! limits of [`Limits`], bound to a socket. Feature `serve`.
//!
//! Errors that never reach an operation (unknown route, wrong method, a body over the limit)
//! are answered by [`problem_response`] in the RFC 9457 shape, so a client sees one error
//! format whatever went wrong.

mod connections;
mod methods;
pub mod metrics;
mod routes;
mod server;

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use poem::endpoint::make_sync;
use poem::http::{header, Method, StatusCode};
use poem::listener::{Acceptor, Listener, TcpAcceptor, TcpListener};
use poem::{get, Body, Endpoint, IntoResponse, Request, Response, Route};
use poem_openapi::OpenApiService;
use tracing::Instrument;

pub use connections::{Guarded, Limits};
use methods::{Allowed, Methods};
pub use routes::Routes;

/// The media type of every error body.
pub const PROBLEM_MEDIA_TYPE: &str = "application/problem+json";

/// Largest request body accepted: 64 KiB.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A generated API's routes plus `/openapi.json`, `/openapi.yaml` and the offline docs page
/// at `/docs`, behind the body limit and the problem+json error format. The documents are
/// `document`, the spec as written (the generated `DOCUMENT`): a YAML spec is served as YAML
/// byte for byte, comments included, and as JSON with its key order kept; a JSON spec the
/// other way round.
pub fn serve_api(
    routes: impl Into<Routes>,
    document: &'static str,
) -> impl Endpoint<Output = Response> {
    let (json, yaml) = documents(document);
    let parsed: serde_json::Value = serde_json::from_str(&json).expect("documents() writes JSON");
    // Shared, not copied, by every response that serves them.
    let (json, yaml) = (Bytes::from(json), Bytes::from(yaml));
    let page = DocsPage::new(json.clone());
    let docs = Route::new()
        .at(
            "/openapi.json",
            get(make_sync(move |_| {
                Response::builder()
                    .content_type("application/json")
                    .body(Body::from_bytes(json.clone()))
            })),
        )
        .at(
            "/openapi.yaml",
            get(make_sync(move |_| {
                Response::builder()
                    .content_type("application/x-yaml")
                    .header("Content-Disposition", "inline; filename=\"spec.yaml\"")
                    .body(Body::from_bytes(yaml.clone()))
            })),
        )
        .at("/docs", get(page.clone()))
        .at("/docs/", get(page));

    let methods = Methods::from_document(&parsed);
    // `GET /` says where the documents are, unless the spec has a `/` of its own.
    let root = methods.allow("/").is_none().then(|| {
        serde_json::json!({
            "title": parsed["info"]["title"],
            "version": parsed["info"]["version"],
            "docs": "/docs",
            "openapi": "/openapi.json",
            "openapi_yaml": "/openapi.yaml",
        })
        .to_string()
    });
    let root_links = root.is_some();
    let docs = match root {
        Some(root) => docs.at(
            "/",
            get(make_sync(move |_| {
                Response::builder()
                    .content_type("application/json")
                    .body(root.clone())
            })),
        ),
        None => docs,
    };
    Dispatch {
        api: routes.into(),
        docs,
        methods,
        docs_allowed: Allowed {
            header: "GET, HEAD, OPTIONS".to_owned(),
            options_declared: false,
        },
        root_links,
    }
}

/// The offline docs page: poem-openapi's Swagger UI, which inlines its script, stylesheet and
/// the document (nothing is fetched from the internet), showing the written document. Built
/// on the first request: its 1.5 MB stay out of a server's memory until someone reads the
/// docs, and are then shared by every response.
#[derive(Clone)]
struct DocsPage {
    json: Bytes,
    page: std::sync::Arc<std::sync::OnceLock<Bytes>>,
}

impl DocsPage {
    fn new(json: Bytes) -> Self {
        Self {
            json,
            page: Default::default(),
        }
    }

    /// poem-openapi writes the page around the document it derives; any service's page is
    /// the same but for that document, so an empty one's is built and the written one put in.
    fn build(&self) -> Bytes {
        let empty = OpenApiService::new((), "", "");
        let written = String::from_utf8_lossy(&self.json);
        Bytes::from(empty.swagger_ui_html().replace(&empty.spec(), &written))
    }
}

impl Endpoint for DocsPage {
    type Output = Response;

    async fn call(&self, _: Request) -> poem::Result<Response> {
        let page = self.page.get_or_init(|| self.build()).clone();
        Ok(Response::builder()
            .content_type("text/html; charset=utf-8")
            .body(Body::from_bytes(page)))
    }
}

/// The document as JSON and as YAML. serde_yaml's `Value` keeps mappings in document order,
/// so the converted form has the keys in the order the spec writes them. The generator has
/// parsed the same text, so it parses here.
pub fn documents(document: &str) -> (String, String) {
    if document
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{')
    {
        let value: serde_yaml::Value =
            serde_json::from_str(document).expect("the generator parsed this JSON");
        let yaml = serde_yaml::to_string(&value).expect("a parsed value serializes");
        (document.to_owned(), yaml)
    } else {
        let value: serde_yaml::Value =
            serde_yaml::from_str(document).expect("the generator parsed this YAML");
        let json = serde_json::to_string_pretty(&value).expect("an OpenAPI document is JSON");
        (json, document.to_owned())
    }
}

/// The top of the app, in one endpoint rather than a stack of poem layers (a `Route` nesting
/// the API, an `around` for the body limit, a `catch_all_error`): every layer moves the whole
/// request into another future, which the profile showed as a tenth of the server's time.
struct Dispatch<D> {
    /// The operations ([`Routes`]).
    api: Routes,
    docs: D,
    methods: Methods,
    /// The documents and the docs page are read-only.
    docs_allowed: Allowed,
    /// Whether `GET /` is ours (the links), the spec having no `/`.
    root_links: bool,
}

impl<D: Endpoint> Endpoint for Dispatch<D> {
    type Output = Response;

    /// Serves one request under its request id: the client's `X-Request-Id` when usable,
    /// else a new one; it is echoed, set as the `instance` of problem bodies, carried by every
    /// log line of the request, and ends in one access-log line.
    async fn call(&self, req: Request) -> poem::Result<Response> {
        let started = std::time::Instant::now();
        let metrics = metrics::recording().then(metrics::metrics);
        let in_flight = metrics.map(|m| m.start());
        // The id as a header is made once: the client's is shared, not copied.
        let (id, echoed) = match req
            .headers()
            .get(&REQUEST_ID)
            .filter(|v| v.to_str().is_ok_and(crate::valid_request_id))
        {
            Some(given) => (given.to_str().unwrap_or_default().to_owned(), given.clone()),
            None => {
                let id = new_request_id();
                let echoed = header::HeaderValue::from_str(&id).expect("hex digits and a dash");
                (id, echoed)
            }
        };
        let span = tracing::info_span!("request", id = %id);
        // The access log's method and path, kept only when it is on (asked inside the span: a
        // filter may enable the line only there, as `ITEMS_LOG='[request]=info'` does).
        let logged = span
            .in_scope(|| tracing::enabled!(target: "access", tracing::Level::INFO))
            .then(|| (req.method().clone(), req.uri().clone()));
        // Boxed, so the two layers around it move a pointer, not the request's whole state.
        let route: Pin<Box<dyn Future<Output = Response> + Send + '_>> = Box::pin(self.route(req));
        // The operation is noted by generated endpoints, read before the request's scope ends.
        let route_noted = async { (route.await, crate::request_id::current_operation()) };
        let (mut response, noted) = crate::with_request_id(id, route_noted)
            .instrument(span.clone())
            .await;
        // Or marked on the response, by poem-openapi's own endpoints.
        let operation =
            noted.or_else(|| response.data::<poem_openapi::OperationId>().map(|id| id.0));
        let took = started.elapsed();
        if let Some(metrics) = metrics {
            metrics.request(operation.unwrap_or("none"), response.status(), took);
        }
        drop(in_flight);
        if let Some((method, uri)) = logged {
            span.in_scope(|| {
                tracing::info!(
                    target: "access",
                    method = %method,
                    path = %uri.path(),
                    operation = %operation.unwrap_or("-"),
                    status = response.status().as_u16(),
                    micros = took.as_micros() as u64,
                )
            });
        }
        response.headers_mut().insert(REQUEST_ID, echoed);
        Ok(response)
    }
}

/// The header a request id travels in, both ways. A `HeaderName`, not a `&str`, which every
/// lookup and insert would parse again.
const REQUEST_ID: header::HeaderName = header::HeaderName::from_static("x-request-id");

/// A request id unique to this process run: a random prefix chosen at start and a counter
/// (`3f9c0a1b2d4e-1a`), so no request pays for randomness or a system call. Written digit by
/// digit: `format!` cost a tenth of the instructions Dispatch adds to a request.
fn new_request_id() -> String {
    static PREFIX: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| uuid::Uuid::new_v4().simple().to_string()[..12].to_owned());
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    request_id(&PREFIX, n)
}

/// `{prefix}-{n:x}`.
fn request_id(prefix: &str, n: u64) -> String {
    let digits = (16 - n.leading_zeros() as usize / 4).max(1);
    let mut id = String::with_capacity(prefix.len() + 1 + digits);
    id.push_str(prefix);
    id.push('-');
    for at in (0..digits).rev() {
        let digit = ((n >> (4 * at)) & 0xf) as u32;
        id.push(char::from_digit(digit, 16).expect("a hex digit"));
    }
    id
}

/// Longest request target served (path and query); longer is 414. hyper refuses far longer
/// ones itself, with an empty body; below its limit the answer is problem details.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Largest total of header names and values; more is 431 (hyper's own limit, about 400 KiB
/// of buffered head, answers with an empty body).
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

impl<D: Endpoint> Dispatch<D> {
    async fn route(&self, mut req: Request) -> Response {
        let uri_bytes = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
        if uri_bytes > MAX_URI_BYTES {
            return problem_response(poem::Error::from_string(
                format!(
                    "the request target is {uri_bytes} bytes; at most {MAX_URI_BYTES} are served"
                ),
                StatusCode::URI_TOO_LONG,
            ));
        }
        let header_bytes: usize = req
            .headers()
            .iter()
            .map(|(n, v)| n.as_str().len() + v.len())
            .sum();
        if header_bytes > MAX_HEADER_BYTES {
            return problem_response(poem::Error::from_string(
                format!(
                    "the headers are {header_bytes} bytes; at most {MAX_HEADER_BYTES} are served"
                ),
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ));
        }
        let path = req.uri().path();
        let is_docs = (path == "/" && self.root_links)
            || path == "/openapi.json"
            || path == "/openapi.yaml"
            || path == "/docs"
            || path.starts_with("/docs/");
        // What the path allows is only looked up when it is needed: for OPTIONS and a 405.
        let allowed = |path: &str| {
            if is_docs {
                Some(&self.docs_allowed)
            } else {
                self.methods.allow(path)
            }
        };
        if req.method() == Method::OPTIONS {
            if let Some(allowed) = allowed(path).filter(|a| !a.options_declared) {
                return Response::builder()
                    .status(StatusCode::NO_CONTENT)
                    .header(header::ALLOW, allowed.header.as_str())
                    .finish();
            }
        }
        // A `Uri` clone shares its bytes: the path stays readable after `req` moves.
        let uri = req.uri().clone();
        // Every future awaited here is boxed. An async fn's future holds room for the largest
        // future it may await, whether awaited or not, and each layer above (poem's server
        // wrapped this in three) moves it: reading a body takes 4 KiB, the docs 2 KiB, which
        // every GET copied several times over (callgrind: 71k instructions a GET, half of
        // them `memcpy`; 35k with these boxed).
        let result = async {
            if is_docs {
                return Box::pin(self.docs.call(req))
                    .await
                    .map(IntoResponse::into_response);
            }
            if takes_body(req.method()) {
                Box::pin(limit_body(&mut req)).await?;
            }
            self.api.call(req).await
        }
        .await;
        match result {
            Ok(response) => response,
            Err(err) => {
                let method_not_allowed = err.status() == StatusCode::METHOD_NOT_ALLOWED;
                let too_large = err.status() == StatusCode::PAYLOAD_TOO_LARGE;
                let mut response = problem_response(err);
                if too_large {
                    // The rest of the body may still be on its way: the connection is not
                    // reused, and the client is told so.
                    response.headers_mut().insert(
                        header::CONNECTION,
                        header::HeaderValue::from_static("close"),
                    );
                }
                if let Some(allowed) = allowed(uri.path()).filter(|_| method_not_allowed) {
                    let value = allowed
                        .header
                        .parse()
                        .expect("method names are header-safe");
                    response.headers_mut().insert(header::ALLOW, value);
                }
                response
            }
        }
    }
}

/// Whether requests of `method` carry a body the operations read: PUT, POST and PATCH.
/// Other methods take no body, so theirs is never read.
fn takes_body(method: &Method) -> bool {
    matches!(*method, Method::PUT | Method::POST | Method::PATCH)
}

/// Reads at most [`MAX_BODY_BYTES`] of the body, with or without `Content-Length`; more is
/// 413, which every operation with a body declares. (poem's `SizeLimit` would instead answer
/// 411 to every request without `Content-Length`.)
async fn limit_body(req: &mut Request) -> poem::Result<()> {
    // A declared length over the limit is refused before the body is first read, so the
    // client gets no `100 Continue` and the connection does not wait for bytes it will
    // never be allowed to send.
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(poem::Error::from_status(StatusCode::PAYLOAD_TOO_LARGE));
    }
    let body = req.take_body().into_bytes_limit(MAX_BODY_BYTES).await?;
    req.set_body(body);
    Ok(())
}

/// Any error that escaped the operations, as problem details with its own status: `type`,
/// `title`, `status`, `detail`, the request id as `instance`, and the located `errors` of a
/// rejected request (see [`crate::Rejection`]).
pub fn problem_response(err: poem::Error) -> Response {
    let status = err.status();
    if status.is_server_error() {
        tracing::error!(error = %err, "request failed");
    }
    let rejection = crate::Rejection::from(&err);
    let mut body = serde_json::json!({
        "type": "about:blank",
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "detail": rejection.detail(&err),
    });
    if let Some(id) = crate::current_request_id() {
        body["instance"] = id.into();
    }
    let located = rejection.errors.iter().all(|e| e.location != "request");
    if located && !rejection.errors.is_empty() {
        body["errors"] = rejection.errors_json();
    }
    Response::builder()
        .status(status)
        .content_type(PROBLEM_MEDIA_TYPE)
        .body(body.to_string())
}

/// A bound server, not yet serving: tests bind to port 0 and read the port from here.
pub struct App<E> {
    acceptor: Guarded<TcpAcceptor>,
    endpoint: E,
}

/// Binds `addr` and prepares to serve `endpoint`, with the default [`Limits`].
pub async fn bind_endpoint<E: Endpoint<Output = Response>>(
    addr: &str,
    endpoint: E,
) -> std::io::Result<App<E>> {
    bind_endpoint_with(addr, endpoint, Limits::default()).await
}

/// Binds `addr` and prepares to serve `endpoint` under `limits`.
pub async fn bind_endpoint_with<E: Endpoint<Output = Response>>(
    addr: &str,
    endpoint: E,
    limits: Limits,
) -> std::io::Result<App<E>> {
    let acceptor = TcpListener::bind(addr.to_owned()).into_acceptor().await?;
    Ok(App {
        acceptor: Guarded::new(acceptor, limits),
        endpoint,
    })
}

/// The whole `main` of an example server: serves `endpoint` on `ITEMS_LISTEN` (else
/// `default_addr`) until Ctrl-C, logging to stderr as `name`. A bind or serve failure is a
/// message and a failing exit code, not a panic.
pub async fn serve_example<E: Endpoint<Output = Response> + 'static>(
    name: &str,
    default_addr: &str,
    endpoint: E,
) -> std::process::ExitCode {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .try_init();
    let addr = std::env::var("ITEMS_LISTEN").unwrap_or_else(|_| default_addr.to_owned());
    let app = match bind_endpoint(&addr, endpoint).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("{name}: cannot listen on {addr}: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    tracing::info!(
        "{name} listening on http://{} (docs at /docs)",
        app.local_addr()
    );
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    match app.serve(stop).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

impl<E: Endpoint<Output = Response> + 'static> App<E> {
    /// The address the server listens on (with the real port when bound to port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.acceptor
            .local_addr()
            .into_iter()
            .find_map(|a| a.as_socket_addr().copied())
            .expect("a TCP acceptor has a socket address")
    }

    /// Serves until `shutdown` completes, then lets requests in flight finish (up to 10 s).
    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        server::run(
            self.acceptor,
            self.endpoint,
            shutdown,
            Duration::from_secs(10),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_the_prefix_and_the_counter_in_hex() {
        for n in [0, 1, 9, 10, 15, 16, 255, 256, 0xdead_beef, u64::MAX] {
            assert_eq!(request_id("3f9c0a1b2d4e", n), format!("3f9c0a1b2d4e-{n:x}"));
        }
        let (a, b) = (new_request_id(), new_request_id());
        assert_ne!(a, b);
        assert!(crate::valid_request_id(&a), "{a}");
    }
}
