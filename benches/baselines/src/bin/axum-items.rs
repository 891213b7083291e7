//! `axum-items`: the items API (openapi/items.yaml) hand-written with axum, as an axum user
//! would write it: serde types, extractors whose rejections are turned into problem details,
//! validation by hand, `DefaultBodyLimit` for the 64 KiB limit.
//!
//! `axum-items [--listen ADDR] [--seed]`

use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use baselines::{Args, Item, MemoryStore, Upsert, MAX_BODY_BYTES};
use serde::{Deserialize, Serialize};

type Store = Arc<MemoryStore>;

/// The pattern items-server reports when an id or a name breaks it.
const ID_PATTERN: &str = "^[A-Za-z0-9._~-]+$";
const NAME_PATTERN: &str = "^[^\\x00]*$";

/// An error, as RFC 9457 problem details. Fields in alphabetical order: items-server writes
/// its problems through a `serde_json::Value` map, which sorts them, and the bodies should
/// be byte for byte alike.
#[derive(Debug, Serialize)]
struct Problem {
    detail: String,
    status: u16,
    title: &'static str,
    #[serde(rename = "type")]
    type_: &'static str,
}

/// Every error the API answers with: a status and what went wrong.
#[derive(Debug)]
struct ApiError {
    status: StatusCode,
    detail: String,
}

impl ApiError {
    fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            detail: detail.into(),
        }
    }

    fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }

    fn not_found(id: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, format!("no item has the id `{id}`"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = Problem {
            detail: self.detail,
            status: self.status.as_u16(),
            title: self.status.canonical_reason().unwrap_or("Error"),
            type_: "about:blank",
        };
        let body = serde_json::to_vec(&problem).expect("a problem serializes");
        (
            self.status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        // axum answers 422 to well-formed JSON of the wrong shape; the spec says 400 for every
        // malformed body. 413 (over the limit) and 415 (not JSON) keep their status.
        let status = match rejection.status() {
            s @ (StatusCode::PAYLOAD_TOO_LARGE | StatusCode::UNSUPPORTED_MEDIA_TYPE) => s,
            _ => StatusCode::BAD_REQUEST,
        };
        ApiError::new(status, rejection.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        ApiError::bad_request(rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::bad_request(rejection.body_text())
    }
}

/// The body of a PUT: both fields optional, an omitted one becomes null.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemUpdate {
    name: Option<String>,
    size: Option<i64>,
}

impl ItemUpdate {
    /// The spec's limits: name at most 100 characters without NUL, size 0..=1000000.
    fn validate(self) -> Result<Item, ApiError> {
        if let Some(name) = &self.name {
            if name.chars().nth(100).is_some() {
                return Err(invalid_field("name", "maxLength(100)"));
            }
            if name.contains('\0') {
                return Err(invalid_field(
                    "name",
                    &format!("pattern(\"{NAME_PATTERN}\")"),
                ));
            }
        }
        if let Some(size) = self.size {
            if size < 0 {
                return Err(invalid_field("size", "minimum(0, exclusive: false)"));
            }
            if size > 1_000_000 {
                return Err(invalid_field("size", "maximum(1000000, exclusive: false)"));
            }
        }
        Ok(Item {
            name: self.name,
            size: self.size,
        })
    }
}

fn invalid_field(field: &str, rule: &str) -> ApiError {
    ApiError::bad_request(format!(
        "parse request payload error: failed to parse \"ItemUpdate\": field `{field}` verification failed. {rule}"
    ))
}

/// Checks an id (or a cursor) against the spec: 1 to 64 of `A-Za-z0-9._~-`.
fn check_id(param: &str, id: &str) -> Result<(), ApiError> {
    let rule = if id.is_empty() {
        "minLength(1)".to_owned()
    } else if id.chars().nth(64).is_some() {
        "maxLength(64)".to_owned()
    } else if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'~' | b'-'))
    {
        format!("pattern(\"{ID_PATTERN}\")")
    } else {
        return Ok(());
    };
    Err(ApiError::bad_request(format!(
        "failed to parse parameter `{param}`: verification failed. {rule}"
    )))
}

fn item_id(path: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    let Path(id) = path?;
    check_id("item_id", &id)?;
    Ok(id)
}

#[derive(Debug, Deserialize)]
struct ListParams {
    limit: Option<i32>,
    cursor: Option<String>,
}

#[derive(Debug, Serialize)]
struct ItemSummary {
    id: String,
    name: Option<String>,
    size: Option<i64>,
}

#[derive(Debug, Serialize)]
struct ItemPage {
    items: Vec<ItemSummary>,
    next_cursor: Option<String>,
}

/// `GET /items?limit=&cursor=`: one page, in id order.
async fn list_items(
    State(store): State<Store>,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<ItemPage>, ApiError> {
    let Query(params) = params?;
    let limit = params.limit.unwrap_or(20);
    if limit < 1 {
        return Err(ApiError::bad_request(
            "failed to parse parameter `limit`: verification failed. minimum(1, exclusive: false)",
        ));
    }
    if limit > 100 {
        return Err(ApiError::bad_request(
            "failed to parse parameter `limit`: verification failed. maximum(100, exclusive: false)",
        ));
    }
    if let Some(cursor) = &params.cursor {
        check_id("cursor", cursor)?;
    }
    let limit = limit as usize;
    // One extra item says whether another page follows.
    let mut rows = store.list(params.cursor.as_deref(), limit + 1);
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
    Ok(Json(ItemPage { items, next_cursor }))
}

/// `GET /items/{item_id}`
async fn get_item(
    State(store): State<Store>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Item>, ApiError> {
    let id = item_id(path)?;
    store
        .get(&id)
        .map(Json)
        .ok_or_else(|| ApiError::not_found(&id))
}

/// `PUT /items/{item_id}`: 200 if the item existed, 201 with its Location if not.
async fn put_item(
    State(store): State<Store>,
    path: Result<Path<String>, PathRejection>,
    body: Result<Json<ItemUpdate>, JsonRejection>,
) -> Result<Response, ApiError> {
    let id = item_id(path)?;
    let Json(update) = body?;
    let item = update.validate()?;
    Ok(match store.upsert(&id, item) {
        Upsert::Updated(item) => (StatusCode::OK, Json(item)).into_response(),
        Upsert::Created(item) => (
            StatusCode::CREATED,
            // Ids match ^[A-Za-z0-9._~-]+$ (checked above): no escaping needed.
            [(header::LOCATION, format!("/items/{id}"))],
            Json(item),
        )
            .into_response(),
    })
}

/// `DELETE /items/{item_id}`
async fn delete_item(
    State(store): State<Store>,
    path: Result<Path<String>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let id = item_id(path)?;
    if store.delete(&id) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(&id))
    }
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not found")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
}

fn app(store: Store) -> Router {
    Router::new()
        .route("/items", get(list_items))
        .route(
            "/items/{item_id}",
            get(get_item).put(put_item).delete(delete_item),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        // Bodies over 64 KiB, with or without Content-Length, make `Json` reject with 413.
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(store)
}

#[tokio::main]
async fn main() {
    let args = Args::parse("axum-items");
    let store = Arc::new(MemoryStore::new(args.seed));
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .unwrap_or_else(|e| panic!("cannot listen on {}: {e}", args.listen));
    eprintln!(
        "axum-items listening on http://{}",
        listener.local_addr().unwrap()
    );
    axum::serve(listener, app(store))
        .await
        .expect("server failed");
}
