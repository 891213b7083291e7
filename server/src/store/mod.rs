//! The item store: HTTP-agnostic storage behind the handlers.
//!
//! [`ItemStore`] knows items, ids and its own failures, not status codes; the handlers map its
//! outcomes to response variants. Three implementations: [`MemoryStore`] (tests and demos),
//! [`SqliteStore`] (embedded, one file, the default) and [`PostgresStore`] (shared by several
//! server processes). Each upsert is atomic: of many concurrent PUTs of one new id, exactly one
//! reports `Created`. Ids sort bytewise in all three, so keyset paging agrees everywhere.

use std::fmt;
use std::future::Future;

mod memory;
mod migrate;
mod postgres;
mod sqlite;

pub use memory::MemoryStore;
pub use postgres::PostgresStore;
pub use sqlite::{SqliteOptions, SqliteStore};

/// What is stored under an id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Item {
    /// Display name, if set.
    pub name: Option<String>,
    /// Size, if set.
    pub size: Option<i64>,
}

/// The outcome of an upsert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upsert {
    /// The id was new; the item was stored.
    Created(Item),
    /// The id existed; its item was replaced.
    Updated(Item),
}

/// A failure of the store itself (not of the request): the caller may retry later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    /// What failed, for the log (not for the client).
    pub reason: String,
}

impl StoreError {
    /// A store error with `reason`.
    pub fn new(reason: impl fmt::Display) -> Self {
        StoreError {
            reason: reason.to_string(),
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "item store unavailable: {}", self.reason)
    }
}

impl std::error::Error for StoreError {}

/// Storage of items by id. Every method is atomic on its own.
pub trait ItemStore: Send + Sync + 'static {
    /// The item stored under `id`, if any.
    fn get(&self, id: &str) -> impl Future<Output = Result<Option<Item>, StoreError>> + Send;

    /// Stores `item` under `id`, replacing what was there, and says which happened.
    fn upsert(
        &self,
        id: &str,
        item: Item,
    ) -> impl Future<Output = Result<Upsert, StoreError>> + Send;

    /// Removes `id`; false if it was not there.
    fn delete(&self, id: &str) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Up to `limit` items with ids greater than `after`, in ascending id order.
    fn list(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<(String, Item)>, StoreError>> + Send;

    /// Stores `item` under `id` only if `id` is absent; true if it was stored.
    fn insert_if_absent(
        &self,
        id: &str,
        item: Item,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// The seed items `--seed` inserts when absent.
pub fn seed_items() -> [(&'static str, Item); 2] {
    [
        (
            "foo",
            Item {
                name: Some("Fighters".into()),
                size: Some(6),
            },
        ),
        (
            "bar",
            Item {
                name: Some("Tenders".into()),
                size: Some(3),
            },
        ),
    ]
}

/// Inserts the seed items that are absent; never overwrites. Returns how many were inserted.
pub async fn seed<S: ItemStore>(store: &S) -> Result<usize, StoreError> {
    let mut inserted = 0;
    for (id, item) in seed_items() {
        if store.insert_if_absent(id, item).await? {
            inserted += 1;
        }
    }
    Ok(inserted)
}

// Behaviour shared by all stores is checked by one conformance suite run against each of
// them: tests/contract/stores.rs.
