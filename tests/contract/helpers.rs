//! Shared by every contract test: a real server on 127.0.0.1 with an ephemeral port, an HTTP
//! client whose every response is checked against items.yaml, the record of which
//! (operation, status) pairs were seen, and a store whose failures can be switched on.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use items::store::{
    self, Delete, Item, ItemStore, MemoryStore, Precondition, StoreError, Stored, Upsert,
};
use poem::{Endpoint, Response};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::spec;

/// The runtime every test's async body runs on.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime")
    })
}

/// Runs an async test body to completion.
pub fn block_on<F: std::future::Future<Output = ()>>(f: F) {
    runtime().block_on(f)
}

/// (operationId, status) pairs answered so far, across all tests.
pub fn observed() -> &'static Mutex<BTreeSet<(String, u16)>> {
    static SEEN: OnceLock<Mutex<BTreeSet<(String, u16)>>> = OnceLock::new();
    SEEN.get_or_init(Default::default)
}

/// A store that fails every call while its switch is on, like a database that went away.
pub struct FaultyStore<S> {
    inner: S,
    down: Arc<AtomicBool>,
}

fn check(down: &AtomicBool) -> Result<(), StoreError> {
    if down.load(Ordering::SeqCst) {
        Err(StoreError {
            reason: "injected fault".into(),
        })
    } else {
        Ok(())
    }
}

impl<S: ItemStore> ItemStore for FaultyStore<S> {
    async fn get(&self, id: &str) -> Result<Option<Stored>, StoreError> {
        check(&self.down)?;
        self.inner.get(id).await
    }
    async fn upsert(
        &self,
        id: &str,
        item: Item,
        when: &Precondition,
    ) -> Result<Upsert, StoreError> {
        check(&self.down)?;
        self.inner.upsert(id, item, when).await
    }
    async fn delete(&self, id: &str, when: &Precondition) -> Result<Delete, StoreError> {
        check(&self.down)?;
        self.inner.delete(id, when).await
    }
    async fn list(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, Item)>, StoreError> {
        check(&self.down)?;
        self.inner.list(after, limit).await
    }
    async fn insert_if_absent(&self, id: &str, item: Item) -> Result<bool, StoreError> {
        check(&self.down)?;
        self.inner.insert_if_absent(id, item).await
    }
}

/// A running server with the seed items, and a checked client for it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The spec every response is checked against.
    pub spec: &'static Value,
    /// The bound address.
    pub addr: std::net::SocketAddr,
    http: reqwest::Client,
    down: Arc<AtomicBool>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The derived document of items.yaml's generated code.
pub fn derived_items() -> Value {
    codegen_testing::derived_document(
        items::api::service(items::handlers::ItemHandlers::new(MemoryStore::new())).spec(),
    )
}

/// The derived document of catalog.yaml's generated code.
pub fn derived_catalog() -> Value {
    codegen_testing::derived_document(
        catalog_example::api::service(catalog_example::Catalog::seeded()).spec(),
    )
}

/// The derived document of pets.yaml's generated code.
pub fn derived_pets() -> Value {
    codegen_testing::derived_document(
        pets_example::api::service(pets_example::Shelter::seeded()).spec(),
    )
}

/// Starts the real app on 127.0.0.1:0 over a seeded memory store.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(MemoryStore::new()).await
}

/// Starts the real app on 127.0.0.1:0 over `store`, seeded, behind a fault switch.
pub async fn spawn_app_with<S: ItemStore>(store: S) -> TestApp {
    let down = Arc::new(AtomicBool::new(false));
    let store = FaultyStore {
        inner: store,
        down: down.clone(),
    };
    store::seed(&store).await.expect("seeding the store");
    let app = items::app::bind("127.0.0.1:0", store)
        .await
        .expect("bind 127.0.0.1:0");
    let addr = app.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.serve(async {
        let _ = stopped.await;
    }));
    TestApp {
        base: format!("http://{addr}"),
        spec: spec::written(),
        addr,
        http: reqwest::Client::new(),
        down,
        stop: Some(stop),
    }
}

/// A checked client for an items server running elsewhere (a spawned `items-server`).
pub fn client_for(base: &str) -> TestApp {
    let addr = base
        .trim_start_matches("http://")
        .parse()
        .expect("a base URL like http://127.0.0.1:PORT");
    TestApp {
        base: base.to_owned(),
        spec: spec::written(),
        addr,
        http: reqwest::Client::new(),
        down: Arc::new(AtomicBool::new(false)),
        stop: None,
    }
}

/// Starts the catalog example (openapi/catalog.yaml) on 127.0.0.1:0.
pub async fn spawn_catalog() -> TestApp {
    spawn_example(catalog_example::routes(), spec::catalog()).await
}

/// Starts the pets example (openapi/pets.yaml) on 127.0.0.1:0.
pub async fn spawn_pets() -> TestApp {
    spawn_example(pets_example::routes(), spec::pets()).await
}

