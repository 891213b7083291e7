//! The pets example: a server for its openapi.yaml, generated like the items API.
//!
//! `cargo run -p pets-example` serves it on http://127.0.0.1:8002 (API under /pets,
//! /login, /adoptions, /search; docs at /docs). `ITEMS_LISTEN` changes the address.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    codegen_runtime::serve::serve_example("pets example", "127.0.0.1:8002", pets_example::routes())
        .await
}
