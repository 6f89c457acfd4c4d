package localdb

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
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
	// RawVersions, when Versions is nil, holds them as the hub sent them (a
	// JSON object of field versions): stored as they are when they can be.
	RawVersions json.RawMessage
	// Own (upsert): the record's last change, at Seq, was this client's;
	// the fields it set (version Seq) are not in Fields and keep their
	// local values.
	Own bool
	// prepared holds what PrepareHubRecords worked out from the fields
	// above; nil until then.
	prepared *preparedRecord
}

// preparedRecord is the part of applying a hub record that needs no
// database: its values as stored, in column order, and its checked field
// versions.
type preparedRecord struct {
	vals             []any // Fields as stored; zero values for fields not sent
	created, updated string
	// versionsChecked: RawVersions is a JSON object.
	versionsChecked bool
	err             error // what ApplyHubRecords reports for the record
}

// PrepareHubRecords does for recs the work of ApplyHubRecords that needs no
// database: their field values are converted to the column values stored
// and their field versions checked. A first sync calls it on the goroutine
// that fetches the next page while the current one is applied, which takes
// this work (a fifth of storing a page) off the transaction's goroutine. A
// record whose values are refused keeps its error for ApplyHubRecords to
// report.
func PrepareHubRecords(recs []HubRecord) error {
	zero, err := zeroValues()
	if err != nil {
		return err
	}
	positions := columnPositions()
	// One allocation for the page's records and one per few hundred
	// records' values, instead of two per record.
	prepared := make([]preparedRecord, len(recs))
	var slab []any
	for i := range recs {
		rec := &recs[i]
		sp, ok := specsByName[rec.Entity]
		if !ok || rec.Op != HubUpsert {
			continue
		}
		width := len(sp.cols)
		if len(slab) < width {
			slab = make([]any, 256*width)
		}
		p := &prepared[i]
		p.vals, slab = slab[:width:width], slab[width:]
		copy(p.vals, zero[sp])
		p.err = storedFields(sp, positions[sp], rec.Fields, nil, p.vals)
		p.created, p.updated = formatTime(rec.CreatedAt), formatTime(rec.UpdatedAt)
		if p.err == nil && rec.Versions == nil && len(rec.RawVersions) > 0 {
			p.err = checkRawVersions(rec.RawVersions)
			p.versionsChecked = p.err == nil
		}
		rec.prepared = p
	}
	return nil
}

// storedFields sets vals (in column order) to the stored values of the
// fields this build knows, except those in skip.
func storedFields(sp *entitySpec, pos map[string]int, fields map[string]json.RawMessage, skip map[string]bool, vals []any) error {
	for name, raw := range fields {
		i, ok := pos[name]
		if !ok || skip[name] {
			continue // unknown to this build, or changed here and not yet pushed
		}
		v, err := hubStoredValue(&sp.cols[i], raw)
		if err != nil {
			return err
		}
		vals[i] = v
	}
	return nil
}

// checkRawVersions refuses field versions that are not a JSON object.
func checkRawVersions(raw json.RawMessage) error {
	if raw[0] != '{' || !json.Valid(raw) {
		return fmt.Errorf("field versions %.40q: not a JSON object", raw)
	}
	return nil
}

// ErrOwnRecordMissing is returned when the hub sends a record as this
// client's own (without the values this client set) but it is not stored
// here: only a full re-sync can bring its values.
var ErrOwnRecordMissing = errors.New("a record the hub sent as this client's own is not stored here")

// versions returns the record's field versions, decoding them if raw.
func (r *HubRecord) versions() (map[string]int64, error) {
	if r.Versions != nil || len(r.RawVersions) == 0 {
		return r.Versions, nil
	}
	var v map[string]int64
	if err := json.Unmarshal(r.RawVersions, &v); err != nil {
		return nil, fmt.Errorf("field versions: %w", err)
	}
	return v, nil
}

