package localdb

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"time"
)

// Hub record operations (pulls and snapshots).
const (
	HubUpsert = "upsert" // the record's full current state
	HubDelete = "delete" // deleted on the hub
	HubRemove = "remove" // left this user's scope: drop it here
)

// HubRecord is a record's state as the hub sent it in a pull or a snapshot.
type HubRecord struct {
	Op        string
	Entity    string
	ID        string
	Seq       int64
	Owner     string
	CreatedAt time.Time
	UpdatedAt time.Time
	Fields    map[string]json.RawMessage
	Versions  map[string]int64
}

// ApplyHubRecords writes records pulled from the hub, without journaling
// them, and then the field values that conflicts report the hub kept. Fields
// with unpushed local changes keep their local value and their old hub
// version (the push that carries them lets the hub decide); the hub's value
// is kept aside until then. A record with an unpushed delete stays deleted,
// one with an unpushed restore stays alive. Entities and fields this build
// does not know are skipped. snapGen > 0 marks the records as listed by
// that snapshot (see SweepUnlisted).
func (t *Tx) ApplyHubRecords(recs []HubRecord, hubValues []HubFieldValue, snapGen int64) error {
	ha, err := t.newHubApplier(snapGen)
	if err != nil {
		return err
	}
	for i := range recs {
		if err := ha.apply(&recs[i]); err != nil {
			return fmt.Errorf("apply %s %s %s from the hub: %w", recs[i].Op, recs[i].Entity, recs[i].ID, err)
		}
	}
	for _, hv := range hubValues {
		if err := ha.hubValue(recordKey{hv.Entity, hv.RecordID}, hv.Field, hv.Value, hv.Version); err != nil {
			return err
		}
	}
	return ha.flush()
}

// hubApplier applies hub state within one transaction, reading the unpushed
// journal once and writing each sync_records row once.
type hubApplier struct {
	t       *Tx
	snap    int64
	pending map[recordKey]*pendingRecord
	records map[recordKey]*syncRecord
	dirty   []recordKey
	removed map[recordKey]bool
	// local holds hub values to write into local records at flush.
	local map[recordKey]map[string]json.RawMessage
}

func (t *Tx) newHubApplier(snap int64) (*hubApplier, error) {
	pending, err := t.pendingByRecord()
	if err != nil {
		return nil, err
	}
	return &hubApplier{t: t, snap: snap, pending: pending, records: map[recordKey]*syncRecord{},
		removed: map[recordKey]bool{}, local: map[recordKey]map[string]json.RawMessage{}}, nil
}

func (ha *hubApplier) pendingField(k recordKey, field string) bool {
	p := ha.pending[k]
	return p != nil && p.fields[field]
}

// syncRecord returns the cached sync state of a record, marked for writing.
func (ha *hubApplier) syncRecord(k recordKey) (*syncRecord, error) {
	if r, ok := ha.records[k]; ok {
		return r, nil
	}
	r, err := ha.t.loadSyncRecord(k.entity, k.id)
	if err != nil {
		return nil, err
	}
	ha.records[k] = r
	ha.dirty = append(ha.dirty, k)
	delete(ha.removed, k)
	return r, nil
}

// freshSyncRecord replaces the sync state of a record without reading it.
func (ha *hubApplier) freshSyncRecord(k recordKey) *syncRecord {
	r := &syncRecord{versions: map[string]int64{}, shadow: map[string]shadowValue{}}
	if _, ok := ha.records[k]; !ok {
		ha.dirty = append(ha.dirty, k)
	}
	ha.records[k] = r
	delete(ha.removed, k)
	return r
}

