//! The pets example: a server for openapi/pets.yaml, generated like the items API.
//!
//! `cargo run --example pets` serves it on http://127.0.0.1:8002 (API under /pets,
//! /login, /adoptions, /search; docs at /docs). `ITEMS_LISTEN` changes the address.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    items::app::serve_example("pets example", "127.0.0.1:8002", items::pets::routes()).await
}
