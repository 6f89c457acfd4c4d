package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Sync state: what this installation knows of the hub (sync_meta,
// sync_records, sync_ops, sync_conflicts, sync_rejected, sync_runs). The
// sync client (repdesk/sync/client) is its only writer; the rows here are
// never journaled.

// Keys of sync_meta.
const (
	SyncClientID      = "client_id"      // this installation's id, made once
	SyncServer        = "server"         // the hub's base URL
	SyncUser          = "user"           // the hub user the token belongs to
	SyncCursor        = "cursor"         // pull cursor; absent before the first complete snapshot
	SyncLastSync      = "last_sync"      // time of the last complete sync (RFC 3339)
	SyncSnapshotUntil = "snapshot_until" // a snapshot in progress: its cursor
	SyncSnapshotAfter = "snapshot_after" // ... and the last seq applied
	SyncSnapshotGen   = "snapshot_gen"   // generation mark of the snapshot's records
	SyncSnapshotSweep = "snapshot_sweep" // "1": drop local records the snapshot lacks
	// SyncSnapshotFromEmpty "1": the snapshot began in a store without
	// records, which has none of its own to drop.
	SyncSnapshotFromEmpty = "snapshot_from_empty"
	// SyncKeepUnlisted "1": the first snapshot from a new hub keeps local
	// records it does not list (they came from the previous hub).
	SyncKeepUnlisted = "keep_unlisted"
)

// SyncValue reads one sync_meta value; ErrNotFound when unset.
func (s *Store) SyncValue(ctx context.Context, key string) (string, error) {
	return syncValue(ctx, s.db, key)
}

// SetSyncValue stores one sync_meta value.
func (s *Store) SetSyncValue(ctx context.Context, key, value string) error {
	return setSyncValue(ctx, s.db, key, value)
}

// SyncValue reads one sync_meta value within the transaction.
func (t *Tx) SyncValue(key string) (string, error) { return syncValue(t.ctx, t.tx, key) }

// SetSyncValue stores one sync_meta value within the transaction.
func (t *Tx) SetSyncValue(key, value string) error { return setSyncValue(t.ctx, t.tx, key, value) }

// DeleteSyncValue removes one sync_meta value within the transaction.
func (t *Tx) DeleteSyncValue(key string) error {
	if _, err := t.exec(`DELETE FROM sync_meta WHERE key = ?`, key); err != nil {
		return fmt.Errorf("delete sync value %q: %w", key, err)
	}
	return nil
}

func syncValue(ctx context.Context, q querier, key string) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM sync_meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("sync value %q: %w", key, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("sync value %q: %w", key, err)
	}
	return v, nil
}

func setSyncValue(ctx context.Context, q querier, key, value string) error {
	if _, err := q.ExecContext(ctx, `INSERT INTO sync_meta (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value); err != nil {
		return fmt.Errorf("set sync value %q: %w", key, err)
	}
	return nil
}

// ClientID returns this installation's client id, making it on first use.
func (s *Store) ClientID(ctx context.Context) (string, error) {
	var id string
	err := s.Update(ctx, func(t *Tx) error {
		v, err := t.SyncValue(SyncClientID)
		if err == nil {
			id = v
			return nil
		}
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		return t.newClientID(&id)
	})
	if err != nil {
		return "", fmt.Errorf("client id: %w", err)
	}
	return id, nil
}

func (t *Tx) newClientID(id *string) error {
	u, err := uuid.NewV7()
	if err != nil {
		return err
	}
	*id = u.String()
	return t.SetSyncValue(SyncClientID, *id)
}

// RenewClientID gives this installation a new client id, keeping what it
// knows of the hub: for a database restored from a backup or copied, whose
// mutation numbers the hub has seen from the original already.
func (s *Store) RenewClientID(ctx context.Context) (string, error) {
	var id string
	err := s.Update(ctx, func(t *Tx) error { return t.newClientID(&id) })
	if err != nil {
		return "", fmt.Errorf("renew client id: %w", err)
	}
	return id, nil
}

// LastJournalSeq is the highest mutation number this database ever gave a
// journal entry (0 for none).
func (s *Store) LastJournalSeq(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'journal'), 0)`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("last journal number: %w", err)
	}
	return n, nil
}