// hubValue records that the hub holds value at version for a field: it
// becomes the local value unless a local change waits to be pushed or a
// newer hub version is known.
func (ha *hubApplier) hubValue(k recordKey, field string, value json.RawMessage, version int64) error {
	if ha.removed[k] {
		return nil
	}
	sr, err := ha.syncRecord(k)
	if err != nil {
		return err
	}
	if ha.pendingField(k, field) {
		if sh, ok := sr.shadow[field]; !ok || version > sh.N {
			if version > sr.versions[field] {
				sr.shadow[field] = shadowValue{V: value, N: version}
			}
		}
		return nil
	}
	if version < sr.versions[field] {
		return nil
	}
	ha.setLocal(k, field, value)
	sr.versions[field] = version
	if sh, ok := sr.shadow[field]; ok && sh.N <= version {
		delete(sr.shadow, field)
	}
	return nil
}

// settleShadow makes kept-aside hub values local again once their fields
// have no unpushed change left.
func (ha *hubApplier) settleShadow(k recordKey) error {
	if ha.removed[k] {
		return nil
	}
	sr, err := ha.syncRecord(k)
	if err != nil {
		return err
	}
	for f, sh := range sr.shadow {
		if ha.pendingField(k, f) {
			continue
		}
		if sh.N >= sr.versions[f] {
			ha.setLocal(k, f, sh.V)
			sr.versions[f] = sh.N
		}
		delete(sr.shadow, f)
	}
	return nil
}

func (ha *hubApplier) setLocal(k recordKey, field string, value json.RawMessage) {
	m := ha.local[k]
	if m == nil {
		m = map[string]json.RawMessage{}
		ha.local[k] = m
	}
	m[field] = value
}

// flush writes the local values and sync states collected.
func (ha *hubApplier) flush() error {
	t := ha.t
	keys := make([]recordKey, 0, len(ha.local))
	for k := range ha.local {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].entity != keys[j].entity {
			return keys[i].entity < keys[j].entity
		}
		return keys[i].id < keys[j].id
	})
	for _, k := range keys {
		sp, ok := specsByName[k.entity]
		if !ok || ha.removed[k] {
			continue
		}
		old, err := t.load(sp, k.id)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		values, err := storedValues(sp, ha.local[k])
		if err != nil {
			return fmt.Errorf("hub value of %s %s: %w", k.entity, k.id, err)
		}
		if err := ha.patchChanged(sp, k.id, old, values); err != nil {
			return err
		}
	}
	for _, k := range ha.dirty {
		if ha.removed[k] {
			continue
		}
		if err := t.saveSyncRecord(k.entity, k.id, ha.records[k]); err != nil {
			return err
		}
	}
	ha.dirty = ha.dirty[:0]
	return nil
}

// patchChanged writes the values that differ from the stored row, without
// journaling.
func (ha *hubApplier) patchChanged(sp *entitySpec, id string, old *rowHolder, values map[string]any) error {
	cur := old.values()
	changed := map[string]any{}
	for i := range sp.cols {
		if v, ok := values[sp.cols[i].name]; ok && v != cur[i] {
			changed[sp.cols[i].name] = v
		}
	}
	if len(changed) == 0 {
		return nil
	}
	if err := ha.t.patch(sp, id, old.version, changed, false); err != nil {
		return fmt.Errorf("apply hub values to %s %s: %w", sp.name, id, err)
	}
	return nil
}

// columnPositions maps each entity's column names to their position in
// entitySpec.cols (and in encode's output).
var columnPositions = sync.OnceValue(func() map[*entitySpec]map[string]int {
	out := map[*entitySpec]map[string]int{}
	for _, sp := range specsByName {
		m := make(map[string]int, len(sp.cols))
		for i, c := range sp.cols {
			m[c.name] = i
		}
		out[sp] = m
	}
	return out
})

// zeroValues holds each entity's stored values of a new, empty record.
var zeroValues = sync.OnceValues(func() (map[*entitySpec][]any, error) {
	out := map[*entitySpec][]any{}
	for _, sp := range specsByName {
		vals, err := sp.encode(newRecord(sp))
		if err != nil {
			return nil, err
		}
		out[sp] = vals
	}
	return out, nil
})

