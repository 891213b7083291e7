//! The items application: the API generated from items.yaml over an item store, served by
//! `codegen_runtime::serve` (documents, docs page, problem+json, request ids, metrics,
//! connection limits), whose serving calls are re-exported here.

use poem::{Endpoint, Response};

pub use codegen_runtime::serve::{
    bind_endpoint, bind_endpoint_with, documents, problem_response, serve_api, serve_example, App,
    Limits, MAX_BODY_BYTES, MAX_HEADER_BYTES, MAX_URI_BYTES,
};

use crate::api;
use crate::handlers::ItemHandlers;
use crate::store::ItemStore;

/// All routes of the items API over `store`.
pub fn routes<S: ItemStore>(store: S) -> impl Endpoint<Output = Response> {
    let store = crate::metrics::Measured::new(store);
    serve_api(api::Api(ItemHandlers::new(store)), api::DOCUMENT)
}

/// Binds `addr` and prepares to serve the items API over `store`.
pub async fn bind<S: ItemStore>(
    addr: &str,
    store: S,
) -> std::io::Result<App<impl Endpoint<Output = Response>>> {
    bind_endpoint(addr, routes(store)).await
}

/// Binds `addr` and prepares to serve the items API over `store` under `limits`.
pub async fn bind_with<S: ItemStore>(
    addr: &str,
    store: S,
    limits: Limits,
) -> std::io::Result<App<impl Endpoint<Output = Response>>> {
    bind_endpoint_with(addr, routes(store), limits).await
}
