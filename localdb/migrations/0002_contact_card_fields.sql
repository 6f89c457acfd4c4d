-- Fields that vCards carry and reps expect back on export: the card's UID
-- (the first key a re-import matches on), department, role and the photo as a
-- data: URI (or the URL a card pointed at).
ALTER TABLE contacts ADD COLUMN uid TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN department TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN role TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN photo TEXT NOT NULL DEFAULT '';
CREATE INDEX contacts_uid ON contacts (uid) WHERE uid != '';
