//! `cargo run -p fastapi-migration` serves app.py's API on http://127.0.0.1:8003 (docs at
//! /docs). `ITEMS_LISTEN` changes the address.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    codegen_runtime::serve::serve_example(
        "fastapi-migration",
        "127.0.0.1:8003",
        fastapi_migration::routes(),
    )
    .await
}
