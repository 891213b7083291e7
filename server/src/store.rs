//! The item store: HTTP-agnostic storage behind the handlers.
//!
//! [`ItemStore`] knows items, ids and its own failures, not status codes; the handlers map its
//! outcomes to response variants. [`MemoryStore`] keeps items in a `BTreeMap` (ordered, so a
//! listing is a range scan) behind one lock, which makes each upsert atomic: of many
//! concurrent PUTs of one new id, exactly one sees the id absent and reports `Created`.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::ops::Bound;
use std::sync::RwLock;

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

/// Items in memory; gone when the process ends.
#[derive(Debug, Default)]
pub struct MemoryStore {
    items: RwLock<BTreeMap<String, Item>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Item>> {
        // A panic while holding the lock cannot leave a half-written map (every write is one
        // insert or remove), so a poisoned lock is still consistent.
        self.items.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<String, Item>> {
        self.items.write().unwrap_or_else(|e| e.into_inner())
    }
}

impl ItemStore for MemoryStore {
    async fn get(&self, id: &str) -> Result<Option<Item>, StoreError> {
        Ok(self.read().get(id).cloned())
    }

    async fn upsert(&self, id: &str, item: Item) -> Result<Upsert, StoreError> {
        let previous = self.write().insert(id.to_owned(), item.clone());
        Ok(match previous {
            Some(_) => Upsert::Updated(item),
            None => Upsert::Created(item),
        })
    }

    async fn delete(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.write().remove(id).is_some())
    }

    async fn list(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, Item)>, StoreError> {
        let items = self.read();
        let lower = match after {
            Some(id) => Bound::Excluded(id),
            None => Bound::Unbounded,
        };
        Ok(items
            .range::<str, _>((lower, Bound::Unbounded))
            .take(limit)
            .map(|(id, item)| (id.clone(), item.clone()))
            .collect())
    }

    async fn insert_if_absent(&self, id: &str, item: Item) -> Result<bool, StoreError> {
        let mut items = self.write();
        if items.contains_key(id) {
            return Ok(false);
        }
        items.insert(id.to_owned(), item);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(name: &str) -> Item {
        Item {
            name: Some(name.into()),
            size: None,
        }
    }

    #[tokio::test]
    async fn upsert_of_unknown_id_creates_then_updates() {
        let store = MemoryStore::new();

        let first = store.upsert("a", item("x")).await.unwrap();
        let second = store.upsert("a", item("y")).await.unwrap();

        assert_eq!(first, Upsert::Created(item("x")));
        assert_eq!(second, Upsert::Updated(item("y")));
        assert_eq!(store.get("a").await.unwrap(), Some(item("y")));
    }

    #[tokio::test]
    async fn list_pages_by_id_after_the_cursor() {
        let store = MemoryStore::new();
        for id in ["c", "a", "b", "d"] {
            store.upsert(id, item(id)).await.unwrap();
        }

        let first: Vec<String> = store
            .list(None, 2)
            .await
            .unwrap()
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let rest: Vec<String> = store
            .list(Some("b"), 10)
            .await
            .unwrap()
            .into_iter()
            .map(|(id, _)| id)
            .collect();

        assert_eq!(first, ["a", "b"]);
        assert_eq!(rest, ["c", "d"]);
    }

    #[tokio::test]
    async fn seed_inserts_only_absent_items() {
        let store = MemoryStore::new();
        store.upsert("foo", item("mine")).await.unwrap();

        let inserted = seed(&store).await.unwrap();

        assert_eq!(inserted, 1);
        assert_eq!(store.get("foo").await.unwrap(), Some(item("mine")));
        assert_eq!(
            store.get("bar").await.unwrap().unwrap().name.as_deref(),
            Some("Tenders")
        );
    }

    #[tokio::test]
    async fn delete_reports_whether_the_id_existed() {
        let store = MemoryStore::new();
        store.upsert("a", item("x")).await.unwrap();

        assert!(store.delete("a").await.unwrap());
        assert!(!store.delete("a").await.unwrap());
    }
}
