//! What the baseline servers share: the command line and the in-memory item store, both
//! written like items-server's (`server/src/config.rs`, `server/src/store/memory.rs`) so that
//! only the HTTP layer differs between them.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::RwLock;

/// The listen address when `--listen` is not given.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8000";

/// Largest request body accepted (the spec's 413 says 64 KiB).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The command line of every baseline: `[--listen ADDR] [--seed]`.
#[derive(Debug)]
pub struct Args {
    /// Address to listen on.
    pub listen: String,
    /// Insert the seed items foo and bar.
    pub seed: bool,
}

impl Args {
    /// Parses `std::env::args()`; prints usage and exits on `--help` or a bad flag.
    pub fn parse(program: &str) -> Args {
        let usage = format!("usage: {program} [--listen ADDR] [--seed]");
        let mut args = Args {
            listen: DEFAULT_LISTEN.to_owned(),
            seed: false,
        };
        let mut it = std::env::args().skip(1);
        while let Some(arg) = it.next() {
            match arg.as_str() {
                "--seed" => args.seed = true,
                "--listen" => match it.next() {
                    Some(addr) => args.listen = addr,
                    None => fail(&usage, "--listen needs an address"),
                },
                "-h" | "--help" => {
                    println!("{usage}");
                    std::process::exit(0);
                }
                other => match other.strip_prefix("--listen=") {
                    Some(addr) => args.listen = addr.to_owned(),
                    None => fail(&usage, &format!("unknown argument `{other}`")),
                },
            }
        }
        args
    }
}

fn fail(usage: &str, message: &str) -> ! {
    eprintln!("{message}\n{usage}");
    std::process::exit(2)
}

/// What is stored under an id: both fields may be null.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
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

/// Items in memory: ordered (a listing is a range scan) behind one lock (an upsert is atomic).
#[derive(Debug, Default)]
pub struct MemoryStore {
    items: RwLock<BTreeMap<String, Item>>,
}

impl MemoryStore {
    /// An empty store, or one holding the seed items foo and bar when `seed` is set.
    pub fn new(seed: bool) -> Self {
        let store = Self::default();
        if seed {
            for (id, name, size) in [("foo", "Fighters", 6), ("bar", "Tenders", 3)] {
                let item = Item {
                    name: Some(name.to_owned()),
                    size: Some(size),
                };
                store.write().entry(id.to_owned()).or_insert(item);
            }
        }
        store
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Item>> {
        // Every write is one insert or remove, so a poisoned lock still holds a whole map.
        self.items.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<String, Item>> {
        self.items.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The item stored under `id`, if any.
    pub fn get(&self, id: &str) -> Option<Item> {
        self.read().get(id).cloned()
    }

    /// Stores `item` under `id`, replacing what was there; the lookup and the insert happen
    /// under one write lock, so of concurrent PUTs of a new id exactly one is `Created`.
    pub fn upsert(&self, id: &str, item: Item) -> Upsert {
        let previous = self.write().insert(id.to_owned(), item.clone());
        match previous {
            Some(_) => Upsert::Updated(item),
            None => Upsert::Created(item),
        }
    }

    /// Removes `id`; false if it was not there.
    pub fn delete(&self, id: &str) -> bool {
        self.write().remove(id).is_some()
    }

    /// Up to `limit` items with ids greater than `after`, in ascending id order.
    pub fn list(&self, after: Option<&str>, limit: usize) -> Vec<(String, Item)> {
        let items = self.read();
        let lower = match after {
            Some(id) => Bound::Excluded(id),
            None => Bound::Unbounded,
        };
        items
            .range::<str, _>((lower, Bound::Unbounded))
            .take(limit)
            .map(|(id, item)| (id.clone(), item.clone()))
            .collect()
    }
}
