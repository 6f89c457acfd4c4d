-- Duplicate decisions: a merge (the removed record and the one it went
-- into) and a rep's "not a duplicate" for a pair. They sync like every other
-- entity, so that a client that pulls a merge re-points its own links to the
-- removed record, and a pair rejected on one machine is not suggested on
-- another.

CREATE TABLE dedupe_decisions (
    rid        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    deleted    INTEGER NOT NULL DEFAULT 0,
    owner      TEXT NOT NULL DEFAULT '',
    entity     TEXT NOT NULL DEFAULT '',
    kind       TEXT NOT NULL DEFAULT '',
    keep_id    TEXT NOT NULL DEFAULT '',
    other_id   TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX dedupe_decisions_kind ON dedupe_decisions (kind, entity, deleted);
