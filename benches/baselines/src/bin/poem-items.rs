//! `poem-items`: the items API (openapi/items.yaml) hand-written with poem-openapi, as a
//! poem-openapi user would write it: `Object` types with the spec's validators, response enums
//! with a `bad_request_handler`, and the handlers inside the `#[OpenApi] impl`. The attributes,
//! the body-limit middleware and the problem bodies are those items-server uses
//! (codegen/tests/golden/items.rs, server/src/app.rs); what differs is that no generator and
//! no `Handlers` trait stand between the route and the store.
//!
//! `poem-items [--listen ADDR] [--seed]`

use baselines::{Args, MemoryStore, Upsert, MAX_BODY_BYTES};
use poem::http::{Method, StatusCode};
use poem::listener::TcpListener;
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response, Route, Server};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::ToJSON;
use poem_openapi::{ApiResponse, Object, OpenApi, OpenApiService, Tags};

#[derive(Tags)]
enum ApiTags {
    /// Create, read, replace, delete and list items.
    #[oai(rename = "items")]
    Items,
}

/// An item as stored; a field that was never set is null.
#[derive(Object, Debug, Clone, PartialEq)]
struct Item {
    /// Display name, without NUL characters.
    #[oai(nullable, validator(max_length = 100, pattern = "^[^\\x00]*$"))]
    name: Option<String>,
    /// Size in whole units.
    #[oai(nullable, validator(minimum(value = "0"), maximum(value = "1000000")))]
    size: Option<i64>,
}

impl From<baselines::Item> for Item {
    fn from(item: baselines::Item) -> Self {
        Item {
            name: item.name,
            size: item.size,
        }
    }
}

/// One page of a listing.
#[derive(Object, Debug, Clone, PartialEq)]
struct ItemPage {
    /// The items on this page, in ascending id order.
    items: Vec<ItemSummary>,
    /// Pass as `cursor` to get the next page; null on the last page.
    #[oai(nullable)]
    next_cursor: Option<String>,
}

/// An item in a listing, with its id.
#[derive(Object, Debug, Clone, PartialEq)]
struct ItemSummary {
    /// The item's id.
    #[oai(validator(min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9._~-]+$"))]
    id: String,
    /// Display name, without NUL characters.
    #[oai(nullable, validator(max_length = 100, pattern = "^[^\\x00]*$"))]
    name: Option<String>,
    /// Size in whole units.
    #[oai(nullable, validator(minimum(value = "0"), maximum(value = "1000000")))]
    size: Option<i64>,
}

/// The new state of an item. Both fields are optional; an omitted one becomes null.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(deny_unknown_fields)]
struct ItemUpdate {
    /// Display name, without NUL characters.
    #[oai(nullable, validator(max_length = 100, pattern = "^[^\\x00]*$"))]
    name: Option<String>,
    /// Size in whole units.
    #[oai(nullable, validator(minimum(value = "0"), maximum(value = "1000000")))]
    size: Option<i64>,
}

/// An error, as RFC 9457 problem details.
#[derive(Object, Debug, Clone, PartialEq)]
struct Problem {
    /// A URI reference naming the kind of problem; `about:blank` when the status says it all.
    #[oai(rename = "type")]
    type_: String,
    /// Short summary of the kind of problem.
    title: String,
    /// The HTTP status code.
    status: i32,
    /// What went wrong with this request.
    #[oai(skip_serializing_if_is_none)]
    detail: Option<String>,
}

impl Problem {
    /// A problem with the status's reason phrase as title and `detail` for this request.
    fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Problem {
            type_: "about:blank".to_owned(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: i32::from(status.as_u16()),
            detail: Some(detail.into()),
        }
    }

    /// A request poem or poem-openapi rejected before a handler ran.
    fn from_error(err: &poem::Error) -> Self {
        Self::new(err.status(), err.to_string())
    }