// ResetSyncState forgets everything learnt from a hub (cursor, field
// versions, conflicts, snapshot progress) and takes a new client id, for a
// switch to another hub or user. The journal stays: changes not yet pushed
// go to the new hub; records the new hub does not have stay too.
func (s *Store) ResetSyncState(ctx context.Context) error {
	return s.Update(ctx, func(t *Tx) error {
		for _, q := range []string{
			`DELETE FROM sync_records`, `DELETE FROM sync_conflicts`,
			`DELETE FROM sync_meta WHERE key NOT IN ('` + SyncServer + `', '` + SyncUser + `')`,
		} {
			if _, err := t.exec(q); err != nil {
				return fmt.Errorf("reset sync state: %w", err)
			}
		}
		if err := t.SetSyncValue(SyncKeepUnlisted, "1"); err != nil {
			return err
		}
		var id string
		return t.newClientID(&id)
	})
}

// Outgoing is a pending journal entry as the hub will get it: the
// operation to send and the hub versions this client last saw. Its Fields
// stay nil: RawFields holds them as the journal does, a JSON object.
type Outgoing struct {
	Change
	RawFields json.RawMessage
	// Op is create, patch, delete, restore or resolve.
	Op string
	// Conflict and Resolution are set for resolve.
	Conflict, Resolution string
	// RecordSeq is the record's hub version as last pulled (the base of a
	// delete); Versions the hub versions of its fields (the bases of a
	// create, patch or restore).
	RecordSeq int64
	Versions  map[string]int64
}

// Journal op overrides kept in sync_ops.
const (
	syncOpPatch   = "patch"
	syncOpRestore = "restore"
	syncOpResolve = "resolve"
)

// PendingOutgoing returns up to limit journal entries not yet pushed after
// the entry numbered after (0: from the first), oldest first, with what a
// push needs to send them: a push reads its next batch while the hub
// applies the current one.
func (s *Store) PendingOutgoing(ctx context.Context, after int64, limit int) ([]Outgoing, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT j.seq, j.op_id, j.entity, j.record_id, j.op, j.fields, j.base_version, j.at,
			COALESCE(o.op, ''), COALESCE(o.conflict, ''), COALESCE(o.resolution, ''), COALESCE(o.bases, '{}'),
			COALESCE(r.seq, 0), COALESCE(r.versions, '{}')
		FROM journal j
		LEFT JOIN sync_ops o ON o.seq = j.seq
		LEFT JOIN sync_records r ON r.entity = j.entity AND r.record_id = j.record_id
		WHERE j.pushed_at = '' AND j.seq > ? ORDER BY j.seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("pending changes: %w", err)
	}
	defer rows.Close()
	var out []Outgoing
	versionsOf := map[string]map[string]int64{} // one decode per record
	for rows.Next() {
		var o Outgoing
		var fields, at, override, bases, versions string
		if err := rows.Scan(&o.Seq, &o.OpID, &o.Entity, &o.RecordID, &o.Change.Op, &fields, &o.BaseVersion, &at,
			&override, &o.Conflict, &o.Resolution, &bases, &o.RecordSeq, &versions); err != nil {
			return nil, fmt.Errorf("pending changes: %w", err)
		}
		o.RawFields = json.RawMessage(fields)
		if o.At, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("pending change %d: %w", o.Seq, err)
		}
		o.Op = o.Change.Op
		if override != "" {
			o.Op = override
		}
		if versions != "{}" {
			key := o.Entity + "/" + o.RecordID
			v, ok := versionsOf[key]
			if !ok {
				if err := json.Unmarshal([]byte(versions), &v); err != nil {
					return nil, fmt.Errorf("pending change %d: versions: %w", o.Seq, err)
				}
				versionsOf[key] = v
			}
			o.Versions = v
		}
		if bases != "{}" {
			// Bases given with the change win over those last seen.
			var given map[string]int64
			if err := json.Unmarshal([]byte(bases), &given); err != nil {
				return nil, fmt.Errorf("pending change %d: bases: %w", o.Seq, err)
			}
			merged := maps.Clone(o.Versions)
			if merged == nil {
				merged = map[string]int64{}
			}
			maps.Copy(merged, given)
			o.Versions = merged
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pending changes: %w", err)
	}
	return out, nil
}

// markPushed marks journal entries pushed within the transaction.
func (t *Tx) markPushed(seqs []int64) error {
	const chunk = 500
	for start := 0; start < len(seqs); start += chunk {
		part := seqs[start:min(start+chunk, len(seqs))]
		args := make([]any, 0, len(part)+1)
		args = append(args, formatTime(t.now))
		for _, q := range part {
			args = append(args, q)
		}
		marks := strings.TrimSuffix(strings.Repeat("?,", len(part)), ",")
		if _, err := t.tx.ExecContext(t.ctx, `UPDATE journal SET pushed_at = ? WHERE pushed_at = '' AND seq IN (`+marks+`)`, args...); err != nil {
			return fmt.Errorf("mark pushed: %w", err)
		}
	}
	return nil
}

