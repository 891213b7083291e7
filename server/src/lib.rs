//! items: a spec-first HTTP API. `openapi/items.yaml` is the contract; `build.rs` turns it
//! into [`api`] (response enums, schema types, the [`api::Handlers`] trait and its poem-openapi
//! adapter); this crate implements the trait against an [`store::ItemStore`] and serves it.
//!
//! - [`api`]: the generated code, included from `$OUT_DIR`.
//! - [`handlers`]: the trait implementation: typed input → store → a declared response.
//! - [`store`]: the HTTP-agnostic item store: memory, SQLite and PostgreSQL.
//! - [`app`]: routes, error bodies, body limit, binding and serving.
//! - [`conditional`]: entity tags, `If-Match` and `If-None-Match`.
//! - [`metrics`]: Prometheus metrics of requests and store calls, served at `/metrics`.
//! - [`methods`]: the `Allow` header of 405 and `OPTIONS` answers, from the spec's paths.
//! - [`connections`]: idle timeout, connection cap and accept backoff under HTTP.
//! - [`config`]: command-line flags and `ITEMS_*` environment variables.

pub mod api;
pub mod app;
pub mod conditional;
pub mod config;
pub mod connections;
pub mod handlers;
pub mod methods;
pub mod metrics;
pub mod problem;
pub mod store;
