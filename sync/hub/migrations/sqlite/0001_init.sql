-- The hub schema. Records are stored generically: fields and their versions
-- as JSON text, so that entities and fields of newer clients need no
-- migration. Every change takes the next number of hub_counter.seq.

CREATE TABLE hub_users (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    role        TEXT NOT NULL CHECK (role IN ('rep', 'manager', 'admin')),
    territories TEXT NOT NULL DEFAULT '[]',
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE hub_clients (
    client_id     TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES hub_users (id),
    last_mutation INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    seen_at       TEXT NOT NULL
) STRICT;

-- One row: seq is the last sequence number handed out (and committed);
-- horizon is the oldest cursor still served (older ones get 410).
CREATE TABLE hub_counter (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    seq     INTEGER NOT NULL,
    horizon INTEGER NOT NULL
) STRICT;
INSERT INTO hub_counter (id, seq, horizon) VALUES (1, 0, 0);

CREATE TABLE hub_records (
    entity     TEXT NOT NULL,
    id         TEXT NOT NULL,
    seq        INTEGER NOT NULL UNIQUE,
    owner      TEXT NOT NULL,
    territory  TEXT NOT NULL DEFAULT '',
    company_id TEXT NOT NULL DEFAULT '',
    deleted    INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    fields     TEXT NOT NULL,
    versions   TEXT NOT NULL,
    PRIMARY KEY (entity, id)
) STRICT;
CREATE INDEX hub_records_company ON hub_records (company_id) WHERE company_id <> '';

-- Every applied record change: who made it and the fields it set. Conflicts
-- read base values and authors from here.
CREATE TABLE hub_changes (
    seq       INTEGER PRIMARY KEY,
    entity    TEXT NOT NULL,
    record_id TEXT NOT NULL,
    op        TEXT NOT NULL,
    author    TEXT NOT NULL,
    client_id TEXT NOT NULL,
    fields    TEXT NOT NULL,
    at        TEXT NOT NULL
) STRICT;
CREATE INDEX hub_changes_at ON hub_changes (at);

-- A record's territory changed at seq: reps of the old territory may have to
-- drop it.
CREATE TABLE hub_moves (
    seq           INTEGER PRIMARY KEY,
    entity        TEXT NOT NULL,
    record_id     TEXT NOT NULL,
    old_territory TEXT NOT NULL
) STRICT;

CREATE TABLE hub_conflicts (
    id             TEXT PRIMARY KEY,
    seq            INTEGER NOT NULL UNIQUE,
    kind           TEXT NOT NULL,
    entity         TEXT NOT NULL,
    record_id      TEXT NOT NULL,
    field          TEXT NOT NULL DEFAULT '',
    base_value     TEXT,
    base_version   INTEGER NOT NULL,
    server_value   TEXT NOT NULL,
    server_version INTEGER NOT NULL,
    server_author  TEXT NOT NULL,
    client_value   TEXT NOT NULL,
    client_author  TEXT NOT NULL,
    client_id      TEXT NOT NULL,
    mutation       INTEGER NOT NULL,
    created_at     TEXT NOT NULL,
    resolved_by    TEXT NOT NULL DEFAULT '',
    resolution     TEXT NOT NULL DEFAULT '',
    resolved_at    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX hub_conflicts_record ON hub_conflicts (entity, record_id);