// ApplyOptions tune ApplyHubRecords.
type ApplyOptions struct {
	// SnapshotGen > 0 marks the records as listed by that snapshot (see
	// SweepUnlisted).
	SnapshotGen int64
	// DeferIndex leaves new records out of search until IndexPending: a
	// first sync of a large book stores them several times faster.
	DeferIndex bool
}

// ApplyHubRecords writes records pulled from the hub, without journaling
// them, and then the field values that conflicts report the hub kept. Fields
// with unpushed local changes keep their local value and their old hub
// version (the push that carries them lets the hub decide); the hub's value
// is kept aside until then. A record with an unpushed delete stays deleted,
// one with an unpushed restore stays alive. Entities and fields this build
// does not know are skipped.
func (t *Tx) ApplyHubRecords(recs []HubRecord, hubValues []HubFieldValue, opts ApplyOptions) error {
	ha, err := t.newHubApplier(opts.SnapshotGen, true)
	if err != nil {
		return err
	}
	ha.deferIndex = opts.DeferIndex
	if err := ha.findExisting(recs); err != nil {
		return err
	}
	for i := range recs {
		if err := ha.apply(&recs[i]); err != nil {
			return fmt.Errorf("apply %s %s %s from the hub: %w", recs[i].Op, recs[i].Entity, recs[i].ID, err)
		}
	}
	if err := ha.insertQueued(); err != nil {
		return err
	}
	for _, hv := range hubValues {
		if err := ha.hubValue(recordKey{hv.Entity, hv.RecordID}, hv.Field, hv.Value, hv.Version); err != nil {
			return err
		}
	}
	return ha.flush()
}

// hubApplier applies hub state within one transaction, reading the unpushed
// journal of each record once and writing each sync_records row once.
type hubApplier struct {
	t       *Tx
	snap    int64
	pending *pendingIndex
	records map[recordKey]*syncRecord
	dirty   []recordKey
	removed map[recordKey]bool
	// local holds hub values to write into local records at flush.
	local map[recordKey]map[string]json.RawMessage
	// known holds, for the records of the batch, whether they are stored
	// here (deleted or not); a record not in it is looked up.
	known map[recordKey]bool
	// deferIndex: new records wait for IndexPending; unindexed notes the
	// entities whose mark is set.
	deferIndex bool
	unindexed  map[*entitySpec]bool
	// vals and args are reused from record to record.
	vals, args []any
	// queued holds the new records of a deferred-index apply not yet
	// inserted, by entity, their rows' values in column order; queuedKeys
	// names them (see queueInsert).
	queued     map[*entitySpec][]any
	queuedKeys map[recordKey]bool
}

// findExisting learns in a few queries which records of a batch are stored
// here, so that the (many) new ones need no lookup each.
func (ha *hubApplier) findExisting(recs []HubRecord) error {
	ha.known = make(map[recordKey]bool, len(recs))
	byEntity := map[string][]string{}
	for i := range recs {
		if _, ok := specsByName[recs[i].Entity]; ok {
			byEntity[recs[i].Entity] = append(byEntity[recs[i].Entity], recs[i].ID)
			ha.known[recordKey{recs[i].Entity, recs[i].ID}] = false
		}
	}
	const chunk = 500
	for entity, ids := range byEntity {
		table := specsByName[entity].table
		for start := 0; start < len(ids); start += chunk {
			part := ids[start:min(start+chunk, len(ids))]
			args := make([]any, len(part))
			for i, id := range part {
				args[i] = id
			}
			q := `SELECT id FROM ` + table + ` WHERE id IN (?` + strings.Repeat(",?", len(part)-1) + `)`
			rows, err := ha.t.tx.QueryContext(ha.t.ctx, q, args...)
			if err != nil {
				return fmt.Errorf("find stored %s records: %w", entity, err)
			}
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return fmt.Errorf("find stored %s records: %w", entity, err)
				}
				ha.known[recordKey{entity, id}] = true
			}
			err = rows.Err()
			rows.Close()
			if err != nil {
				return fmt.Errorf("find stored %s records: %w", entity, err)
			}
		}
	}
	return nil
}

