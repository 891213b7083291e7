//! items: a spec-first HTTP API. `openapi/items.yaml` is the contract; `build.rs` turns it
//! into [`api`] (response enums, schema types, the [`api::Handlers`] trait and its poem-openapi
//! adapter); this crate implements the trait against an [`store::ItemStore`] and serves it.
//!
//! - [`api`]: the generated code, included from `$OUT_DIR`.
//! - [`handlers`]: the trait implementation: typed input → store → a declared response.
//! - [`store`]: the HTTP-agnostic item store: memory, SQLite and PostgreSQL.
//! - [`app`]: the items routes over a store, served by `codegen_runtime::serve` (documents,
//!   docs page, problem+json, `Allow`, request ids, access log, request metrics, connection
//!   limits), whose calls it re-exports.
//! - [`conditional`]: entity tags, `If-Match` and `If-None-Match`.
//! - [`metrics`]: the store's call latency, beside the request metrics, served at `/metrics`.
//! - [`config`]: command-line flags and `ITEMS_*` environment variables.

pub mod allocator;
pub mod api;
pub mod app;
pub mod conditional;
pub mod config;
pub mod handlers;
pub mod metrics;
pub mod problem;
pub mod store;
