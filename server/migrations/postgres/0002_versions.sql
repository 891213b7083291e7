-- Versions become ETags: every write takes the next value of one sequence, so a deleted and
-- re-created id never gets an old version back (the per-row count restarted at 1). The
-- sequence starts above every version already stored.
CREATE SEQUENCE item_version;
SELECT setval('item_version', (SELECT coalesce(max(version), 0) + 1 FROM items), false);
