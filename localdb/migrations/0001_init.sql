-- The first schema. Every entity table has an integer rowid (rid) that search
-- rows point at, the client-generated UUIDv7 id, and the sync metadata.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE stages (
    name        TEXT PRIMARY KEY,
    position    INTEGER NOT NULL,
    probability INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100),
    closed      TEXT NOT NULL DEFAULT '' CHECK (closed IN ('', 'won', 'lost'))
) STRICT;

INSERT INTO stages (name, position, probability, closed) VALUES
    ('Lead', 1, 10, ''),
    ('Qualified', 2, 25, ''),
    ('Proposal', 3, 50, ''),
    ('Negotiation', 4, 75, ''),
    ('Won', 5, 100, 'won'),
    ('Lost', 6, 0, 'lost');

CREATE TABLE companies (
    rid         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    deleted     INTEGER NOT NULL DEFAULT 0,
    owner       TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL DEFAULT '',
    industry    TEXT NOT NULL DEFAULT '',
    website     TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    street      TEXT NOT NULL DEFAULT '',
    postal_code TEXT NOT NULL DEFAULT '',
    city        TEXT NOT NULL DEFAULT '',
    region      TEXT NOT NULL DEFAULT '',
    country     TEXT NOT NULL DEFAULT '',
    tags        TEXT NOT NULL DEFAULT '[]',
    notes       TEXT NOT NULL DEFAULT '',
    territory   TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX companies_name ON companies (deleted, name COLLATE NOCASE);

CREATE TABLE contacts (
    rid         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    deleted     INTEGER NOT NULL DEFAULT 0,
    owner       TEXT NOT NULL DEFAULT '',
    full_name   TEXT NOT NULL DEFAULT '',
    given_name  TEXT NOT NULL DEFAULT '',
    family_name TEXT NOT NULL DEFAULT '',
    prefix      TEXT NOT NULL DEFAULT '',
    suffix      TEXT NOT NULL DEFAULT '',
    title       TEXT NOT NULL DEFAULT '',
    company_id  TEXT NOT NULL DEFAULT '',
    emails      TEXT NOT NULL DEFAULT '[]',
    phones      TEXT NOT NULL DEFAULT '[]',
    addresses   TEXT NOT NULL DEFAULT '[]',
    birthday    TEXT NOT NULL DEFAULT '',
    website     TEXT NOT NULL DEFAULT '',
    tags        TEXT NOT NULL DEFAULT '[]',
    notes       TEXT NOT NULL DEFAULT '',
    lead_status TEXT NOT NULL DEFAULT 'new',
    source      TEXT NOT NULL DEFAULT '',
    do_not_call INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX contacts_name ON contacts (deleted, full_name COLLATE NOCASE);
CREATE INDEX contacts_company ON contacts (company_id);

CREATE TABLE deals (
    rid            INTEGER PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    deleted        INTEGER NOT NULL DEFAULT 0,
    owner          TEXT NOT NULL DEFAULT '',
    title          TEXT NOT NULL DEFAULT '',
    company_id     TEXT NOT NULL DEFAULT '',
    contact_id     TEXT NOT NULL DEFAULT '',
    stage          TEXT NOT NULL DEFAULT 'Lead',
    amount         INTEGER NOT NULL DEFAULT 0,
    currency       TEXT NOT NULL DEFAULT 'EUR',
    probability    INTEGER NOT NULL DEFAULT 0,
    expected_close TEXT NOT NULL DEFAULT '',
    next_step      TEXT NOT NULL DEFAULT '',
    lost_reason    TEXT NOT NULL DEFAULT '',
    closed_at      TEXT NOT NULL DEFAULT '',
    tags           TEXT NOT NULL DEFAULT '[]'
) STRICT;
CREATE INDEX deals_stage ON deals (deleted, stage);
CREATE INDEX deals_company ON deals (company_id);
CREATE INDEX deals_contact ON deals (contact_id);

CREATE TABLE activities (
    rid         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    deleted     INTEGER NOT NULL DEFAULT 0,
    owner       TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL DEFAULT 'note',
    direction   TEXT NOT NULL DEFAULT '',
    outcome     TEXT NOT NULL DEFAULT '',
    duration_s  INTEGER NOT NULL DEFAULT 0,
    occurred_at TEXT NOT NULL DEFAULT '',
    subject     TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL DEFAULT '',
    contact_id  TEXT NOT NULL DEFAULT '',
    company_id  TEXT NOT NULL DEFAULT '',
    deal_id     TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX activities_contact ON activities (contact_id, occurred_at);
CREATE INDEX activities_company ON activities (company_id, occurred_at);
CREATE INDEX activities_deal ON activities (deal_id, occurred_at);

CREATE TABLE tasks (
    rid        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    deleted    INTEGER NOT NULL DEFAULT 0,
    owner      TEXT NOT NULL DEFAULT '',
    title      TEXT NOT NULL DEFAULT '',
    kind       TEXT NOT NULL DEFAULT 'follow_up',
    due        TEXT NOT NULL DEFAULT '',
    done       INTEGER NOT NULL DEFAULT 0,
    contact_id TEXT NOT NULL DEFAULT '',
    company_id TEXT NOT NULL DEFAULT '',
    deal_id    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX tasks_open ON tasks (deleted, done, due);
CREATE INDEX tasks_contact ON tasks (contact_id);

CREATE TABLE visits (
    rid        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    deleted    INTEGER NOT NULL DEFAULT 0,
    owner      TEXT NOT NULL DEFAULT '',
    start_at   TEXT NOT NULL DEFAULT '',
    end_at     TEXT NOT NULL DEFAULT '',
    company_id TEXT NOT NULL DEFAULT '',
    contact_id TEXT NOT NULL DEFAULT '',
    assignee   TEXT NOT NULL DEFAULT '',
    purpose    TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL DEFAULT 'planned',
    report     TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX visits_start ON visits (deleted, start_at);
CREATE INDEX visits_company ON visits (company_id);

-- The change journal: the outbox that sync pushes. seq is the per-client
-- mutation number; AUTOINCREMENT guarantees it never repeats, even after the
-- newest rows were deleted.
CREATE TABLE journal (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    op_id        TEXT NOT NULL UNIQUE,
    entity       TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    op           TEXT NOT NULL CHECK (op IN ('create', 'patch', 'delete')),
    fields       TEXT NOT NULL DEFAULT '{}',
    base_version INTEGER NOT NULL,
    at           TEXT NOT NULL,
    pushed_at    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX journal_pending ON journal (pushed_at, seq);
CREATE INDEX journal_record ON journal (entity, record_id);

-- Search over contacts, companies and deals. rowid = entity rid * 4 + kind
-- code, so a record's search row is found without a scan. alt holds spelled-out
-- umlauts (Müller -> Mueller) so both spellings find a name.
CREATE VIRTUAL TABLE search USING fts5 (
    kind UNINDEXED,
    record_id UNINDEXED,
    name,
    alt,
    company,
    emails,
    phones,
    city,
    tags,
    notes,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);
