//! `cargo run -p fastapi-migration` serves app.py's API on http://127.0.0.1:8003 (docs at
//! /docs). `ITEMS_LISTEN` changes the address.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let addr = std::env::var("ITEMS_LISTEN").unwrap_or_else(|_| "127.0.0.1:8003".to_owned());
    let app = match items::app::bind_endpoint(&addr, fastapi_migration::routes()).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("fastapi-migration: cannot listen on {addr}: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    eprintln!("listening on http://{} (docs at /docs)", app.local_addr());
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    match app.serve(stop).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fastapi-migration: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
