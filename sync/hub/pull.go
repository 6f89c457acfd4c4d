package hub

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"repdesk/sync/internal/rawjson"
	"repdesk/sync/protocol"
)

// ErrCursorExpired is returned for a cursor older than the oldest change
// the hub keeps (or newer than its newest): the client must re-sync from a
// snapshot.
var ErrCursorExpired = errors.New("cursor expired")

// rawRecord is a stored record as read for sending: fields and versions stay
// JSON text and are written out as they are.
type rawRecord struct {
	op, entity, id       string
	seq                  int64
	owner, territory     string
	createdAt, updatedAt string
	fields, versions     string
	// own: the change at seq came from the pulling client (see Record.Own).
	own bool
}

// scope is the SQL condition (on table alias r) that limits rows to a
// user's scope, with its arguments; cond is "" for users who see
// everything.
type scope struct {
	cond string
	args []any
}

// userScope returns the user's scope as the transaction sees the grants:
// the grant lookups are left out for a user without any (most users), and
// come last otherwise, as most rows are decided before them.
func userScope(ctx context.Context, db *DB, tx *sql.Tx, u User) (scope, error) {
	if u.SeesAll() {
		return scope{}, nil
	}
	args := []any{u.Name, u.Name}
	cond := "r.owner = ? OR r.assignee = ?"
	if len(u.Territories) > 0 {
		cond += " OR r.territory IN (" + placeholders(len(u.Territories)) + ")"
		for _, t := range u.Territories {
			args = append(args, t)
		}
	}
	var granted int
	if err := tx.QueryRowContext(ctx, db.q(`SELECT CASE WHEN EXISTS (SELECT 1 FROM hub_grants WHERE grantee = ?) THEN 1 ELSE 0 END`),
		u.Name).Scan(&granted); err != nil {
		return scope{}, fmt.Errorf("read grants of %s: %w", u.Name, err)
	}
	if granted != 0 {
		cond += ` OR EXISTS (SELECT 1 FROM hub_grants g WHERE g.grantee = ? AND g.entity = r.entity AND g.record_id = r.id)
		OR (r.company_id <> '' AND EXISTS (SELECT 1 FROM hub_grants g WHERE g.grantee = ? AND g.entity = 'company' AND g.record_id = r.company_id))`
		args = append(args, u.Name, u.Name)
	}
	return scope{cond: "(" + cond + ")", args: args}, nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// counterState reads the last committed sequence number and the horizon in
// the transaction's snapshot.
func counterState(ctx context.Context, tx *sql.Tx) (seq, horizon int64, err error) {
	err = tx.QueryRowContext(ctx, `SELECT seq, horizon FROM hub_counter WHERE id = 1`).Scan(&seq, &horizon)
	return seq, horizon, err
}

func checkCursor(cursor, seq, horizon int64) error {
	switch {
	case cursor < horizon:
		return fmt.Errorf("%w: cursor %d is older than the oldest change this hub keeps (%d); re-sync from a snapshot",
			ErrCursorExpired, cursor, horizon)
	case cursor > seq:
		return fmt.Errorf("%w: cursor %d is newer than this hub's last change (%d); re-sync from a snapshot",
			ErrCursorExpired, cursor, seq)
	}
	return nil
}

const recordColumns = `r.entity, r.id, r.seq, r.owner, r.territory, r.deleted, r.created_at, r.updated_at, r.fields, r.versions`

func scanRawRecord(rows *sql.Rows) (rawRecord, error) {
	var r rawRecord
	var deleted int
	if err := rows.Scan(&r.entity, &r.id, &r.seq, &r.owner, &r.territory, &deleted, &r.createdAt, &r.updatedAt, &r.fields, &r.versions); err != nil {
		return rawRecord{}, err
	}
	r.setOp(deleted)
	return r, nil
}

// scanPulledRecord scans recordColumns and whether the record's last change
// is the pulling client's.
func scanPulledRecord(rows *sql.Rows) (rawRecord, error) {
	var r rawRecord
	var deleted, own int
	if err := rows.Scan(&r.entity, &r.id, &r.seq, &r.owner, &r.territory, &deleted, &r.createdAt, &r.updatedAt, &r.fields, &r.versions, &own); err != nil {
		return rawRecord{}, err
	}
	r.setOp(deleted)
	r.own = own != 0 && r.op == protocol.ChangeUpsert
	return r, nil
}

func (r *rawRecord) setOp(deleted int) {
	r.op = protocol.ChangeUpsert
	if deleted != 0 {
		r.op = protocol.ChangeDelete
	}
}

const conflictColumns = `c.id, c.seq, c.kind, c.entity, c.record_id, c.field, c.base_value, c.base_version, c.server_value,
	c.server_version, c.server_author, c.client_value, c.client_author, c.client_id, c.mutation, c.created_at,
	c.resolved_by, c.resolution, c.resolved_at`

func scanConflict(rows *sql.Rows) (protocol.Conflict, error) {
	var c protocol.Conflict
	var base sql.NullString
	var server, client, created, resolvedAt string
	if err := rows.Scan(&c.ID, &c.Seq, &c.Kind, &c.Entity, &c.RecordID, &c.Field, &base, &c.BaseVersion, &server,
		&c.ServerVersion, &c.ServerAuthor, &client, &c.ClientAuthor, &c.ClientID, &c.Mutation, &created,
		&c.ResolvedBy, &c.Resolution, &resolvedAt); err != nil {
		return protocol.Conflict{}, err
	}
	if base.Valid {
		c.Base = json.RawMessage(base.String)
	}
	c.Server, c.Client = json.RawMessage(server), json.RawMessage(client)
	var err error
	if c.CreatedAt, err = parseTime(created); err != nil {
		return protocol.Conflict{}, err
	}
	if c.ResolvedAt, err = parseTime(resolvedAt); err != nil {
		return protocol.Conflict{}, err
	}
	c.Resolved = resolvedAt != ""
	return c, nil
}

// queryConflicts reads conflicts on records in the user's scope.
func queryConflicts(ctx context.Context, db *DB, tx *sql.Tx, sc scope, where string, args []any, limit int) ([]protocol.Conflict, error) {
	q := `SELECT ` + conflictColumns + ` FROM hub_conflicts c`
	if sc.cond != "" {
		q += ` JOIN hub_records r ON r.entity = c.entity AND r.id = c.record_id`
		where += " AND " + sc.cond
		args = append(args, sc.args...)
	}
	q += " WHERE " + where + " ORDER BY c.seq"
	if limit > 0 {
		q += " LIMIT ?"
		args = append(args, limit)
	}
	rows, err := tx.QueryContext(ctx, db.q(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []protocol.Conflict{}
	for rows.Next() {
		c, err := scanConflict(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// PullPage is one page of changes since a cursor.
type PullPage struct {
	changes   []rawRecord // upserts, deletes and removes by seq
	conflicts []protocol.Conflict
	cursor    int64
	hasMore   bool
}

// Pull reads the changes in the user's scope after cursor: at most limit
// records, limit removes and limit conflicts, all below one sequence number
// so that the next page starts where this one ends. clientID, when not
// empty, is the pulling installation: records whose last change it made
// are marked own and sent without the fields that change set.
func (db *DB) Pull(ctx context.Context, u User, clientID string, cursor int64, limit int) (*PullPage, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, fmt.Errorf("pull: %w", err)
	}
	defer tx.Rollback()
	seq, horizon, err := counterState(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("pull: %w", err)
	}
	if err := checkCursor(cursor, seq, horizon); err != nil {
		return nil, err
	}
	if clientID != "" {
		var owner int64
		err := tx.QueryRowContext(ctx, db.q(`SELECT user_id FROM hub_clients WHERE client_id = ?`), clientID).Scan(&owner)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			clientID = "" // it never pushed: nothing is its own
		case err != nil:
			return nil, fmt.Errorf("pull: read client: %w", err)
		case owner != u.ID:
			return nil, fmt.Errorf("pull: client %s: %w", clientID, ErrForeignClient)
		}
	}
	page := &PullPage{cursor: seq}
	if cursor == seq {
		return page, nil
	}
	sc, err := userScope(ctx, db, tx, u)
	if err != nil {
		return nil, fmt.Errorf("pull: %w", err)
	}

	q := `SELECT ` + recordColumns + `, 0 FROM hub_records r WHERE r.seq > ?`
	args := []any{cursor}
	if clientID != "" {
		q = `SELECT ` + recordColumns + `, CASE WHEN c.client_id = ? THEN 1 ELSE 0 END
			FROM hub_records r LEFT JOIN hub_changes c ON c.seq = r.seq WHERE r.seq > ?`
		args = []any{clientID, cursor}
	}
	if sc.cond != "" {
		q += " AND " + sc.cond
		args = append(args, sc.args...)
	}
	q += " ORDER BY r.seq LIMIT ?"
	args = append(args, limit+1)
	records, err := queryRawRecords(ctx, tx, db.q(q), args...)
	if err != nil {
		return nil, fmt.Errorf("pull: records: %w", err)
	}
	upto := seq
	if len(records) > limit {
		upto = min(upto, records[limit-1].seq)
	}

	var removes []rawRecord
	if !u.SeesAll() {
		// A record left the user's scope if it moved away from one of the
		// user's territories or was re-assigned away from the user, and is
		// now neither theirs, nor assigned to them, nor in their territories.
		left := "m.old_assignee = ?"
		args := []any{cursor, u.Name}
		if len(u.Territories) > 0 {
			left += " OR m.old_territory IN (" + placeholders(len(u.Territories)) + ")"
			for _, t := range u.Territories {
				args = append(args, t)
			}
		}
		q := `SELECT m.seq, m.entity, m.record_id FROM hub_moves m JOIN hub_records r ON r.entity = m.entity AND r.id = m.record_id
			WHERE m.seq > ? AND (` + left + `) AND NOT ` + sc.cond + ` ORDER BY m.seq LIMIT ?`
		args = append(args, sc.args...)
		args = append(args, limit+1)
		if removes, err = queryRemoves(ctx, tx, db.q(q), args...); err != nil {
			return nil, fmt.Errorf("pull: removes: %w", err)
		}
		if len(removes) > limit {
			upto = min(upto, removes[limit-1].seq)
		}
	}

	conflicts, err := queryConflicts(ctx, db, tx, sc, "c.seq > ?", []any{cursor}, limit+1)
	if err != nil {
		return nil, fmt.Errorf("pull: conflicts: %w", err)
	}
	if len(conflicts) > limit {
		upto = min(upto, conflicts[limit-1].Seq)
	}

	page.cursor = upto
	page.hasMore = upto < seq
	page.changes = mergeBySeq(records, removes, upto)
	for _, c := range conflicts {
		if c.Seq <= upto {
			page.conflicts = append(page.conflicts, c)
		}
	}
	return page, nil
}

func queryRawRecords(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]rawRecord, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []rawRecord
	for rows.Next() {
		r, err := scanPulledRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func queryRemoves(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]rawRecord, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []rawRecord
	for rows.Next() {
		r := rawRecord{op: protocol.ChangeRemove}
		if err := rows.Scan(&r.seq, &r.entity, &r.id); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// mergeBySeq merges two seq-ordered lists up to upto, keeping one remove per
// record.
func mergeBySeq(records, removes []rawRecord, upto int64) []rawRecord {
	out := make([]rawRecord, 0, len(records)+len(removes))
	seen := map[string]bool{}
	i, j := 0, 0
	for i < len(records) || j < len(removes) {
		var r rawRecord
		if j >= len(removes) || (i < len(records) && records[i].seq < removes[j].seq) {
			r = records[i]
			i++
		} else {
			r = removes[j]
			j++
			key := r.entity + "/" + r.id
			if seen[key] {
				continue
			}
			seen[key] = true
		}
		if r.seq > upto {
			break
		}
		out = append(out, r)
	}
	return out
}

// Encode writes the page as a protocol.PullResponse.
func (p *PullPage) Encode(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var buf []byte
	buf = append(buf, `{"changes":[`...)
	for i := range p.changes {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendRecord(buf, &p.changes[i])
		if len(buf) > 32<<10 {
			if _, err := bw.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	buf = append(buf, `],"conflicts":`...)
	conflicts := p.conflicts
	if conflicts == nil {
		conflicts = []protocol.Conflict{}
	}
	cj, err := json.Marshal(conflicts)
	if err != nil {
		return err
	}
	buf = append(buf, cj...)
	buf = append(buf, `,"cursor":`...)
	buf = strconv.AppendInt(buf, p.cursor, 10)
	buf = append(buf, `,"has_more":`...)
	buf = strconv.AppendBool(buf, p.hasMore)
	buf = append(buf, "}\n"...)
	if _, err := bw.Write(buf); err != nil {
		return err
	}
	return bw.Flush()
}

// appendRecord appends r as a protocol.Record in JSON.
func appendRecord(b []byte, r *rawRecord) []byte {
	b = append(b, `{"op":"`...)
	b = append(b, r.op...)
	b = append(b, `","entity":`...)
	b = rawjson.AppendString(b, r.entity)
	b = append(b, `,"id":`...)
	b = rawjson.AppendString(b, r.id)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, r.seq, 10)
	if r.op == protocol.ChangeRemove {
		return append(b, '}')
	}
	b = append(b, `,"owner":`...)
	b = rawjson.AppendString(b, r.owner)
	b = append(b, `,"territory":`...)
	b = rawjson.AppendString(b, r.territory)
	if r.createdAt != "" {
		b = append(b, `,"created_at":`...)
		b = rawjson.AppendString(b, r.createdAt)
	}
	if r.updatedAt != "" {
		b = append(b, `,"updated_at":`...)
		b = rawjson.AppendString(b, r.updatedAt)
	}
	if r.op == protocol.ChangeUpsert {
		b = append(b, `,"fields":`...)
		if fields, ok := r.othersFields(); ok {
			b = append(b, fields...)
			b = append(b, `,"own":true`...)
		} else {
			b = append(b, r.fields...)
		}
	}
	b = append(b, `,"versions":`...)
	b = append(b, r.versions...)
	return append(b, '}')
}

// othersFields returns, for a record whose last change the pulling client
// made, its fields without those that change set (their version is seq):
// the client has those values, and takes their versions from "versions". ok is false when the record is not its own
// or its stored JSON cannot be read (then it goes whole).
func (r *rawRecord) othersFields() ([]byte, bool) {
	if !r.own {
		return nil, false
	}
	var fields map[string]json.RawMessage
	var versions map[string]int64
	if json.Unmarshal([]byte(r.fields), &fields) != nil || json.Unmarshal([]byte(r.versions), &versions) != nil {
		return nil, false
	}
	for name := range fields {
		// The hub may have stored another tag set or territory than the
		// client sent (a merge, a filled-in territory): those always go.
		if versions[name] == r.seq && !hubMayChange[name] {
			delete(fields, name)
		}
	}
	return encodeFields(fields), true
}

// hubMayChange names the fields whose stored value may differ from what a
// client sent.
var hubMayChange = map[string]bool{protocol.FieldTags: true, protocol.FieldTerritory: true}

// Snapshot is one open page of a snapshot, ready to be written.
type Snapshot struct {
	db    *DB
	tx    *sql.Tx
	user  User
	after int64
	until int64
	limit int
}

// OpenSnapshot starts a snapshot page: the live records in the user's scope
// with after < seq <= until, by seq. until 0 starts a new snapshot at the
// hub's last change. Close it after writing.
func (db *DB) OpenSnapshot(ctx context.Context, u User, after, until int64, limit int) (*Snapshot, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	seq, horizon, err := counterState(ctx, tx)
	if err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	if until == 0 {
		until = seq
	}
	if err := checkCursor(until, seq, horizon); err != nil {
		tx.Rollback()
		return nil, err
	}
	return &Snapshot{db: db, tx: tx, user: u, after: after, until: until, limit: limit}, nil
}

// Close ends the snapshot's read transaction.
func (s *Snapshot) Close() error { return s.tx.Rollback() }

// Encode streams the page as a protocol.SnapshotPage, record by record.
func (s *Snapshot) Encode(ctx context.Context, w io.Writer) error {
	sc, err := userScope(ctx, s.db, s.tx, s.user)
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	q := `SELECT ` + recordColumns + ` FROM hub_records r WHERE r.seq > ? AND r.seq <= ? AND r.deleted = 0`
	args := []any{s.after, s.until}
	if sc.cond != "" {
		q += " AND " + sc.cond
		args = append(args, sc.args...)
	}
	q += " ORDER BY r.seq LIMIT ?"
	args = append(args, s.limit+1)
	rows, err := s.tx.QueryContext(ctx, s.db.q(q), args...)
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	defer rows.Close()
	bw := bufio.NewWriterSize(w, 64<<10)
	buf := make([]byte, 0, 64<<10)
	buf = append(buf, `{"until":`...)
	buf = strconv.AppendInt(buf, s.until, 10)
	buf = append(buf, `,"records":[`...)
	n := 0
	next := s.after
	hasMore := false
	for rows.Next() {
		if n == s.limit {
			hasMore = true
			break
		}
		r, err := scanRawRecord(rows)
		if err != nil {
			return fmt.Errorf("snapshot: %w", err)
		}
		if n > 0 {
			buf = append(buf, ',')
		}
		buf = appendRecord(buf, &r)
		next = r.seq
		n++
		if len(buf) > 32<<10 {
			if _, err := bw.Write(buf); err != nil {
				return fmt.Errorf("snapshot: %w", err)
			}
			buf = buf[:0]
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	rows.Close()
	conflicts := []protocol.Conflict{}
	if s.after == 0 {
		if conflicts, err = queryConflicts(ctx, s.db, s.tx, sc, "c.resolved_at = '' AND c.seq <= ?", []any{s.until}, 0); err != nil {
			return fmt.Errorf("snapshot: conflicts: %w", err)
		}
	}
	cj, err := json.Marshal(conflicts)
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	buf = append(buf, `],"conflicts":`...)
	buf = append(buf, cj...)
	buf = append(buf, `,"next_after":`...)
	buf = strconv.AppendInt(buf, next, 10)
	buf = append(buf, `,"has_more":`...)
	buf = strconv.AppendBool(buf, hasMore)
	buf = append(buf, "}\n"...)
	if _, err := bw.Write(buf); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	return nil
}