// pendingRecord is what the unpushed journal holds for one record.
type pendingRecord struct {
	fields   map[string]bool
	deleted  bool // an unpushed delete: the local tombstone stands
	restored bool // an unpushed restore: the local record stays alive
}

// add takes in one unpushed journal entry (in journal order).
func (p *pendingRecord) add(op, body, override string) error {
	switch {
	case op == OpDelete:
		p.deleted, p.restored = true, false
	case override == syncOpRestore:
		p.deleted, p.restored = false, true
	}
	if body == "{}" {
		return nil
	}
	var f map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &f); err != nil {
		return err
	}
	for name := range f {
		p.fields[name] = true
	}
	return nil
}

type recordKey struct{ entity, id string }

// pendingByRecord reads the unpushed journal, by record.
func (t *Tx) pendingByRecord() (map[recordKey]*pendingRecord, error) {
	rows, err := t.query(`SELECT j.entity, j.record_id, j.op, j.fields, COALESCE(o.op, '') FROM journal j
		LEFT JOIN sync_ops o ON o.seq = j.seq WHERE j.pushed_at = '' ORDER BY j.seq`)
	if err != nil {
		return nil, fmt.Errorf("read pending changes: %w", err)
	}
	defer rows.Close()
	out := map[recordKey]*pendingRecord{}
	for rows.Next() {
		var k recordKey
		var op, body, override string
		if err := rows.Scan(&k.entity, &k.id, &op, &body, &override); err != nil {
			return nil, fmt.Errorf("read pending changes: %w", err)
		}
		p := out[k]
		if p == nil {
			p = &pendingRecord{fields: map[string]bool{}}
			out[k] = p
		}
		if err := p.add(op, body, override); err != nil {
			return nil, fmt.Errorf("read pending changes: %s %s: %w", k.entity, k.id, err)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read pending changes: %w", err)
	}
	return out, nil
}

// shadowValue is the hub's value of a field at a version, kept while a
// local change of the field waits to be pushed.
type shadowValue struct {
	V json.RawMessage `json:"v"`
	N int64           `json:"n"`
}

// syncRecord is a row of sync_records.
type syncRecord struct {
	found    bool
	seq      int64
	versions map[string]int64
	raw      string // versions as the hub sent them, while versions is nil
	shadow   map[string]shadowValue
	snap     int64
}

// decode makes versions usable after a record was stored raw.
func (r *syncRecord) decode() error {
	if r.shadow == nil {
		r.shadow = map[string]shadowValue{}
	}
	if r.versions != nil {
		return nil
	}
	r.versions = map[string]int64{}
	if r.raw == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(r.raw), &r.versions); err != nil {
		return fmt.Errorf("hub versions: %w", err)
	}
	r.raw = ""
	return nil
}

// text returns the versions and the shadow as stored.
func (r *syncRecord) text() (versions, shadow string, err error) {
	versions = r.raw
	if r.versions != nil {
		b, err := json.Marshal(r.versions)
		if err != nil {
			return "", "", err
		}
		versions = string(b)
	}
	if versions == "" {
		versions = "{}"
	}
	shadow = "{}"
	if len(r.shadow) > 0 {
		b, err := json.Marshal(r.shadow)
		if err != nil {
			return "", "", err
		}
		shadow = string(b)
	}
	return versions, shadow, nil
}

func (t *Tx) loadSyncRecord(entity, id string) (*syncRecord, error) {
	r := &syncRecord{}
	var versions, shadow string
	err := t.queryRow(`SELECT seq, versions, shadow, snap FROM sync_records WHERE entity = ? AND record_id = ?`, entity, id).
		Scan(&r.seq, &versions, &shadow, &r.snap)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		r.versions, r.shadow = map[string]int64{}, map[string]shadowValue{}
		return r, nil
	case err != nil:
		return nil, fmt.Errorf("read sync state of %s %s: %w", entity, id, err)
	}
	r.found = true
	if err := json.Unmarshal([]byte(versions), &r.versions); err != nil {
		return nil, fmt.Errorf("sync state of %s %s: versions: %w", entity, id, err)
	}
	if err := json.Unmarshal([]byte(shadow), &r.shadow); err != nil {
		return nil, fmt.Errorf("sync state of %s %s: shadow: %w", entity, id, err)
	}
	if r.versions == nil {
		r.versions = map[string]int64{}
	}
	if r.shadow == nil {
		r.shadow = map[string]shadowValue{}
	}
	return r, nil
}

