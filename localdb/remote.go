package localdb

import (
	"encoding/json"
	"fmt"
	"time"
)

// Remote operations, as pulled from the hub.
const (
	RemoteUpsert = "upsert" // create or update with the given fields
	RemoteDelete = "delete" // deleted on the hub: keep a tombstone
	RemoteRemove = "remove" // left this rep's scope: drop locally
)

// RemoteChange is a change pulled from the hub.
type RemoteChange struct {
	Entity    string
	ID        string
	Op        string
	Fields    map[string]json.RawMessage // only fields the hub sent; unknown ones are ignored
	Owner     string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ApplyRemote writes a change pulled from the hub without journaling it.
// Fields that have local changes not yet pushed keep their local value: the
// push carries them to the hub, which decides (and records any conflict).
func (t *Tx) ApplyRemote(rc RemoteChange) error {
	sp, ok := specsByName[rc.Entity]
	if !ok {
		return nil // an entity of a newer version: nothing to store it in
	}
	pending, pendingDelete, err := t.pendingFields(rc.Entity, rc.ID)
	if err != nil {
		return fmt.Errorf("apply remote %s %s: %w", rc.Entity, rc.ID, err)
	}
	old, err := t.load(sp, rc.ID)
	exists := err == nil
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("apply remote: %w", err)
	}
	switch rc.Op {
	case RemoteRemove:
		if !exists {
			return nil
		}
		if _, err := t.exec("DELETE FROM "+sp.table+" WHERE id = ?", rc.ID); err != nil {
			return fmt.Errorf("apply remote remove %s %s: %w", rc.Entity, rc.ID, err)
		}
		if err := t.unindex(sp, old.rid); err != nil {
			return fmt.Errorf("apply remote remove %s %s: %w", rc.Entity, rc.ID, err)
		}
		return t.companyChanged(sp, rc.ID)
	case RemoteDelete:
		if !exists {
			// Keep a tombstone so that a later stale upsert cannot resurrect it.
			if err := t.insertRemote(sp, rc, map[string]any{}); err != nil {
				return err
			}
			old, err = t.load(sp, rc.ID)
			if err != nil {
				return err
			}
		}
		if old.deleted != 0 {
			return nil
		}
		if _, err := t.exec("UPDATE "+sp.table+" SET deleted = 1, version = version + 1, updated_at = ? WHERE id = ?",
			formatTime(t.now), rc.ID); err != nil {
			return fmt.Errorf("apply remote delete %s %s: %w", rc.Entity, rc.ID, err)
		}
		if err := t.unindex(sp, old.rid); err != nil {
			return fmt.Errorf("apply remote delete %s %s: %w", rc.Entity, rc.ID, err)
		}
		return t.companyChanged(sp, rc.ID)
	case RemoteUpsert:
	default:
		return fmt.Errorf("apply remote %s %s: unknown op %q", rc.Entity, rc.ID, rc.Op)
	}
	if pendingDelete {
		return nil
	}
	values := map[string]any{}
	for name, raw := range rc.Fields {
		c, ok := sp.byName[name]
		if !ok || pending[name] {
			continue
		}
		v, err := c.storedValue(raw)
		if err != nil {
			return fmt.Errorf("apply remote %s %s: %w", rc.Entity, rc.ID, err)
		}
		values[name] = v
	}
	if !exists {
		return t.insertRemote(sp, rc, values)
	}
	if old.deleted != 0 {
		// A delete that the hub has not yet seen, or one it already sent
		// us: in both cases the tombstone stands.
		return nil
	}
	cur := old.values()
	changed := map[string]any{}
	for i, c := range sp.cols {
		if v, ok := values[c.name]; ok && v != cur[i] {
			changed[c.name] = v
		}
	}
	if len(changed) == 0 {
		return nil
	}
	if err := t.patch(sp, rc.ID, old.version, changed, false); err != nil {
		return fmt.Errorf("apply remote %s %s: %w", rc.Entity, rc.ID, err)
	}
	return nil
}

func (t *Tx) insertRemote(sp *entitySpec, rc RemoteChange, values map[string]any) error {
	rec := zeroRecord(sp)
	zero, err := sp.encode(rec)
	if err != nil {
		return err
	}
	for i, c := range sp.cols {
		if v, ok := values[c.name]; ok {
			zero[i] = v
		}
	}
	created, updated := rc.CreatedAt, rc.UpdatedAt
	if created.IsZero() {
		created = t.now
	}
	if updated.IsZero() {
		updated = t.now
	}
	args := append([]any{rc.ID, formatTime(created), formatTime(updated), 1, 0, rc.Owner}, zero...)
	res, err := t.exec(sp.insertSQL, args...)
	if err != nil {
		return fmt.Errorf("apply remote %s %s: %w", sp.name, rc.ID, err)
	}
	if sp.kindCode == 0 {
		return nil
	}
	rid, err := res.LastInsertId()
	if err != nil {
		return err
	}
	h, err := t.load(sp, rc.ID)
	if err != nil {
		return err
	}
	if err := sp.fill(rec, h); err != nil {
		return err
	}
	return t.index(sp, rid, rec)
}

// pendingFields lists the fields of a record with unpushed local changes.
func (t *Tx) pendingFields(entity, id string) (fields map[string]bool, deleted bool, err error) {
	rows, err := t.query(`SELECT op, fields FROM journal WHERE entity = ? AND record_id = ? AND pushed_at = ''`, entity, id)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	fields = map[string]bool{}
	for rows.Next() {
		var op, body string
		if err := rows.Scan(&op, &body); err != nil {
			return nil, false, err
		}
		if op == OpDelete {
			deleted = true
		}
		var f map[string]json.RawMessage
		if err := json.Unmarshal([]byte(body), &f); err != nil {
			return nil, false, err
		}
		for k := range f {
			fields[k] = true
		}
	}
	return fields, deleted, rows.Err()
}