func (ha *hubApplier) apply(rec *HubRecord) error {
	sp, ok := specsByName[rec.Entity]
	if !ok {
		return nil // an entity of a newer version: nothing to keep it in
	}
	t := ha.t
	k := recordKey{rec.Entity, rec.ID}
	p := ha.pending[k]
	old, err := t.load(sp, rec.ID)
	exists := err == nil
	if err != nil && !isNotFound(err) {
		return err
	}
	switch rec.Op {
	case HubRemove:
		if exists {
			if _, err := t.exec("DELETE FROM "+sp.table+" WHERE id = ?", rec.ID); err != nil {
				return err
			}
			if err := t.unindex(sp, old.rid); err != nil {
				return err
			}
		}
		if _, err := t.exec(`DELETE FROM sync_records WHERE entity = ? AND record_id = ?`, rec.Entity, rec.ID); err != nil {
			return err
		}
		delete(ha.records, k)
		ha.removed[k] = true
		return nil
	case HubDelete:
		if !exists || (p != nil && p.restored) {
			return nil
		}
		if old.deleted == 0 {
			if _, err := t.exec("UPDATE "+sp.table+" SET deleted = 1, version = version + 1, updated_at = ? WHERE id = ?",
				formatTime(t.now), rec.ID); err != nil {
				return err
			}
			if err := t.unindex(sp, old.rid); err != nil {
				return err
			}
		}
		// A delete carries no values, so its versions are not taken: the
		// bases of a later restore stay those of values this machine has
		// seen.
		return nil
	case HubUpsert:
	default:
		return fmt.Errorf("unknown op %q", rec.Op)
	}
	if p != nil && p.deleted {
		return nil
	}
	// An upsert is the record's full state: a field it lacks is unset on
	// the hub.
	zero, err := zeroValues()
	if err != nil {
		return err
	}
	values := make(map[string]any, len(sp.cols))
	for i, c := range sp.cols {
		if p == nil || !p.fields[c.name] {
			values[c.name] = zero[sp][i]
		}
	}
	for name, raw := range rec.Fields {
		if _, ok := values[name]; !ok {
			continue // unknown to this build, or changed here and not yet pushed
		}
		v, err := sp.byName[name].storedValue(raw)
		if err != nil {
			return err
		}
		values[name] = v
	}
	if !exists {
		if err := ha.insert(sp, rec, values); err != nil {
			return err
		}
		return ha.takeVersions(k, rec, p)
	}
	if old.deleted != 0 {
		// Restored on the hub (or deleted here by a change the hub has
		// already answered): the hub's state wins.
		if _, err := t.exec("UPDATE "+sp.table+" SET deleted = 0 WHERE id = ?", rec.ID); err != nil {
			return err
		}
		if err := t.reindex(sp, rec.ID); err != nil {
			return err
		}
	}
	if err := ha.patchChanged(sp, rec.ID, old, values); err != nil {
		return err
	}
	if rec.Owner != "" && rec.Owner != old.owner {
		if _, err := t.exec("UPDATE "+sp.table+" SET owner = ? WHERE id = ?", rec.Owner, rec.ID); err != nil {
			return err
		}
	}
	return ha.takeVersions(k, rec, p)
}

// takeVersions stores the hub versions of a pulled record; fields with
// unpushed local changes keep their old version and get the hub's value
// kept aside.
func (ha *hubApplier) takeVersions(k recordKey, rec *HubRecord, p *pendingRecord) error {
	var sr *syncRecord
	if p == nil {
		sr = ha.freshSyncRecord(k)
		for f, v := range rec.Versions {
			sr.versions[f] = v
		}
	} else {
		var err error
		if sr, err = ha.syncRecord(k); err != nil {
			return err
		}
		for f, v := range rec.Versions {
			if !p.fields[f] {
				sr.versions[f] = v
				if sh, ok := sr.shadow[f]; ok && sh.N <= v {
					delete(sr.shadow, f)
				}
				continue
			}
			raw, ok := rec.Fields[f]
			if !ok || v <= sr.versions[f] {
				continue
			}
			if sh, ok := sr.shadow[f]; !ok || v > sh.N {
				sr.shadow[f] = shadowValue{V: raw, N: v}
			}
		}
	}
	sr.seq = rec.Seq
	if ha.snap > 0 {
		sr.snap = ha.snap
	}
	return nil
}

