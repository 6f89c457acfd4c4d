-- The tags of a new contact are written into contact_tags by the code that
-- inserts the contact (Tx.tagNew, tagRange), no longer by a trigger: the
-- trigger cost about 20 µs per contact (a trigger program and json_each for
-- every row of an import or a first sync) and made every INSERT into
-- contacts a multi-table write, which SQLite journals per statement. Updates
-- and deletes keep their triggers: they are single rows the rep changes.
DROP TRIGGER contact_tags_insert;