// newHubApplier starts applying; preload reads the whole unpushed journal
// at once when it is small (pulls touch many records), else each record's
// part is read when needed.
func (t *Tx) newHubApplier(snap int64, preload bool) (*hubApplier, error) {
	pending, err := t.newPendingIndex(preload)
	if err != nil {
		return nil, err
	}
	return &hubApplier{t: t, snap: snap, pending: pending, records: map[recordKey]*syncRecord{},
		removed: map[recordKey]bool{}, local: map[recordKey]map[string]json.RawMessage{}}, nil
}

func (ha *hubApplier) pendingField(k recordKey, field string) (bool, error) {
	p, err := ha.pending.get(k)
	return p != nil && p.fields[field], err
}

// pendingIndex answers which records have unpushed changes.
type pendingIndex struct {
	t       *Tx
	records map[recordKey]*pendingRecord
	loaded  bool // records holds the whole unpushed journal
}

// preloadLimit is the size of unpushed journal read at once.
const preloadLimit = 4096

func (t *Tx) newPendingIndex(preload bool) (*pendingIndex, error) {
	pi := &pendingIndex{t: t, records: map[recordKey]*pendingRecord{}}
	if !preload {
		return pi, nil
	}
	var n int
	if err := t.queryRow(`SELECT COUNT(*) FROM journal WHERE pushed_at = ''`).Scan(&n); err != nil {
		return nil, fmt.Errorf("count pending changes: %w", err)
	}
	if n > preloadLimit {
		return pi, nil
	}
	all, err := t.pendingByRecord()
	if err != nil {
		return nil, err
	}
	pi.records, pi.loaded = all, true
	return pi, nil
}

