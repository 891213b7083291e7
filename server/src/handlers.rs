//! The handlers: the generated [`Handlers`] trait implemented against an [`ItemStore`].
//!
//! Input arrives typed and validated (poem-openapi checked it against the spec's limits
//! before calling); each method asks the store and picks a declared response variant.

use codegen_runtime::Matching;
use poem::http::StatusCode;
use poem_openapi::payload::{Json, PlainText};

use crate::api::{
    DeleteItemResponse, GetItemResponse, Handlers, Health, HealthStatus, Item, ItemPage,
    ItemSummary, ItemUpdate, ListItemsResponse, LivenessResponse, MetricsResponse, Problem,
    PutItemResponse, ReadinessResponse,
};
use crate::conditional;
use crate::problem::problem;
use crate::store::{self, Delete, ItemStore, Precondition, StoreError, Upsert};

/// Seconds a client is told to wait after a store failure.
const RETRY_AFTER_SECONDS: i32 = 1;

/// Serves the API from a store.
pub struct ItemHandlers<S> {
    store: S,
}

impl<S: ItemStore> ItemHandlers<S> {
    /// Handlers over `store`.
    pub fn new(store: S) -> Self {
        Self { store }
    }
}

/// Stored ids and names were validated when they were written (or are the seed's), so they
/// go back out as they are.
fn to_api(item: store::Item) -> Item {
    Item {
        name: item.name.map(Matching::new_unchecked),
        size: item.size,
    }
}

fn unavailable(err: &StoreError) -> (Json<Problem>, i32) {
    tracing::warn!(error = %err, "item store failed; answering 503");
    (
        Json(problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "the item store is unavailable; retry later",
        )),
        RETRY_AFTER_SECONDS,
    )
}

/// 412: says which condition failed and what to do about it.
fn precondition_failed(id: &str, when: &Precondition) -> Json<Problem> {
    let detail = if when.if_match.is_some() {
        format!(
            "the item `{id}` has changed or is gone since the tag in If-Match; \
             read it again for its current ETag (tags are quoted: `\"…\"`)"
        )
    } else {
        format!("the item `{id}` exists with a tag in If-None-Match; nothing was written")
    };
    Json(problem(StatusCode::PRECONDITION_FAILED, detail))
}

fn not_found(id: &str) -> Json<Problem> {
    Json(problem(
        StatusCode::NOT_FOUND,
        format!("no item has the id `{id}`"),
    ))
}

impl<S: ItemStore> Handlers for ItemHandlers<S> {
    async fn metrics(&self) -> MetricsResponse {
        MetricsResponse::Ok(PlainText(crate::metrics::metrics().text()))
    }

    async fn liveness(&self) -> LivenessResponse {
        LivenessResponse::Ok(Json(Health {
            status: HealthStatus::Alive,
        }))
    }

    /// Ready when the store answers a read (the smallest page of the listing).
    async fn readiness(&self) -> ReadinessResponse {
        match self.store.list(None, 1).await {
            Ok(_) => ReadinessResponse::Ok(Json(Health {
                status: HealthStatus::Ready,
            })),
            Err(e) => {
                let (body, retry) = unavailable(&e);
                ReadinessResponse::ServiceUnavailable(body, retry)
            }
        }
    }

    async fn list_items(&self, limit: i32, cursor: Option<String>) -> ListItemsResponse {
        // The spec bounds `limit` to 1..=100, so the cast cannot wrap.
        let limit = limit as usize;
        // One extra item says whether another page follows.
        match self.store.list(cursor.as_deref(), limit + 1).await {
            Ok(mut rows) => {
                let next_cursor = if rows.len() > limit {
                    rows.truncate(limit);
                    rows.last().map(|(id, _)| id.clone())
                } else {
                    None
                };
                let items = rows
                    .into_iter()
                    .map(|(id, item)| ItemSummary {
                        id: Matching::new_unchecked(id),
                        name: item.name.map(Matching::new_unchecked),
                        size: item.size,
                    })
                    .collect();
                ListItemsResponse::Ok(Json(ItemPage { items, next_cursor }))
            }
            Err(e) => {
                let (body, retry) = unavailable(&e);
                ListItemsResponse::ServiceUnavailable(body, retry)
            }
        }
    }

    async fn get_item(&self, item_id: String, if_none_match: Option<String>) -> GetItemResponse {
        let unchanged = if_none_match
            .as_deref()
            .map(|h| conditional::parse(h, true));
        match self.store.get(&item_id).await {
            Ok(Some(stored)) => {
                let tag = conditional::etag(stored.version);
                if unchanged.is_some_and(|t| t.matches(Some(stored.version))) {
                    GetItemResponse::NotModified(tag)
                } else {
                    GetItemResponse::Ok(Json(to_api(stored.item)), tag)
                }
            }
            Ok(None) => GetItemResponse::NotFound(not_found(&item_id)),
            Err(e) => {
                let (body, retry) = unavailable(&e);
                GetItemResponse::ServiceUnavailable(body, retry)
            }
        }
    }

    async fn put_item(
        &self,
        item_id: String,
        if_match: Option<String>,
        if_none_match: Option<String>,
        body: ItemUpdate,
    ) -> PutItemResponse {
        let when = conditional::precondition(if_match.as_deref(), if_none_match.as_deref());
        let item = store::Item {
            name: body.name.map(Matching::into_inner),
            size: body.size,
        };
        match self.store.upsert(&item_id, item, &when).await {
            Ok(Upsert::Updated(stored)) => {
                let tag = conditional::etag(stored.version);
                PutItemResponse::Ok(Json(to_api(stored.item)), tag)
            }
            Ok(Upsert::Created(stored)) => {
                let tag = conditional::etag(stored.version);
                // Ids match the spec's pattern (checked before this runs): no escaping needed.
                let location = format!("/items/{item_id}");
                PutItemResponse::Created(Json(to_api(stored.item)), location, tag)
            }
            Ok(Upsert::PreconditionFailed) => {
                PutItemResponse::PreconditionFailed(precondition_failed(&item_id, &when))
            }
            Err(e) => {
                let (body, retry) = unavailable(&e);
                PutItemResponse::ServiceUnavailable(body, retry)
            }
        }
    }

    async fn delete_item(&self, item_id: String, if_match: Option<String>) -> DeleteItemResponse {
        let when = conditional::precondition(if_match.as_deref(), None);
        match self.store.delete(&item_id, &when).await {
            Ok(Delete::Deleted) => DeleteItemResponse::NoContent,
            Ok(Delete::NotFound) => DeleteItemResponse::NotFound(not_found(&item_id)),
            Ok(Delete::PreconditionFailed) => {
                DeleteItemResponse::PreconditionFailed(precondition_failed(&item_id, &when))
            }
            Err(e) => {
                let (body, retry) = unavailable(&e);
                DeleteItemResponse::ServiceUnavailable(body, retry)
            }
        }
    }
}