// saveSyncRecords writes sync_records rows, many per statement.
func (t *Tx) saveSyncRecords(keys []recordKey, recs map[recordKey]*syncRecord) error {
	const perStatement = 64
	const upsert = ` ON CONFLICT (entity, record_id) DO UPDATE SET seq = excluded.seq, versions = excluded.versions,
		shadow = excluded.shadow, snap = excluded.snap`
	const row = `(?, ?, ?, ?, ?, ?)`
	full := `INSERT INTO sync_records (entity, record_id, seq, versions, shadow, snap) VALUES ` +
		row + strings.Repeat(", "+row, perStatement-1) + upsert
	args := make([]any, 0, 6*perStatement)
	for start := 0; start < len(keys); start += perStatement {
		part := keys[start:min(start+perStatement, len(keys))]
		args = args[:0]
		for _, k := range part {
			r := recs[k]
			versions, shadow, err := r.text()
			if err != nil {
				return fmt.Errorf("save sync state of %s %s: %w", k.entity, k.id, err)
			}
			args = append(args, k.entity, k.id, r.seq, versions, shadow, r.snap)
		}
		q := full
		if len(part) < perStatement {
			q = `INSERT INTO sync_records (entity, record_id, seq, versions, shadow, snap) VALUES ` +
				row + strings.Repeat(", "+row, len(part)-1) + upsert
		}
		if _, err := t.exec(q, args...); err != nil {
			return fmt.Errorf("save sync state: %w", err)
		}
	}
	return nil
}

// SyncRecord returns the hub version of a record and of its fields as this
// client last saw them (zero and empty for a record never synced).
func (s *Store) SyncRecord(ctx context.Context, entity, id string) (seq int64, versions map[string]int64, err error) {
	err = s.Update(ctx, func(t *Tx) error {
		r, err := t.loadSyncRecord(entity, id)
		if err != nil {
			return err
		}
		seq, versions = r.seq, r.versions
		return nil
	})
	return seq, versions, err
}

// PushOutcome is the hub's answer to one pushed journal entry.
type PushOutcome struct {
	Seq      int64 // journal seq (the mutation number)
	Entity   string
	RecordID string
	// Processed: the hub has this change (applied, merged, recorded as a
	// conflict, rejected or seen before); the entry is marked pushed.
	Processed bool
	// Rejected is the hub's reason when it refused the change.
	Rejected string
	Op       string
	Fields   []string
	// Confirmed holds fields whose hub value is now the value this change
	// sent, with the hub's version of it.
	Confirmed map[string]int64
}

// HubFieldValue is the hub's value of one field at a version, as a
// conflict reports the value the hub kept.
type HubFieldValue struct {
	Entity, RecordID, Field string
	Value                   json.RawMessage
	Version                 int64
}

// ApplyPushOutcomes records the hub's answer to a push in one transaction:
// processed entries are marked pushed, field versions the hub confirmed
// become the bases of later pushes, values the hub kept instead of ours
// (hubValues, from conflicts) replace local values that have no newer
// unpushed change, and refused changes go to the rejected list.
func (t *Tx) ApplyPushOutcomes(outcomes []PushOutcome, hubValues []HubFieldValue) error {
	var seqs []int64
	for _, o := range outcomes {
		if o.Processed {
			seqs = append(seqs, o.Seq)
		}
	}
	if err := t.markPushed(seqs); err != nil {
		return err
	}
	for _, o := range outcomes {
		if o.Processed && o.Rejected != "" {
			if err := t.addRejected(o); err != nil {
				return err
			}
		}
	}
	// Records with hub values kept aside need the careful path; the others
	// (nearly all) take their confirmed versions in one statement each.
	shadowed, err := t.shadowedRecords()
	if err != nil {
		return err
	}
	ha, err := t.newHubApplier(0, false)
	if err != nil {
		return err
	}
	confirmed := map[recordKey]map[string]int64{}
	var order []recordKey
	for _, o := range outcomes {
		if !o.Processed {
			continue
		}
		k := recordKey{o.Entity, o.RecordID}
		m, ok := confirmed[k]
		if !ok {
			m = map[string]int64{}
			confirmed[k] = m
			order = append(order, k)
		}
		for f, v := range o.Confirmed {
			m[f] = max(m[f], v)
		}
	}
	var plain []recordKey
	for _, k := range order {
		switch {
		case shadowed[k]:
			sr, err := ha.syncRecord(k)
			if err != nil {
				return err
			}
			for f, v := range confirmed[k] {
				sr.versions[f] = max(sr.versions[f], v)
				if sh, ok := sr.shadow[f]; ok && sh.N <= v {
					delete(sr.shadow, f)
				}
			}
		case len(confirmed[k]) > 0:
			plain = append(plain, k)
		}
	}
	if err := t.confirmVersions(plain, confirmed); err != nil {
		return err
	}
	for _, hv := range hubValues {
		if err := ha.hubValue(recordKey{hv.Entity, hv.RecordID}, hv.Field, hv.Value, hv.Version); err != nil {
			return err
		}
	}
	// Fields pushed now that had a newer hub value kept aside: the hub
	// value stands unless the push confirmed ours.
	for _, k := range order {
		if shadowed[k] {
			if err := ha.settleShadow(k); err != nil {
				return err
			}
		}
	}
	return ha.flush()
}

