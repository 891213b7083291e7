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

/// The version of an item's last write, its `ETag`. Unique per id for the life of the store:
/// every write takes the next value of a counter the whole store shares, so a deleted and
/// re-created id never gets an old version back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Version(pub i64);

/// An item with the version of its last write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// What is stored.
    pub item: Item,
    /// Its version.
    pub version: Version,
}

/// The versions a condition names: `*` (any current item) or a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tags {
    /// `*`: matches whenever the item exists.
    Any,
    /// Matches an item whose version is one of these.
    Of(Vec<Version>),
}

impl Tags {
    /// Whether an item at `current` (`None`: absent) matches.
    pub fn matches(&self, current: Option<Version>) -> bool {
        match (self, current) {
            (_, None) => false,
            (Tags::Any, Some(_)) => true,
            (Tags::Of(versions), Some(v)) => versions.contains(&v),
        }
    }
}

/// The condition a write is made under (`If-Match`, `If-None-Match`); the store checks it
/// and writes in one atomic step, so of many writers holding one version exactly one wins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Precondition {
    /// The item must exist and match.
    pub if_match: Option<Tags>,
    /// The item must be absent or match none of these.
    pub if_none_match: Option<Tags>,
}

impl Precondition {
    /// No condition: the write always happens.
    pub const NONE: Precondition = Precondition {
        if_match: None,
        if_none_match: None,
    };

    /// Whether a write may happen to an item at `current` (`None`: absent).
    pub fn holds(&self, current: Option<Version>) -> bool {
        self.if_match.as_ref().is_none_or(|t| t.matches(current))
            && !self
                .if_none_match
                .as_ref()
                .is_some_and(|t| t.matches(current))
    }

    /// Whether this is [`Precondition::NONE`].
    pub fn is_none(&self) -> bool {
        self.if_match.is_none() && self.if_none_match.is_none()
    }
}

/// The outcome of an upsert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upsert {
    /// The id was new; the item was stored.
    Created(Stored),
    /// The id existed; its item was replaced.
    Updated(Stored),
    /// The precondition did not hold; nothing was written.
    PreconditionFailed,
}

/// The outcome of a delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delete {
    /// The item was removed.
    Deleted,
    /// No item had the id (and the precondition allowed that).
    NotFound,
    /// The precondition did not hold; nothing was removed.
    PreconditionFailed,
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
    /// The item stored under `id`, with its version, if any.
    fn get(&self, id: &str) -> impl Future<Output = Result<Option<Stored>, StoreError>> + Send;

    /// Stores `item` under `id` if `when` holds, replacing what was there, and says which
    /// happened.
    fn upsert(
        &self,
        id: &str,
        item: Item,
        when: &Precondition,
    ) -> impl Future<Output = Result<Upsert, StoreError>> + Send;

    /// Removes `id` if `when` holds. A precondition that fails on an absent item (`If-Match`)
    /// is [`Delete::PreconditionFailed`], not [`Delete::NotFound`].
    fn delete(
        &self,
        id: &str,
        when: &Precondition,
    ) -> impl Future<Output = Result<Delete, StoreError>> + Send;

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
