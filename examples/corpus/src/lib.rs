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

/// The same API served through poem-openapi's own service, with all its layers
/// (`Routes::layered`): what `routes` is compared with in the differential test.
pub fn layered(name: &str) -> Option<poem::endpoint::BoxEndpoint<'static, poem::Response>> {
    use codegen_runtime::serve::{serve_api, Routes};
    use poem::EndpointExt;
    macro_rules! layered {
        ($module:ident, $handlers:expr) => {
            serve_api(
                Routes::layered($module::api::service($handlers)),
                $module::api::DOCUMENT,
            )
            .boxed()
        };
    }
    Some(match name {
        "todo_list" => layered!(todo_list, todo_list::Todos::default()),
        "geo_places" => layered!(geo_places, geo_places::Places::default()),
        "job_queue" => layered!(job_queue, job_queue::Jobs::default()),
        "inventory" => layered!(inventory, inventory::Inventory::default()),
        "event_stream" => layered!(event_stream, event_stream::Feed::default()),
        _ => return None,
    })
}
