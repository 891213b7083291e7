//! The catalog example: a server for its openapi.yaml, generated like the items API.
//!
//! `cargo run -p catalog-example` serves it on http://127.0.0.1:8001 (API under /books,
//! /categories, /stats, /health; docs at /docs). `ITEMS_LISTEN` changes the address.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    codegen_runtime::serve::serve_example(
        "catalog example",
        "127.0.0.1:8001",
        catalog_example::routes(),
    )
    .await
}
