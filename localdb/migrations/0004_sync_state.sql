-- Sync state: what this installation knows of the hub. Nothing here is
-- journaled; a sync rebuilds all of it from the hub except the client id.

-- Single values: client id, server, user, pull cursor, snapshot progress.
CREATE TABLE sync_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- The hub's view of each record this client holds: the record version (seq)
-- last pulled, the hub's version of every field as last seen (the base that
-- pushes send), and the hub's values of fields that were kept locally
-- because of unpushed local changes ({"field": {"v": value, "n": version}}).
-- snap is the generation of the last full snapshot that listed the record.
CREATE TABLE sync_records (
    entity    TEXT NOT NULL,
    record_id TEXT NOT NULL,
    seq       INTEGER NOT NULL DEFAULT 0,
    versions  TEXT NOT NULL DEFAULT '{}',
    shadow    TEXT NOT NULL DEFAULT '{}',
    snap      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (entity, record_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX sync_records_shadowed ON sync_records (entity, record_id) WHERE shadow <> '{}';

-- Journal entries that go to the hub otherwise than their journal op says:
-- a restore (undelete, journaled as a patch), a conflict resolution
-- (journaled as a patch without fields), or a patch with given bases (keep
-- mine: based on the value the conflict reported, {"field": version}).
CREATE TABLE sync_ops (
    seq        INTEGER PRIMARY KEY REFERENCES journal (seq) ON DELETE CASCADE,
    op         TEXT NOT NULL CHECK (op IN ('patch', 'restore', 'resolve')),
    conflict   TEXT NOT NULL DEFAULT '',
    resolution TEXT NOT NULL DEFAULT '',
    bases      TEXT NOT NULL DEFAULT '{}'
) STRICT;

-- Conflicts the hub recorded on records this client holds. body is the
-- hub's conflict as JSON; resolution is set when the rep decided here.
CREATE TABLE sync_conflicts (
    id          TEXT PRIMARY KEY,
    seq         INTEGER NOT NULL,
    entity      TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    body        TEXT NOT NULL,
    resolved    INTEGER NOT NULL DEFAULT 0,
    resolution  TEXT NOT NULL DEFAULT '',
    resolved_at TEXT NOT NULL DEFAULT '',
    received_at TEXT NOT NULL
) STRICT;
CREATE INDEX sync_conflicts_open ON sync_conflicts (resolved, resolution, seq);
CREATE INDEX sync_conflicts_record ON sync_conflicts (entity, record_id);

-- Local changes the hub refused, with its reason: shown to the rep.
CREATE TABLE sync_rejected (
    mutation  INTEGER PRIMARY KEY,
    entity    TEXT NOT NULL,
    record_id TEXT NOT NULL,
    op        TEXT NOT NULL,
    fields    TEXT NOT NULL DEFAULT '[]',
    reason    TEXT NOT NULL,
    at        TEXT NOT NULL
) STRICT;

-- One row per sync, for the sync history.
CREATE TABLE sync_runs (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL DEFAULT '',
    pushed      INTEGER NOT NULL DEFAULT 0,
    pulled      INTEGER NOT NULL DEFAULT 0,
    conflicts   INTEGER NOT NULL DEFAULT 0,
    rejected    INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT ''
) STRICT;
