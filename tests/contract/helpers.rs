//! Shared by every contract test: the items server on 127.0.0.1 with an ephemeral port and a
//! client whose every response is checked against items.yaml (codegen-testing's
//! `TestServer`), the record of which (operation, status) pairs were seen, and a store whose
//! failures can be switched on.

use std::ops::Deref;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

pub use codegen_testing::{Checked, Coverage, TestServer};
use items::store::{
    self, Delete, Item, ItemStore, MemoryStore, Precondition, StoreError, Stored, Upsert,
};
use serde_json::Value;

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

/// The (operation, status) pairs items servers answered, across all tests: the coverage
/// gate's record.
pub fn coverage() -> &'static Coverage {
    static SEEN: OnceLock<Coverage> = OnceLock::new();
    SEEN.get_or_init(Coverage::default)
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

/// A running items server with the seed items: a checked client ([`TestServer`], through
/// `Deref`) whose answers count toward the coverage gate, and the store's fault switch.
pub struct TestApp {
    server: TestServer,
    down: Arc<AtomicBool>,
}

impl Deref for TestApp {
    type Target = TestServer;

    fn deref(&self) -> &TestServer {
        &self.server
    }
}

/// The derived document of items.yaml's generated code.
pub fn derived_items() -> Value {
    codegen_testing::derived_document(
        items::api::service(items::handlers::ItemHandlers::new(MemoryStore::new())).spec(),
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
    let server = TestServer::start(items::app::routes(store), spec::written())
        .await
        .recording_into(coverage().clone());
    TestApp { server, down }
}

/// A checked client for an items server running elsewhere (a spawned `items-server`).
pub fn client_for(base: &str) -> TestApp {
    TestApp {
        server: TestServer::connect(base, spec::written()).recording_into(coverage().clone()),
        down: Arc::new(AtomicBool::new(false)),
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

impl TestApp {
    /// Makes the store fail (true) or work (false).
    pub fn set_store_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    /// `PUT path` with a JSON body.
    pub async fn put_json(&self, path: &str, body: Value) -> Checked {
        self.json("PUT", path, &body).await
    }

    /// `PUT path` with a JSON body and extra headers (`If-Match`, …).
    pub async fn put_json_with(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        body: Value,
    ) -> Checked {
        self.json_with("PUT", path, headers, &body).await
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
}