// confirmVersions merges confirmed field versions into sync_records, many
// records per statement.
func (t *Tx) confirmVersions(keys []recordKey, confirmed map[recordKey]map[string]int64) error {
	const perStatement = 64
	const upsert = ` ON CONFLICT (entity, record_id) DO UPDATE SET versions = json_patch(versions, excluded.versions)`
	args := make([]any, 0, 3*perStatement)
	for start := 0; start < len(keys); start += perStatement {
		part := keys[start:min(start+perStatement, len(keys))]
		args = args[:0]
		for _, k := range part {
			args = append(args, k.entity, k.id, versionsJSON(confirmed[k]))
		}
		q := `INSERT INTO sync_records (entity, record_id, versions) VALUES (?, ?, ?)` +
			strings.Repeat(", (?, ?, ?)", len(part)-1) + upsert
		if _, err := t.exec(q, args...); err != nil {
			return fmt.Errorf("confirm versions: %w", err)
		}
	}
	return nil
}

// shadowedRecords lists the records with hub values kept aside.
func (t *Tx) shadowedRecords() (map[recordKey]bool, error) {
	rows, err := t.query(`SELECT entity, record_id FROM sync_records WHERE shadow <> '{}'`)
	if err != nil {
		return nil, fmt.Errorf("read sync state: %w", err)
	}
	defer rows.Close()
	out := map[recordKey]bool{}
	for rows.Next() {
		var k recordKey
		if err := rows.Scan(&k.entity, &k.id); err != nil {
			return nil, fmt.Errorf("read sync state: %w", err)
		}
		out[k] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read sync state: %w", err)
	}
	return out, nil
}

func (t *Tx) addRejected(o PushOutcome) error {
	fields, err := json.Marshal(o.Fields)
	if err != nil {
		return fmt.Errorf("record rejected change %d: %w", o.Seq, err)
	}
	if string(fields) == "null" {
		fields = []byte("[]")
	}
	if _, err := t.exec(`INSERT INTO sync_rejected (mutation, entity, record_id, op, fields, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (mutation) DO UPDATE SET reason = excluded.reason, at = excluded.at`,
		o.Seq, o.Entity, o.RecordID, o.Op, string(fields), o.Rejected, formatTime(t.now)); err != nil {
		return fmt.Errorf("record rejected change %d: %w", o.Seq, err)
	}
	return nil
}

// RejectedChange is a local change the hub refused.
type RejectedChange struct {
	Mutation int64     `json:"mutation"`
	Entity   string    `json:"entity"`
	RecordID string    `json:"record_id"`
	Op       string    `json:"op"`
	Fields   []string  `json:"fields"`
	Reason   string    `json:"reason"`
	At       time.Time `json:"at"`
}

// RejectedChanges lists the refused changes, newest first.
func (s *Store) RejectedChanges(ctx context.Context) ([]RejectedChange, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT mutation, entity, record_id, op, fields, reason, at FROM sync_rejected ORDER BY mutation DESC`)
	if err != nil {
		return nil, fmt.Errorf("rejected changes: %w", err)
	}
	defer rows.Close()
	var out []RejectedChange
	for rows.Next() {
		var r RejectedChange
		var fields, at string
		if err := rows.Scan(&r.Mutation, &r.Entity, &r.RecordID, &r.Op, &fields, &r.Reason, &at); err != nil {
			return nil, fmt.Errorf("rejected changes: %w", err)
		}
		if err := json.Unmarshal([]byte(fields), &r.Fields); err != nil {
			return nil, fmt.Errorf("rejected change %d: %w", r.Mutation, err)
		}
		if r.At, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("rejected change %d: %w", r.Mutation, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("rejected changes: %w", err)
	}
	return out, nil
}

// RejectedCount is the number of refused changes.
func (s *Store) RejectedCount(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sync_rejected`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count rejected changes: %w", err)
	}
	return n, nil
}