// insert writes a record this machine did not have.
func (ha *hubApplier) insert(sp *entitySpec, rec *HubRecord, values map[string]any) error {
	t := ha.t
	zero, err := zeroValues()
	if err != nil {
		return err
	}
	vals := append([]any(nil), zero[sp]...)
	pos := columnPositions()[sp]
	for name, v := range values {
		vals[pos[name]] = v
	}
	created, updated := rec.CreatedAt, rec.UpdatedAt
	if created.IsZero() {
		created = t.now
	}
	if updated.IsZero() {
		updated = created
	}
	owner := rec.Owner
	if owner == "" {
		owner = t.s.owner
	}
	args := make([]any, 0, len(vals)+6)
	args = append(args, rec.ID, formatTime(created), formatTime(updated), int64(1), int64(0), owner)
	args = append(args, vals...)
	res, err := t.exec(sp.insertSQL, args...)
	if err != nil {
		return err
	}
	if sp.kindCode == 0 {
		return nil
	}
	rid, err := res.LastInsertId()
	if err != nil {
		return err
	}
	if sp.name == EntityCompany {
		// Contacts and deals of this company that came first show its name
		// in search only now.
		delete(t.companyNames, rec.ID)
		if err := t.reindexCompanyMembers(rec.ID); err != nil {
			return err
		}
	}
	r := newRecord(sp)
	m := r.meta()
	m.ID, m.CreatedAt, m.UpdatedAt, m.Version, m.Owner = rec.ID, created, updated, 1, owner
	if err := sp.decodeInto(r, vals); err != nil {
		return err
	}
	return t.index(sp, rid, r)
}

// SweepUnlisted drops the local records that the snapshot of generation
// gen did not list and that have no unpushed change: after a full re-sync
// they are gone from the hub or from this user's scope. It returns how many
// it dropped.
func (t *Tx) SweepUnlisted(gen int64) (int, error) {
	dropped := 0
	for _, entity := range Entities() {
		sp := specsByName[entity]
		rows, err := t.query(`SELECT rid, id FROM `+sp.table+` x
			WHERE NOT EXISTS (SELECT 1 FROM sync_records r WHERE r.entity = ? AND r.record_id = x.id AND r.snap = ?)
			AND NOT EXISTS (SELECT 1 FROM journal j WHERE j.entity = ? AND j.record_id = x.id AND j.pushed_at = '')`,
			entity, gen, entity)
		if err != nil {
			return 0, fmt.Errorf("sweep %s: %w", entity, err)
		}
		type victim struct {
			rid int64
			id  string
		}
		var victims []victim
		for rows.Next() {
			var v victim
			if err := rows.Scan(&v.rid, &v.id); err != nil {
				rows.Close()
				return 0, fmt.Errorf("sweep %s: %w", entity, err)
			}
			victims = append(victims, v)
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return 0, fmt.Errorf("sweep %s: %w", entity, err)
		}
		rows.Close()
		for _, v := range victims {
			if _, err := t.exec("DELETE FROM "+sp.table+" WHERE rid = ?", v.rid); err != nil {
				return 0, fmt.Errorf("sweep %s %s: %w", entity, v.id, err)
			}
			if err := t.unindex(sp, v.rid); err != nil {
				return 0, fmt.Errorf("sweep %s %s: %w", entity, v.id, err)
			}
		}
		dropped += len(victims)
	}
	if _, err := t.exec(`DELETE FROM sync_records WHERE snap <> ?`, gen); err != nil {
		return 0, fmt.Errorf("sweep sync state: %w", err)
	}
	return dropped, nil
}
