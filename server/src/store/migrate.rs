//! Versioned schema migrations, embedded from `server/migrations/<store>/NNNN_name.sql`.
//!
//! Each store keeps the highest applied version in `items_schema_version`. At start the store
//! applies the migrations it is missing, in order, each in the same transaction as its version
//! row; a database whose version is newer than any this binary knows is refused with a clear
//! error rather than served with a schema it does not understand.

/// One migration: its version and its SQL.
#[derive(Debug)]
pub struct Migration {
    /// 1, 2, …: applied in this order.
    pub version: i64,
    /// The SQL to run.
    pub sql: &'static str,
}

/// SQLite migrations, oldest first.
pub const SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        sql: include_str!("../../migrations/sqlite/0001_items.sql"),
    },
    Migration {
        version: 2,
        sql: include_str!("../../migrations/sqlite/0002_versions.sql"),
    },
];

/// PostgreSQL migrations, oldest first.
pub const POSTGRES: &[Migration] = &[
    Migration {
        version: 1,
        sql: include_str!("../../migrations/postgres/0001_items.sql"),
    },
    Migration {
        version: 2,
        sql: include_str!("../../migrations/postgres/0002_versions.sql"),
    },
];

/// The migrations after `current`, or an error if the database is newer than `known`.
pub fn pending(
    known: &'static [Migration],
    current: i64,
    store: &str,
) -> Result<&'static [Migration], String> {
    let latest = known.last().map_or(0, |m| m.version);
    if current > latest {
        return Err(format!(
            "the {store} database has schema version {current}, newer than the {latest} this items-server knows: \
             run a newer items-server, or point --store at another database"
        ));
    }
    Ok(&known[known.iter().take_while(|m| m.version <= current).count()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_consecutive_from_one() {
        for known in [SQLITE, POSTGRES] {
            let versions: Vec<i64> = known.iter().map(|m| m.version).collect();
            assert_eq!(versions, (1..=known.len() as i64).collect::<Vec<_>>());
        }
    }

    #[test]
    fn pending_skips_applied_and_refuses_newer_databases() {
        assert_eq!(pending(SQLITE, 0, "SQLite").unwrap().len(), SQLITE.len());
        assert!(pending(SQLITE, SQLITE.len() as i64, "SQLite")
            .unwrap()
            .is_empty());

        let err = pending(SQLITE, 99, "SQLite").unwrap_err();

        assert!(err.contains("schema version 99, newer than the 2"), "{err}");
    }
}
