package localdb

import "fmt"

// The contact_tags rows of new contacts are written by the code that inserts
// them, right after the INSERT (migration 0012 says why); updates and deletes
// keep them by trigger.

const (
	tagOneSQL = `INSERT OR IGNORE INTO contact_tags (tag, contact_rid)
		SELECT value, ? FROM json_each(?) WHERE type = 'text'`
	tagRangeSQL = `INSERT OR IGNORE INTO contact_tags (tag, contact_rid)
		SELECT t.value, c.rid FROM contacts c, json_each(c.tags) t
		WHERE c.rid BETWEEN ? AND ? AND +c.deleted = 0 AND c.tags <> '[]' AND t.type = 'text'`
)

// In tagRangeSQL, "+c.deleted" keeps SQLite from reading the range through
// an index on deleted (contacts_queue), which it otherwise prefers: that
// read every live contact for each batch.

// tagNew writes the tag rows of a live record of sp just inserted at rid
// with the stored column values vals; other entities have none.
func (t *Tx) tagNew(sp *entitySpec, rid int64, vals []any) error {
	if sp.tagsCol < 0 {
		return nil
	}
	tags, _ := vals[sp.tagsCol].(string)
	if tags == "" || tags == "[]" {
		return nil
	}
	if _, err := t.exec(tagOneSQL, rid, tags); err != nil {
		return fmt.Errorf("contact tags: %w", err)
	}
	return nil
}

// tagRange writes the tag rows of the live records of sp inserted at the
// rids from..to, in one statement.
func (t *Tx) tagRange(sp *entitySpec, from, to int64) error {
	if sp.tagsCol < 0 {
		return nil
	}
	if _, err := t.exec(tagRangeSQL, from, to); err != nil {
		return fmt.Errorf("contact tags: %w", err)
	}
	return nil
}