/// Serves an example's routes on 127.0.0.1:0; its responses are checked against `spec`.
async fn spawn_example(
    routes: impl Endpoint<Output = Response> + 'static,
    spec: &'static Value,
) -> TestApp {
    let app = items::app::bind_endpoint("127.0.0.1:0", routes)
        .await
        .expect("bind 127.0.0.1:0");
    let addr = app.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.serve(async {
        let _ = stopped.await;
    }));
    TestApp {
        base: format!("http://{addr}"),
        spec,
        addr,
        http: reqwest::Client::new(),
        down: Arc::new(AtomicBool::new(false)),
        stop: Some(stop),
    }
}

/// A fresh SQLite file in a temporary directory (removed with the returned guard).
pub fn temp_sqlite() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("items.db");
    (dir, path)
}

/// The PostgreSQL server the tests use: `ITEMS_TEST_POSTGRES`, else the local default.
pub fn postgres_admin_url() -> String {
    std::env::var("ITEMS_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// Databases this run created, dropped by [`drop_test_databases`] at the end.
fn created_databases() -> &'static Mutex<Vec<String>> {
    static DBS: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    DBS.get_or_init(Default::default)
}

async fn admin() -> tokio_postgres::Client {
    let url = postgres_admin_url();
    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "PostgreSQL is not reachable at {url} ({e}); start it or set ITEMS_TEST_POSTGRES"
            )
        });
    tokio::spawn(conn);
    client
}

/// Creates an empty database for one test and returns its URL.
pub async fn fresh_postgres() -> String {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let name = format!(
        "items_test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    );
    admin()
        .await
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("CREATE DATABASE");
    created_databases()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(name.clone());
    let admin_url = postgres_admin_url();
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url.as_str(), |(b, _)| b);
    format!("{base}/{name}")
}

/// Drops every database [`fresh_postgres`] created.
pub fn drop_test_databases() {
    let names = std::mem::take(
        &mut *created_databases()
            .lock()
            .unwrap_or_else(|e| e.into_inner()),
    );
    if names.is_empty() {
        return;
    }
    runtime().block_on(async {
        let admin = admin().await;
        for name in names {
            if let Err(e) = admin
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
            {
                eprintln!("could not drop test database {name}: {e}");
            }
        }
    });
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
    /// Body as text (lossy).
    pub text: String,
    /// Body as it came.
    pub bytes: Vec<u8>,
}

impl Checked {
    /// The value of header `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl TestApp {
    /// Makes the store fail (true) or work (false).
    pub fn set_store_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    /// Sends a request; the response is checked against items.yaml and recorded.
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

    /// Sends a request with extra headers; the response is checked and recorded like `send`'s.
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
        record(self.spec, method, path, status, &headers, &bytes)
    }

    /// The document served at `/openapi.json`.
    pub async fn served_document(&self) -> Value {
        reqwest::get(format!("{}/openapi.json", self.base))
            .await
            .expect("GET /openapi.json")
            .json()
            .await
            .expect("/openapi.json is JSON")
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Checked {
        self.send("GET", path, None, None).await
    }

    /// `PUT path` with a JSON body.
    pub async fn put_json(&self, path: &str, body: Value) -> Checked {
        self.send(
            "PUT",
            path,
            Some("application/json"),
            Some(body.to_string().into_bytes()),
        )
        .await
    }

    /// `PUT path` with a JSON body and extra headers (`If-Match`, …).
    pub async fn put_json_with(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        body: Value,
    ) -> Checked {
        let mut all = vec![("content-type", "application/json")];
        all.extend_from_slice(headers);
        self.send_with("PUT", path, &all, Some(body.to_string().into_bytes()))
            .await
    }

    /// `DELETE path`.
    pub async fn delete(&self, path: &str) -> Checked {
        self.send("DELETE", path, None, None).await
    }

    /// Every item, by walking all pages: the store's full state as the API shows it.
    pub async fn all_items(&self) -> Vec<Value> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/items?limit=100&cursor={c}"),
                None => "/items?limit=100".to_owned(),
            };
            let page = self.get(&path).await;
            assert_eq!(page.status, 200, "{page:?}");
            items.extend(page.json["items"].as_array().cloned().unwrap_or_default());
            match page.json["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => return items,
            }
        }
    }

    /// Sends raw bytes over a new connection and returns the status and body; used for
    /// requests a client library will not send (a chunked body without Content-Length).
    pub async fn raw(&self, method: &str, path: &str, request: &[u8]) -> Checked {
        self.raw_exchange(method, path, request, true).await
    }

    /// Sends only a request head (its body never comes) and reads the first response in
    /// full: the server must answer without waiting for the body. `text` keeps everything
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
        let read = tokio::time::timeout(std::time::Duration::from_secs(10), async {
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
        let mut checked = record(self.spec, method, path, status, &headers, body.as_bytes());
        checked.text = full;
        checked
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

fn record(
    spec: &Value,
    method: &str,
    path: &str,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
) -> Checked {
    let observed = spec::Observed {
        method,
        path,
        status,
        headers,
        body,
    };
    match spec::check_response(spec, &observed) {
        Ok(Some(op)) => {
            observed_pairs_insert(op, status);
        }
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

fn observed_pairs_insert(op: String, status: u16) {
    observed()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert((op, status));
}
