//! The pets example: a server for openapi/pets.yaml, generated like the items API.
//!
//! `cargo run --example pets` serves it on http://127.0.0.1:8002 (API under /pets,
//! /login, /adoptions, /search; docs at /docs). `ITEMS_LISTEN` changes the address.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    let addr = std::env::var("ITEMS_LISTEN").unwrap_or_else(|_| "127.0.0.1:8002".to_owned());
    let app = match items::app::bind_endpoint(&addr, items::pets::routes()).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("pets: cannot listen on {addr}: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    tracing::info!(
        "pets example listening on http://{} (docs at /docs)",
        app.local_addr()
    );
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    match app.serve(stop).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pets: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