// get returns what the unpushed journal holds for a record (nil: nothing).
func (pi *pendingIndex) get(k recordKey) (*pendingRecord, error) {
	if p, ok := pi.records[k]; ok || pi.loaded {
		return p, nil
	}
	rows, err := pi.t.query(`SELECT j.op, j.fields, COALESCE(o.op, '') FROM journal j LEFT JOIN sync_ops o ON o.seq = j.seq
		WHERE j.entity = ? AND j.record_id = ? AND j.pushed_at = '' ORDER BY j.seq`, k.entity, k.id)
	if err != nil {
		return nil, fmt.Errorf("read pending changes of %s %s: %w", k.entity, k.id, err)
	}
	defer rows.Close()
	var p *pendingRecord
	for rows.Next() {
		var op, body, override string
		if err := rows.Scan(&op, &body, &override); err != nil {
			return nil, fmt.Errorf("read pending changes of %s %s: %w", k.entity, k.id, err)
		}
		if p == nil {
			p = &pendingRecord{fields: map[string]bool{}}
		}
		if err := p.add(op, body, override); err != nil {
			return nil, fmt.Errorf("read pending changes of %s %s: %w", k.entity, k.id, err)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read pending changes of %s %s: %w", k.entity, k.id, err)
	}
	pi.records[k] = p
	return p, nil
}

// syncRecord returns the cached sync state of a record, marked for writing.
func (ha *hubApplier) syncRecord(k recordKey) (*syncRecord, error) {
	if r, ok := ha.records[k]; ok {
		return r, r.decode()
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
	r := &syncRecord{versions: map[string]int64{}}
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
	pending, err := ha.pendingField(k, field)
	if err != nil {
		return err
	}
	if pending {
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
		pending, err := ha.pendingField(k, f)
		if err != nil {
			return err
		}
		if pending {
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
	keep := ha.dirty[:0]
	for _, k := range ha.dirty {
		if !ha.removed[k] {
			keep = append(keep, k)
		}
	}
	if err := t.saveSyncRecords(keep, ha.records); err != nil {
		return err
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

// zeroRecord is a new, empty record of the entity, made from its registered
// type, so that it fits every entity, also those without search rows.
func zeroRecord(sp *entitySpec) Record {
	return reflect.New(sp.typ).Interface().(Record)
}

// zeroValues holds each entity's stored values of a new, empty record.
var zeroValues = sync.OnceValues(func() (map[*entitySpec][]any, error) {
	out := map[*entitySpec][]any{}
	for _, sp := range specsByName {
		vals, err := sp.encode(zeroRecord(sp))
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
	if ha.queuedKeys[k] {
		// Named twice in the batch: the first is to be stored before.
		if err := ha.insertQueued(); err != nil {
			return err
		}
	}
	p, err := ha.pending.get(k)
	if err != nil {
		return err
	}
	var old *rowHolder
	exists, knownHere := ha.known[k]
	if exists || !knownHere {
		old, err = t.load(sp, rec.ID)
		exists = err == nil
		if err != nil && !isNotFound(err) {
			return err
		}
	}
	// The batch may name a record twice (a remove, then an upsert when it
	// came back into scope).
	defer func() { delete(ha.known, k) }()
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
	// the hub. vals holds the stored values in column order; fields with
	// unpushed local changes are left out.
	zero, err := zeroValues()
	if err != nil {
		return err
	}
	pos := columnPositions()[sp]
	var pendingFields map[string]bool
	if p != nil {
		pendingFields = p.fields
	}
	var vals []any
	if prep := rec.prepared; prep != nil && prep.err == nil {
		vals = append(ha.vals[:0], prep.vals...)
		for name := range pendingFields {
			if i, ok := pos[name]; ok {
				vals[i] = zero[sp][i]
			}
		}
	} else {
		vals = append(ha.vals[:0], zero[sp]...)
		if err := storedFields(sp, pos, rec.Fields, pendingFields, vals); err != nil {
			return err
		}
	}
	ha.vals = vals
	// Fields of this client's own last change come without values: the
	// local ones stand.
	var ownFields map[string]bool
	if rec.Own {
		if !exists {
			return fmt.Errorf("%s %s: %w", rec.Entity, rec.ID, ErrOwnRecordMissing)
		}
		versions, err := rec.versions()
		if err != nil {
			return err
		}
		ownFields = map[string]bool{}
		for name, v := range versions {
			if _, sent := rec.Fields[name]; !sent && v == rec.Seq {
				ownFields[name] = true
			}
		}
	}
	if !exists {
		if err := ha.insert(sp, rec, vals); err != nil {
			return err
		}
		return ha.takeVersions(k, rec, p)
	}
	values := make(map[string]any, len(sp.cols))
	for i, c := range sp.cols {
		if (p == nil || !p.fields[c.name]) && !ownFields[c.name] {
			values[c.name] = vals[i]
		}
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
		if rec.Versions == nil && len(rec.RawVersions) > 0 {
			if rec.prepared == nil || !rec.prepared.versionsChecked {
				if err := checkRawVersions(rec.RawVersions); err != nil {
					return err
				}
			}
			sr.versions, sr.raw = nil, string(rec.RawVersions)
		}
		for f, v := range rec.Versions {
			sr.versions[f] = v
		}
	} else {
		var err error
		if sr, err = ha.syncRecord(k); err != nil {
			return err
		}
		versions, err := rec.versions()
		if err != nil {
			return err
		}
		for f, v := range versions {
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
func (ha *hubApplier) insert(sp *entitySpec, rec *HubRecord, vals []any) error {
	t := ha.t
	created, updated := rec.CreatedAt, rec.UpdatedAt
	if created.IsZero() {
		created = t.now
	}
	if updated.IsZero() {
		updated = created
	}
	owner := rec.Owner
	if owner == "" {
		owner = t.s.Owner()
	}
	if ha.deferIndex {
		createdText, updatedText := formatTime(created), formatTime(updated)
		if p := rec.prepared; p != nil && !rec.CreatedAt.IsZero() && !rec.UpdatedAt.IsZero() {
			createdText, updatedText = p.created, p.updated
		}
		return ha.queueInsert(sp, recordKey{rec.Entity, rec.ID}, rec.ID, createdText, updatedText, owner, vals)
	}
	args := append(ha.args[:0], rec.ID, formatTime(created), formatTime(updated), int64(1), int64(0), owner)
	args = append(args, vals...)
	ha.args = args
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
	if err := t.tagNew(sp, rid, vals); err != nil {
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
	return t.indexNew(sp, rid, r)
}

// queuedRows is the number of new records inserted by one statement: a
// statement per record spent a sixth of a snapshot's time starting and
// ending statements and binding in database/sql.
const queuedRows = 64

// queueInsert queues a new record of a deferred-index apply; its rows are
// written many per statement (insertQueued), which every other statement of
// the apply that may read them comes after.
func (ha *hubApplier) queueInsert(sp *entitySpec, k recordKey, id, created, updated, owner string, vals []any) error {
	if ha.queued == nil {
		ha.queued, ha.queuedKeys = map[*entitySpec][]any{}, map[recordKey]bool{}
	}
	q := append(ha.queued[sp], id, created, updated, int64(1), int64(0), owner)
	ha.queued[sp] = append(q, vals...)
	ha.queuedKeys[k] = true
	if len(ha.queued[sp]) >= queuedRows*(len(sp.cols)+6) {
		return ha.insertQueuedOf(sp)
	}
	return nil
}

// insertQueued writes every queued record.
func (ha *hubApplier) insertQueued() error {
	for sp := range ha.queued {
		if err := ha.insertQueuedOf(sp); err != nil {
			return err
		}
	}
	clear(ha.queuedKeys)
	return nil
}

// insertQueuedOf writes the queued records of one entity in one statement
// and marks them unindexed.
func (ha *hubApplier) insertQueuedOf(sp *entitySpec) error {
	args := ha.queued[sp]
	width := len(sp.cols) + 6
	n := len(args) / width
	if n == 0 {
		return nil
	}
	row := "(?" + strings.Repeat(", ?", width-1) + ")"
	q := strings.Replace(sp.insertSQL, " VALUES "+row, " VALUES "+row+strings.Repeat(", "+row, n-1), 1)
	res, err := ha.t.exec(q, args...)
	if err != nil {
		return err
	}
	ha.queued[sp] = args[:0]
	if sp.kindCode == 0 {
		return nil
	}
	last, err := res.LastInsertId()
	if err != nil {
		return err
	}
	// The rows took consecutive rids up to last; a mark at or below the
	// first is enough (see markUnindexed).
	if err := ha.t.tagRange(sp, last-int64(n)+1, last); err != nil {
		return err
	}
	return ha.markUnindexed(sp, last-int64(n)+1)
}

// hubStoredValue is column.storedValue with fast paths for what the hub
// sends nearly always: plain strings, integers, booleans and compact JSON.
func hubStoredValue(c *column, raw json.RawMessage) (any, error) {
	switch c.kind {
	case colText:
		if n := len(raw); n >= 2 && raw[0] == '"' && raw[n-1] == '"' && plainString(raw[1:n-1]) {
			return string(raw[1 : n-1]), nil
		}
	case colInt:
		if v, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
			return v, nil
		}
	case colBool:
		switch string(raw) {
		case "true":
			return int64(1), nil
		case "false":
			return int64(0), nil
		}
	case colJSON:
		if len(raw) > 0 && (raw[0] == '[' || raw[0] == '{') && json.Valid(raw) {
			return string(raw), nil
		}
	}
	return c.storedValue(raw)
}

// plainString reports whether b is the inside of a JSON string that needs
// no unescaping: valid UTF-8 without quotes, backslashes or control
// characters.
func plainString(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return utf8.Valid(b)
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