    fn not_found(id: &str) -> Json<Self> {
        Json(Self::new(
            StatusCode::NOT_FOUND,
            format!("no item has the id `{id}`"),
        ))
    }
}

#[derive(ApiResponse, Debug)]
#[oai(bad_request_handler = "list_items_rejected")]
enum ListItemsResponse {
    /// One page of items.
    #[oai(status = 200, content_type = "application/json")]
    Ok(Json<ItemPage>),
    /// A query parameter is malformed or out of range.
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
}

fn list_items_rejected(err: poem::Error) -> ListItemsResponse {
    ListItemsResponse::BadRequest(Json(Problem::from_error(&err)))
}

#[derive(ApiResponse, Debug)]
#[oai(bad_request_handler = "get_item_rejected")]
enum GetItemResponse {
    /// The item.
    #[oai(status = 200, content_type = "application/json")]
    Ok(Json<Item>),
    /// The item id is malformed.
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// No item has this id.
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
}

fn get_item_rejected(err: poem::Error) -> GetItemResponse {
    GetItemResponse::BadRequest(Json(Problem::from_error(&err)))
}

#[derive(ApiResponse, Debug)]
#[oai(bad_request_handler = "put_item_rejected")]
enum PutItemResponse {
    /// The item existed and was replaced.
    #[oai(status = 200, content_type = "application/json")]
    Ok(Json<Item>),
    /// The item did not exist and was created.
    #[oai(status = 201, content_type = "application/json")]
    Created(
        Json<Item>,
        /// Path of the created item.
        #[oai(header = "Location")]
        String,
    ),
    /// The item id or the body is malformed, has an unknown field or breaks a limit.
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// The body is larger than 64 KiB.
    #[oai(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(Json<Problem>),
    /// The body is not declared as application/json.
    #[oai(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Json<Problem>),
}

fn put_item_rejected(err: poem::Error) -> PutItemResponse {
    let problem = Json(Problem::from_error(&err));
    match err.status() {
        StatusCode::PAYLOAD_TOO_LARGE => PutItemResponse::PayloadTooLarge(problem),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => PutItemResponse::UnsupportedMediaType(problem),
        _ => PutItemResponse::BadRequest(problem),
    }
}

#[derive(ApiResponse, Debug)]
#[oai(bad_request_handler = "delete_item_rejected")]
enum DeleteItemResponse {
    /// The item was deleted.
    #[oai(status = 204)]
    NoContent,
    /// The item id is malformed.
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// No item has this id.
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
}

fn delete_item_rejected(err: poem::Error) -> DeleteItemResponse {
    DeleteItemResponse::BadRequest(Json(Problem::from_error(&err)))
}

fn default_limit() -> i32 {
    20
}

struct Api {
    store: MemoryStore,
}

