-- Search, second layout. Search ranks bounded windows of matches instead of
-- every match (bm25 over tens of thousands of prefix matches was far too slow
-- for searching as you type), which needs:
--  * rowid = kind code << 40 | rid, so that a search restricted to one kind is
--    a rowid range FTS5 seeks (companies 1, deals 2, contacts 3; the first
--    layout had rowid = rid * 4 + code with contacts 2 and deals 3);
--  * search_name, the names alone (and their spelled-out umlauts), so that the
--    name tiers never wade through matches in other fields;
--  * prefix indexes for the prefixes typed while searching: names from the
--    first letter, all fields from three characters on, up to six (a prefix
--    without an index makes FTS5 merge the lists of all words starting with
--    it, slow for common names and for phone numbers, which are distinct
--    words each; every prefix index makes every write slower, though);
--  * no positions (detail = none): Search matches words, never phrases, and
--    ranks without bm25, so positions would only make every write and every
--    query slower.
CREATE VIRTUAL TABLE search_v3 USING fts5 (
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
    prefix = '3 4 5 6',
    detail = none
);
INSERT INTO search_v3 (rowid, kind, record_id, name, alt, company, emails, phones, city, tags, notes)
    SELECT (CASE rowid % 4 WHEN 2 THEN 3 WHEN 3 THEN 2 ELSE 1 END) << 40 | (rowid / 4), kind, record_id, name, alt, company, emails, phones, city, tags, notes
    FROM search;
DROP TABLE search;
ALTER TABLE search_v3 RENAME TO search;

CREATE VIRTUAL TABLE search_name USING fts5 (
    name,
    alt,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3 4 5 6',
    detail = none
);
INSERT INTO search_name (rowid, name, alt)
    SELECT rowid, name, CASE WHEN spelled = name THEN '' ELSE spelled END
    FROM (SELECT rowid, name,
            replace(replace(replace(replace(replace(replace(replace(name,
                'ä', 'ae'), 'ö', 'oe'), 'ü', 'ue'), 'Ä', 'Ae'), 'Ö', 'Oe'), 'Ü', 'Ue'), 'ß', 'ss') AS spelled
          FROM search);

-- FTS5 merges index segments as they pile up; merging when eight (not four)
-- are on one level halves the merge work of a write for a few more segments
-- to read.
INSERT INTO search (search, rank) VALUES ('automerge', 8);
INSERT INTO search_name (search_name, rank) VALUES ('automerge', 8);
