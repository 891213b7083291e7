//! Items in memory: a `BTreeMap` (ordered, so a listing is a range scan) behind one lock,
//! which makes each upsert, and the check of its precondition, atomic. Gone when the process
//! ends; for tests and demos.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::RwLock;
use std::time::{SystemTime, UNIX_EPOCH};

use super::{Delete, Item, ItemStore, Precondition, StoreError, Stored, Upsert, Version};

/// Items in memory; gone when the process ends.
#[derive(Debug)]
pub struct MemoryStore {
    items: RwLock<Items>,
}

#[derive(Debug)]
struct Items {
    by_id: BTreeMap<String, Stored>,
    /// The last version handed out.
    last: i64,
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryStore {
    /// An empty store.
    ///
    /// Versions start at the clock's microseconds, so tags a client kept from an earlier run
    /// of the process do not match items of this one (unless it wrote over a million times a
    /// second for the whole earlier run).
    pub fn new() -> Self {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_micros());
        MemoryStore {
            items: RwLock::new(Items {
                by_id: BTreeMap::new(),
                last: i64::try_from(now).unwrap_or(0),
            }),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Items> {
        // A panic while holding the lock cannot leave a half-written map (every write is one
        // insert or remove), so a poisoned lock is still consistent.
        self.items.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Items> {
        self.items.write().unwrap_or_else(|e| e.into_inner())
    }
}

impl Items {
    fn store(&mut self, id: &str, item: Item) -> (Stored, Option<Stored>) {
        self.last += 1;
        let stored = Stored {
            item,
            version: Version(self.last),
        };
        let previous = self.by_id.insert(id.to_owned(), stored.clone());
        (stored, previous)
    }
}

impl ItemStore for MemoryStore {
    async fn get(&self, id: &str) -> Result<Option<Stored>, StoreError> {
        Ok(self.read().by_id.get(id).cloned())
    }

    async fn upsert(
        &self,
        id: &str,
        item: Item,
        when: &Precondition,
    ) -> Result<Upsert, StoreError> {
        let mut items = self.write();
        if !when.holds(items.by_id.get(id).map(|s| s.version)) {
            return Ok(Upsert::PreconditionFailed);
        }
        Ok(match items.store(id, item) {
            (stored, Some(_)) => Upsert::Updated(stored),
            (stored, None) => Upsert::Created(stored),
        })
    }

    async fn delete(&self, id: &str, when: &Precondition) -> Result<Delete, StoreError> {
        let mut items = self.write();
        let current = items.by_id.get(id).map(|s| s.version);
        Ok(if !when.holds(current) {
            Delete::PreconditionFailed
        } else if items.by_id.remove(id).is_some() {
            Delete::Deleted
        } else {
            Delete::NotFound
        })
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
            .by_id
            .range::<str, _>((lower, Bound::Unbounded))
            .take(limit)
            .map(|(id, stored)| (id.clone(), stored.item.clone()))
            .collect())
    }

    async fn insert_if_absent(&self, id: &str, item: Item) -> Result<bool, StoreError> {
        let mut items = self.write();
        if items.by_id.contains_key(id) {
            return Ok(false);
        }
        items.store(id, item);
        Ok(true)
    }
}