#[OpenApi]
impl Api {
    /// List items
    ///
    /// Items in ascending id order, one page at a time. Pass the `next_cursor` of a page as
    /// `cursor` to get the next one; a page whose `next_cursor` is null is the last.
    #[oai(
        path = "/items",
        method = "get",
        operation_id = "listItems",
        tag = "ApiTags::Items"
    )]
    async fn list_items(
        &self,
        /// Largest number of items on the page.
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "100"))
        )]
        limit: Query<i32>,
        /// List items whose id sorts after this one (the previous page's `next_cursor`).
        #[oai(validator(min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9._~-]+$"))]
        cursor: Query<Option<String>>,
    ) -> ListItemsResponse {
        // The validator bounds `limit` to 1..=100, so the cast cannot wrap.
        let limit = limit.0 as usize;
        // One extra item says whether another page follows.
        let mut rows = self.store.list(cursor.0.as_deref(), limit + 1);
        let next_cursor = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|(id, _)| id.clone())
        } else {
            None
        };
        let items = rows
            .into_iter()
            .map(|(id, item)| ItemSummary {
                id,
                name: item.name,
                size: item.size,
            })
            .collect();
        ListItemsResponse::Ok(Json(ItemPage { items, next_cursor }))
    }

    /// Read an item
    #[oai(
        path = "/items/:item_id",
        method = "get",
        operation_id = "getItem",
        tag = "ApiTags::Items"
    )]
    async fn get_item(
        &self,
        /// The item's id: 1 to 64 letters, digits, '.', '_', '~' or '-'.
        #[oai(validator(min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9._~-]+$"))]
        item_id: Path<String>,
    ) -> GetItemResponse {
        match self.store.get(&item_id.0) {
            Some(item) => GetItemResponse::Ok(Json(item.into())),
            None => GetItemResponse::NotFound(Problem::not_found(&item_id.0)),
        }
    }

    /// Create or replace an item
    ///
    /// Replaces both fields of an existing item (an omitted field becomes null) and answers
    /// 200, or stores a new item and answers 201 Created with its Location.
    #[oai(
        path = "/items/:item_id",
        method = "put",
        operation_id = "putItem",
        tag = "ApiTags::Items"
    )]
    async fn put_item(
        &self,
        /// The item's id: 1 to 64 letters, digits, '.', '_', '~' or '-'.
        #[oai(validator(min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9._~-]+$"))]
        item_id: Path<String>,
        body: Json<ItemUpdate>,
    ) -> PutItemResponse {
        let item = baselines::Item {
            name: body.0.name,
            size: body.0.size,
        };
        match self.store.upsert(&item_id.0, item) {
            Upsert::Updated(item) => PutItemResponse::Ok(Json(item.into())),
            // Ids match ^[A-Za-z0-9._~-]+$ (checked before this runs): no escaping needed.
            Upsert::Created(item) => {
                PutItemResponse::Created(Json(item.into()), format!("/items/{}", item_id.0))
            }
        }
    }

    /// Delete an item
    #[oai(
        path = "/items/:item_id",
        method = "delete",
        operation_id = "deleteItem",
        tag = "ApiTags::Items"
    )]
    async fn delete_item(
        &self,
        /// The item's id: 1 to 64 letters, digits, '.', '_', '~' or '-'.
        #[oai(validator(min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9._~-]+$"))]
        item_id: Path<String>,
    ) -> DeleteItemResponse {
        if self.store.delete(&item_id.0) {
            DeleteItemResponse::NoContent
        } else {
            DeleteItemResponse::NotFound(Problem::not_found(&item_id.0))
        }
    }
}

/// Reads at most 64 KiB of a PUT, POST or PATCH body, with or without `Content-Length`; more
/// is 413. (poem's `SizeLimit` would answer 411 to a request without `Content-Length`.)
async fn limit_body<E: Endpoint>(ep: E, mut req: Request) -> poem::Result<Response> {
    if matches!(*req.method(), Method::PUT | Method::POST | Method::PATCH) {
        let body = req.take_body().into_bytes_limit(MAX_BODY_BYTES).await?;
        req.set_body(body);
    }
    ep.call(req).await.map(IntoResponse::into_response)
}

/// Any error that escaped the operations (unknown route, wrong method, body over the limit),
/// as problem details with its own status.
async fn problem_response(err: poem::Error) -> Response {
    Response::builder()
        .status(err.status())
        .content_type("application/problem+json")
        .body(Problem::from_error(&err).to_json_string())
}

#[tokio::main]
async fn main() {
    let args = Args::parse("poem-items");
    let service = OpenApiService::new(
        Api {
            store: MemoryStore::new(args.seed),
        },
        "Items API",
        "1.0.0",
    );
    let spec = service.spec_endpoint();
    let app = Route::new()
        .nest("/", service)
        .at("/openapi.json", spec)
        .around(limit_body)
        .catch_all_error(problem_response);
    let listener = TcpListener::bind(args.listen.clone());
    eprintln!("poem-items listening on http://{}", args.listen);
    Server::new(listener).run(app).await.expect("server failed");
}
