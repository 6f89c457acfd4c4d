-- Inside sales: lead qualification on contacts (budget, authority, need,
-- timeline), saved queue filters, call cadences and the contacts enrolled in
-- them. The three new entities sync like every other one, so they carry the
-- same metadata columns.
ALTER TABLE contacts ADD COLUMN budget TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN authority TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN need TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN timeline TEXT NOT NULL DEFAULT '';

CREATE TABLE saved_filters (
    rid        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    deleted    INTEGER NOT NULL DEFAULT 0,
    owner      TEXT NOT NULL DEFAULT '',
    name       TEXT NOT NULL DEFAULT '',
    filter     TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX saved_filters_name ON saved_filters (name COLLATE NOCASE, deleted);

CREATE TABLE cadences (
    rid        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    deleted    INTEGER NOT NULL DEFAULT 0,
    owner      TEXT NOT NULL DEFAULT '',
    name       TEXT NOT NULL DEFAULT '',
    steps      TEXT NOT NULL DEFAULT '[]'
) STRICT;
CREATE INDEX cadences_name ON cadences (name COLLATE NOCASE, deleted);

CREATE TABLE cadence_enrollments (
    rid         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    deleted     INTEGER NOT NULL DEFAULT 0,
    owner       TEXT NOT NULL DEFAULT '',
    cadence_id  TEXT NOT NULL DEFAULT '',
    contact_id  TEXT NOT NULL DEFAULT '',
    started_at  TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'active',
    stop_reason TEXT NOT NULL DEFAULT '',
    task_ids    TEXT NOT NULL DEFAULT '[]'
) STRICT;
CREATE INDEX cadence_enrollments_contact ON cadence_enrollments (contact_id, status, deleted);
CREATE INDEX cadence_enrollments_cadence ON cadence_enrollments (cadence_id, status, deleted);

-- Building a call queue. contacts_queue holds every column a queue reads,
-- in the queue's order: a queue of 20,000 of 100,000 contacts is read from
-- this narrow index instead of from rows spread over the whole table (10 ms
-- instead of half a second). The others find the contacts of a place (the
-- contact's first address or its company's) and the call tasks due.
CREATE INDEX contacts_queue ON contacts (deleted, lead_status, full_name COLLATE NOCASE, id, company_id,
    do_not_call, owner, phones, tags, json_extract(addresses, '$[0].city'));
CREATE INDEX contacts_city ON contacts (json_extract(addresses, '$[0].city') COLLATE NOCASE);
CREATE INDEX contacts_postal ON contacts (json_extract(addresses, '$[0].postal_code'));
CREATE INDEX companies_queue ON companies (id, deleted, name, city);
CREATE INDEX companies_city ON companies (city COLLATE NOCASE);
CREATE INDEX companies_postal ON companies (postal_code);
CREATE INDEX tasks_kind_due ON tasks (kind, done, deleted, due);
