-- Versions become ETags: every write takes the next value of one counter, so a deleted and
-- re-created id never gets an old version back (the per-row count restarted at 1). The counter
-- starts above every version already stored.
CREATE TABLE item_versions (last INTEGER NOT NULL);
INSERT INTO item_versions (last) SELECT coalesce(max(version), 0) FROM items;
