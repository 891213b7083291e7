-- Items by id. `version` counts writes since the row was inserted: an upsert that returns
-- version 1 created the row (how the store tells 201 from 200 atomically).
CREATE TABLE items (
    id      TEXT PRIMARY KEY NOT NULL,
    name    TEXT,
    size    INTEGER,
    version INTEGER NOT NULL
) WITHOUT ROWID;