// StoredConflict is a conflict the hub recorded, as kept locally. Body is
// the hub's conflict (protocol.Conflict) as JSON.
type StoredConflict struct {
	ID         string
	Seq        int64
	Entity     string
	RecordID   string
	Body       json.RawMessage
	Resolved   bool      // resolved on the hub
	Resolution string    // set when the rep resolved it on this machine
	ResolvedAt time.Time // when the rep resolved it here
	ReceivedAt time.Time
}

// Open reports whether the conflict still waits for a decision.
func (c *StoredConflict) Open() bool { return !c.Resolved && c.Resolution == "" }

// PutConflict stores or updates a conflict received from the hub; a local
// resolution stays. It reports whether the conflict was new here.
func (t *Tx) PutConflict(c StoredConflict) (bool, error) {
	var known int64
	if err := t.queryRow(`SELECT COUNT(*) FROM sync_conflicts WHERE id = ?`, c.ID).Scan(&known); err != nil {
		return false, fmt.Errorf("store conflict %s: %w", c.ID, err)
	}
	if _, err := t.exec(`INSERT INTO sync_conflicts (id, seq, entity, record_id, body, resolved, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, body = excluded.body, resolved = excluded.resolved`,
		c.ID, c.Seq, c.Entity, c.RecordID, string(c.Body), boolInt(c.Resolved), formatTime(t.now)); err != nil {
		return false, fmt.Errorf("store conflict %s: %w", c.ID, err)
	}
	return known == 0, nil
}

