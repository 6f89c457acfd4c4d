-- A record assigned to a user (a visit booked for a field rep: any record
-- with an "assignee" field) reaches that user whatever its territory, and
-- so do the company and the contact it names, with the company's records
-- (see assign.go). assignee holds the field's value, so that the scope
-- condition can use a column.
ALTER TABLE hub_records ADD COLUMN assignee TEXT NOT NULL DEFAULT '';
UPDATE hub_records SET assignee = json_extract(fields, '$.assignee')
    WHERE json_type(fields, '$.assignee') = 'text';
CREATE INDEX hub_records_assignee ON hub_records (assignee) WHERE assignee <> '';

-- grantee may read and write the company or contact record_id (and a
-- company's records) while the live record via_entity/via_id is assigned to
-- them and names it.
CREATE TABLE hub_grants (
    grantee    TEXT NOT NULL,
    entity     TEXT NOT NULL,
    record_id  TEXT NOT NULL,
    via_entity TEXT NOT NULL,
    via_id     TEXT NOT NULL,
    PRIMARY KEY (grantee, entity, record_id, via_entity, via_id)
) STRICT, WITHOUT ROWID;
INSERT INTO hub_grants (grantee, entity, record_id, via_entity, via_id)
    SELECT assignee, 'company', company_id, entity, id FROM hub_records
    WHERE assignee <> '' AND deleted = 0 AND company_id <> ''
    UNION
    SELECT assignee, 'contact', json_extract(fields, '$.contact_id'), entity, id FROM hub_records
    WHERE assignee <> '' AND deleted = 0 AND json_type(fields, '$.contact_id') = 'text'
        AND json_extract(fields, '$.contact_id') <> '';

-- A move names old_assignee when the record (or the record that granted
-- it) was assigned to that user before: they may have to drop it. '' when
-- no assignment changed.
ALTER TABLE hub_moves ADD COLUMN old_assignee TEXT NOT NULL DEFAULT '';

-- Their assignees have not received the records assigned before this
-- migration: they and the records they grant take new sequence numbers,
-- so that every client's next pull sends them.
CREATE TEMP TABLE resent AS
    SELECT entity, id, ROW_NUMBER() OVER (ORDER BY seq) AS n FROM hub_records r
    WHERE assignee <> ''
        OR EXISTS (SELECT 1 FROM hub_grants g WHERE g.entity = r.entity AND g.record_id = r.id)
        OR (company_id <> '' AND deleted = 0
            AND EXISTS (SELECT 1 FROM hub_grants g WHERE g.entity = 'company' AND g.record_id = r.company_id));
UPDATE hub_records SET seq = (SELECT seq FROM hub_counter WHERE id = 1) + resent.n
    FROM resent WHERE hub_records.entity = resent.entity AND hub_records.id = resent.id;
UPDATE hub_counter SET seq = seq + (SELECT COUNT(*) FROM resent) WHERE id = 1;
DROP TABLE resent;
