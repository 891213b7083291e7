//! Five specs of the corpus (written here in the shapes public APIs use) as running servers,
//! each implemented in memory against its generated `Handlers` trait and served by
//! `codegen_runtime::serve::serve_api`: the document as written, the API, the docs page.

pub mod event_stream;
pub mod geo_places;
pub mod inventory;
pub mod job_queue;
pub mod todo_list;

/// Answers with the handlers of one corpus API, or `None` for another name.
pub fn routes(name: &str) -> Option<poem::endpoint::BoxEndpoint<'static, poem::Response>> {
    use poem::EndpointExt;
    Some(match name {
        "todo_list" => todo_list::routes().boxed(),
        "geo_places" => geo_places::routes().boxed(),
        "job_queue" => job_queue::routes().boxed(),
        "inventory" => inventory::routes().boxed(),
        "event_stream" => event_stream::routes().boxed(),
        _ => return None,
    })
}