// MarkConflictsResolvedExcept marks every conflict open on this machine and
// not in keep as resolved on the hub: a snapshot lists all open ones.
func (t *Tx) MarkConflictsResolvedExcept(keep map[string]bool) error {
	ids, err := t.ids(`SELECT id FROM sync_conflicts WHERE resolved = 0`)
	if err != nil {
		return fmt.Errorf("mark conflicts resolved: %w", err)
	}
	for _, id := range ids {
		if keep[id] {
			continue
		}
		if _, err := t.exec(`UPDATE sync_conflicts SET resolved = 1 WHERE id = ?`, id); err != nil {
			return fmt.Errorf("mark conflict %s resolved: %w", id, err)
		}
	}
	return nil
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

const conflictSelect = `SELECT id, seq, entity, record_id, body, resolved, resolution, resolved_at, received_at FROM sync_conflicts`

func scanConflicts(ctx context.Context, q querier, tail string, args ...any) ([]StoredConflict, error) {
	rows, err := q.QueryContext(ctx, conflictSelect+" "+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("read conflicts: %w", err)
	}
	defer rows.Close()
	var out []StoredConflict
	for rows.Next() {
		var c StoredConflict
		var body, resolvedAt, received string
		var resolved int64
		if err := rows.Scan(&c.ID, &c.Seq, &c.Entity, &c.RecordID, &body, &resolved, &c.Resolution, &resolvedAt, &received); err != nil {
			return nil, fmt.Errorf("read conflicts: %w", err)
		}
		c.Body, c.Resolved = json.RawMessage(body), resolved != 0
		if c.ResolvedAt, err = parseTime(resolvedAt); err != nil {
			return nil, fmt.Errorf("conflict %s: %w", c.ID, err)
		}
		if c.ReceivedAt, err = parseTime(received); err != nil {
			return nil, fmt.Errorf("conflict %s: %w", c.ID, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read conflicts: %w", err)
	}
	return out, nil
}

// Conflicts lists the stored conflicts in the order the hub recorded them;
// only those waiting for a decision when openOnly.
func (s *Store) Conflicts(ctx context.Context, openOnly bool) ([]StoredConflict, error) {
	tail := `ORDER BY seq`
	if openOnly {
		tail = `WHERE resolved = 0 AND resolution = '' ORDER BY seq`
	}
	return scanConflicts(ctx, s.db, tail)
}

// ErrAmbiguous is returned when an id prefix names more than one thing.
var ErrAmbiguous = errors.New("ambiguous")

// FindConflict returns the conflict whose id is idOrPrefix or starts with it.
func (s *Store) FindConflict(ctx context.Context, idOrPrefix string) (StoredConflict, error) {
	idOrPrefix = strings.ToLower(strings.TrimSpace(idOrPrefix))
	if idOrPrefix == "" {
		return StoredConflict{}, fmt.Errorf("conflict: no id given: %w", ErrNotFound)
	}
	cs, err := scanConflicts(ctx, s.db, `WHERE id = ? OR substr(id, 1, ?) = ? ORDER BY id = ? DESC LIMIT 2`,
		idOrPrefix, len(idOrPrefix), idOrPrefix, idOrPrefix)
	switch {
	case err != nil:
		return StoredConflict{}, err
	case len(cs) == 0:
		return StoredConflict{}, fmt.Errorf("conflict %s: %w", idOrPrefix, ErrNotFound)
	case len(cs) == 2 && cs[0].ID != idOrPrefix:
		return StoredConflict{}, fmt.Errorf("conflict id prefix %s matches several conflicts: %w", idOrPrefix, ErrAmbiguous)
	}
	return cs[0], nil
}

// OpenConflictCount is the number of conflicts waiting for a decision.
func (s *Store) OpenConflictCount(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sync_conflicts WHERE resolved = 0 AND resolution = ''`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count conflicts: %w", err)
	}
	return n, nil
}

// ResolveConflict records the rep's decision on a conflict: it is no longer
// open here, and a resolve entry in the journal tells the hub. Any change of
// the record the decision needs is made by the caller in the same
// transaction, before.
func (t *Tx) ResolveConflict(id, entity, recordID, resolution string) error {
	res, err := t.exec(`UPDATE sync_conflicts SET resolution = ?, resolved_at = ? WHERE id = ?`, resolution, formatTime(t.now), id)
	if err != nil {
		return fmt.Errorf("resolve conflict %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("resolve conflict %s: %w", id, ErrNotFound)
	}
	if err := t.journal(entity, recordID, OpPatch, nil, 0); err != nil {
		return fmt.Errorf("resolve conflict %s: %w", id, err)
	}
	return t.overrideLastJournalOp(syncOpResolve, id, resolution, nil)
}

// overrideLastJournalOp makes the journal entry just written go to the hub
// as another operation, or with given bases.
func (t *Tx) overrideLastJournalOp(op, conflict, resolution string, bases map[string]int64) error {
	b := []byte("{}")
	if len(bases) > 0 {
		var err error
		if b, err = json.Marshal(bases); err != nil {
			return fmt.Errorf("journal %s: %w", op, err)
		}
	}
	if _, err := t.exec(`INSERT INTO sync_ops (seq, op, conflict, resolution, bases) SELECT MAX(seq), ?, ?, ?, ? FROM journal`,
		op, conflict, resolution, string(b)); err != nil {
		return fmt.Errorf("journal %s: %w", op, err)
	}
	return nil
}

// SetFields writes field values (JSON, as the hub sends them) to a live
// record and journals them, even those equal to the stored value: a
// conflict decision must reach the hub whatever this machine shows. bases,
// when given, are the field versions the push sends instead of those last
// seen.
func (t *Tx) SetFields(entity, id string, fields map[string]json.RawMessage, bases map[string]int64) error {
	sp, err := specNamed(entity)
	if err != nil {
		return fmt.Errorf("set fields: %w", err)
	}
	old, err := t.load(sp, id)
	if err != nil {
		return fmt.Errorf("set fields: %w", err)
	}
	if old.deleted != 0 {
		return fmt.Errorf("set fields: %s %s: %w", entity, id, ErrNotFound)
	}
	changed, err := storedValues(sp, fields)
	if err != nil {
		return fmt.Errorf("set fields of %s %s: %w", entity, id, err)
	}
	if len(changed) == 0 {
		return nil
	}
	if err := t.patch(sp, id, old.version, changed, true); err != nil {
		return fmt.Errorf("set fields of %s %s: %w", entity, id, err)
	}
	if len(bases) == 0 {
		return nil
	}
	return t.overrideLastJournalOp(syncOpPatch, "", "", bases)
}

// storedValues converts wire values of the fields this build knows.
func storedValues(sp *entitySpec, fields map[string]json.RawMessage) (map[string]any, error) {
	out := make(map[string]any, len(fields))
	for name, raw := range fields {
		c, ok := sp.byName[name]
		if !ok {
			continue
		}
		v, err := c.storedValue(raw)
		if err != nil {
			return nil, err
		}
		out[name] = v
	}
	return out, nil
}

// Restore undeletes a record (creating it when this machine never had it)
// with the given field values, and journals a restore for the hub.
func (t *Tx) Restore(entity, id string, fields map[string]json.RawMessage) error {
	sp, err := specNamed(entity)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	values, err := storedValues(sp, fields)
	if err != nil {
		return fmt.Errorf("restore %s %s: %w", entity, id, err)
	}
	old, err := t.load(sp, id)
	switch {
	case isNotFound(err):
		if err := t.insertRemote(sp, RemoteChange{Entity: entity, ID: id, Owner: t.s.Owner()}, map[string]any{}); err != nil {
			return fmt.Errorf("restore %s %s: %w", entity, id, err)
		}
		if old, err = t.load(sp, id); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
	case err != nil:
		return fmt.Errorf("restore: %w", err)
	}
	if old.deleted != 0 {
		if _, err := t.exec("UPDATE "+sp.table+" SET deleted = 0 WHERE id = ?", id); err != nil {
			return fmt.Errorf("restore %s %s: %w", entity, id, err)
		}
	}
	// patch journals the fields (possibly none), bumps the version and
	// puts the record back into search.
	if err := t.patch(sp, id, old.version, values, true); err != nil {
		return fmt.Errorf("restore %s %s: %w", entity, id, err)
	}
	return t.overrideLastJournalOp(syncOpRestore, "", "", nil)
}

// FieldValues returns a record's field values as the hub would send them
// (JSON), and whether the record is deleted here.
func (s *Store) FieldValues(ctx context.Context, entity, id string) (map[string]json.RawMessage, bool, error) {
	var out map[string]json.RawMessage
	var deleted bool
	err := s.Update(ctx, func(t *Tx) error {
		var err error
		out, deleted, err = t.FieldValues(entity, id)
		return err
	})
	return out, deleted, err
}

// FieldValues is Store.FieldValues within the transaction.
func (t *Tx) FieldValues(entity, id string) (map[string]json.RawMessage, bool, error) {
	sp, err := specNamed(entity)
	if err != nil {
		return nil, false, err
	}
	h, err := t.load(sp, id)
	if err != nil {
		return nil, false, err
	}
	out := make(map[string]json.RawMessage, len(sp.cols))
	for i, v := range h.values() {
		c := &sp.cols[i]
		if out[c.name], err = c.fieldJSON(v); err != nil {
			return nil, false, err
		}
	}
	return out, h.deleted != 0, nil
}

// RecordLabel is a record's name for people (a contact's full name, a
// deal's title, ...); "" when the record is unknown here.
func (s *Store) RecordLabel(ctx context.Context, entity, id string) (string, error) {
	col, ok := map[string]string{EntityCompany: "name", EntityContact: "full_name", EntityDeal: "title",
		EntityActivity: "subject", EntityTask: "title", EntityVisit: "purpose"}[entity]
	if !ok {
		return "", nil
	}
	sp := specsByName[entity]
	var label string
	err := s.db.QueryRowContext(ctx, `SELECT `+col+` FROM `+sp.table+` WHERE id = ?`, id).Scan(&label)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("label of %s %s: %w", entity, id, err)
	}
	return label, nil
}

// SyncRun is one sync as recorded in the history.
type SyncRun struct {
	ID        int64     `json:"id"`
	Started   time.Time `json:"started_at"`
	Finished  time.Time `json:"finished_at"`
	Pushed    int       `json:"pushed"`
	Pulled    int       `json:"pulled"`
	Conflicts int       `json:"conflicts"`
	Rejected  int       `json:"rejected"`
	Error     string    `json:"error,omitempty"`
}

// AddSyncRun records a finished sync and keeps the newest 1000.
func (s *Store) AddSyncRun(ctx context.Context, r SyncRun) error {
	return s.Update(ctx, func(t *Tx) error {
		if _, err := t.exec(`INSERT INTO sync_runs (started_at, finished_at, pushed, pulled, conflicts, rejected, error)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, formatTime(r.Started), formatTime(r.Finished), r.Pushed, r.Pulled, r.Conflicts,
			r.Rejected, r.Error); err != nil {
			return fmt.Errorf("record sync run: %w", err)
		}
		if _, err := t.exec(`DELETE FROM sync_runs WHERE id <= (SELECT MAX(id) FROM sync_runs) - 1000`); err != nil {
			return fmt.Errorf("record sync run: %w", err)
		}
		return nil
	})
}

// SyncRuns lists the newest limit syncs, newest first.
func (s *Store) SyncRuns(ctx context.Context, limit int) ([]SyncRun, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, started_at, finished_at, pushed, pulled, conflicts, rejected, error
		FROM sync_runs ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("sync runs: %w", err)
	}
	defer rows.Close()
	var out []SyncRun
	for rows.Next() {
		var r SyncRun
		var started, finished string
		if err := rows.Scan(&r.ID, &started, &finished, &r.Pushed, &r.Pulled, &r.Conflicts, &r.Rejected, &r.Error); err != nil {
			return nil, fmt.Errorf("sync runs: %w", err)
		}
		if r.Started, err = parseTime(started); err != nil {
			return nil, fmt.Errorf("sync run %d: %w", r.ID, err)
		}
		if r.Finished, err = parseTime(finished); err != nil {
			return nil, fmt.Errorf("sync run %d: %w", r.ID, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sync runs: %w", err)
	}
	return out, nil
}
