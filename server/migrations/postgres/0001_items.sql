-- Items by id. `version` counts writes since the row was inserted: an upsert that returns
-- version 1 created the row (how the store tells 201 from 200 atomically). Ids sort
-- bytewise (COLLATE "C"), as in the other stores, so keyset paging agrees everywhere.
CREATE TABLE items (
    id      TEXT COLLATE "C" PRIMARY KEY,
    name    TEXT,
    size    BIGINT,
    version BIGINT NOT NULL
);
