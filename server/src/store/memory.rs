//! Items in memory: a `BTreeMap` (ordered, so a listing is a range scan) behind one lock,
//! which makes each upsert atomic. Gone when the process ends; for tests and demos.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::RwLock;

use super::{Item, ItemStore, StoreError, Upsert};

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
