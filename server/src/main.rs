//! `items-server`: serves openapi/items.yaml over HTTP. See `items-server --help`.

use std::process::ExitCode;

use items::config::{self, StoreUrl};
use items::store::{self, MemoryStore, PostgresStore, SqliteOptions, SqliteStore};
use tracing_subscriber::EnvFilter;

// mimalloc: the profile showed malloc/free at about 6% of the server's time with glibc's
// allocator; measured in BENCHMARKS.md. Its feature `no_thp`: without it, mimalloc asks for
// transparent huge pages, and each thread's first allocation made 2 MiB resident (idle RSS
// 21 MiB instead of 10; throughput within noise either way, BENCHMARKS.md). Called through
// `items::allocator`, which uses its plain calls where they suffice.
#[global_allocator]
static ALLOCATOR: items::allocator::Mimalloc = items::allocator::Mimalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let filter = EnvFilter::try_from_env("ITEMS_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let stderr = std::io::stderr();
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // `ITEMS_LOG_FORMAT=json`: one JSON object per line, the request id in its span.
    if std::env::var("ITEMS_LOG_FORMAT").as_deref() == Ok("json") {
        logs.json()
            .with_current_span(true)
            .with_span_list(false)
            .init();
    } else {
        logs.with_ansi(std::io::IsTerminal::is_terminal(&stderr))
            .init();
    }

    let config = match config::parse(std::env::args_os()) {
        Ok(config) => config,
        // `--help` and `--version` print and exit 0; bad input prints with the usage, exits 2.
        Err(e) => e.exit(),
    };
    let result = match &config.store {
        StoreUrl::Memory => run(&config, MemoryStore::new()).await,
        StoreUrl::Sqlite(path) => match SqliteStore::open(path, SqliteOptions::default()).await {
            Ok(store) => run(&config, store).await,
            Err(e) => Err(e),
        },
        StoreUrl::Postgres(url) => match PostgresStore::open(url).await {
            Ok(store) => run(&config, store).await,
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::FAILURE
        }
    }
}

async fn run<S: store::ItemStore>(config: &config::Config, store: S) -> Result<(), String> {
    items::metrics::set_recording(config.metrics);
    if config.seed {
        let n = store::seed(&store)
            .await
            .map_err(|e| format!("seeding failed: {e}"))?;
        tracing::info!(inserted = n, "seed items present");
    }
    let shutdown = shutdown_signal();
    let app = items::app::bind_with(&config.listen, store, config.limits)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    tracing::info!(
        "listening on http://{addr} (store {store}; API under /items, docs at http://{addr}/docs, spec at /openapi.json)",
        addr = app.local_addr(),
        store = config.store,
    );
    // Start-up (the document, the routes, the store) freed most of what it allocated, but
    // mimalloc keeps freed pages until a later allocation after its purge delay, which an idle
    // server never makes: they were half its heap (BENCHMARKS.md, "Idle memory").
    // SAFETY: mi_collect only frees mimalloc's own unused memory; no pointer is involved.
    unsafe { libmimalloc_sys::mi_collect(true) };
    app.serve(shutdown)
        .await
        .map_err(|e| format!("server failed: {e}"))?;
    tracing::info!("stopped");
    Ok(())
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM. The SIGTERM handler is installed here, before the
/// server starts: installed lazily, on the future's first poll, a SIGTERM that arrives in
/// between would still kill the process the default way.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate());
    async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        match term {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(e) => {
                tracing::warn!("cannot listen for SIGTERM: {e}");
                let _ = ctrl_c.await;
            }
        }
        #[cfg(not(unix))]
        let _ = ctrl_c.await;
        tracing::info!("shutting down");
    }
}
