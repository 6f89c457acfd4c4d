package hub

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"repdesk/sync/internal/rawjson"
	"repdesk/sync/protocol"
)

// ErrForeignClient is returned when a client id is already bound to another
// user: installations are never shared.
var ErrForeignClient = errors.New("client id belongs to another user")

// Push applies a batch of mutations in one transaction: mutations numbered
// at or below the client's last applied number are skipped, every other one
// is applied, merged, recorded as a conflict or rejected, and the client's
// new last number is stored in the same transaction. maxValueBytes bounds
// each field value.
func (db *DB) Push(ctx context.Context, u User, req protocol.PushRequest, maxValueBytes int) (protocol.PushResponse, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return protocol.PushResponse{}, fmt.Errorf("push: %w", err)
	}
	defer tx.Rollback()
	sc := newStmtCache(db, tx)
	defer sc.close()
	p := &pusher{db: db, sc: sc, ctx: ctx, user: u, clientID: req.ClientID, now: time.Now(),
		maxValue: maxValueBytes, changes: map[int64]*changeRow{},
		territories: map[string]string{}, known: map[recordKey]bool{}}

	// The counter row is locked until commit, so transactions take sequence
	// numbers in commit order and a reader never sees seq N+1 without N.
	lock := `SELECT seq FROM hub_counter WHERE id = 1`
	if db.dialect == dialectPostgres {
		lock += ` FOR UPDATE`
	}
	if err := tx.QueryRowContext(ctx, lock).Scan(&p.seq); err != nil {
		return protocol.PushResponse{}, fmt.Errorf("push: lock counter: %w", err)
	}
	startSeq := p.seq
	last, err := p.bindClient()
	if err != nil {
		return protocol.PushResponse{}, err
	}
	if err := p.prefetch(req.Mutations, last); err != nil {
		return protocol.PushResponse{}, fmt.Errorf("push: %w", err)
	}
	earlier, err := p.earlierOutcomes(req.Mutations, last)
	if err != nil {
		return protocol.PushResponse{}, fmt.Errorf("push: %w", err)
	}
	if len(req.Mutations) > 0 {
		// The client sends its oldest unpushed change first: it has marked
		// every lower number pushed and never sends one again, except those
		// from KeepOutcomesFrom, whose answer it is still storing.
		forgetBelow := req.Mutations[0].Number
		if req.KeepOutcomesFrom > 0 {
			forgetBelow = min(forgetBelow, req.KeepOutcomesFrom)
		}
		if err := p.sc.exec(ctx, `DELETE FROM hub_outcomes WHERE client_id = ? AND mutation < ?`,
			req.ClientID, forgetBelow); err != nil {
			return protocol.PushResponse{}, fmt.Errorf("push: forget old outcomes: %w", err)
		}
	}
	resp := protocol.PushResponse{Results: make([]protocol.MutationResult, 0, len(req.Mutations))}
	for i := range req.Mutations {
		m := &req.Mutations[i]
		if m.Number <= last {
			resp.Results = append(resp.Results, earlier.answer(m))
			continue
		}
		p.hubSet = nil
		res, err := p.apply(m)
		if err != nil {
			return protocol.PushResponse{}, fmt.Errorf("push: mutation %d (%s %s %s): %w", m.Number, m.Op, m.Entity, m.ID, err)
		}
		if err := p.keepOutcome(m, &res); err != nil {
			return protocol.PushResponse{}, fmt.Errorf("push: mutation %d: %w", m.Number, err)
		}
		resp.Results = append(resp.Results, res)
		last = m.Number
	}
	resp.LastMutation = last
	if err := p.flush(); err != nil {
		return protocol.PushResponse{}, fmt.Errorf("push: %w", err)
	}
	if err := sc.exec(ctx, `UPDATE hub_clients SET last_mutation = ?, seen_at = ? WHERE client_id = ?`,
		last, formatTime(p.now), req.ClientID); err != nil {
		return protocol.PushResponse{}, fmt.Errorf("push: store last mutation: %w", err)
	}
	if p.seq != startSeq {
		if err := sc.exec(ctx, `UPDATE hub_counter SET seq = ? WHERE id = 1`, p.seq); err != nil {
			return protocol.PushResponse{}, fmt.Errorf("push: advance counter: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return protocol.PushResponse{}, fmt.Errorf("push: commit: %w", err)
	}
	db.committed()
	return resp, nil
}

type pusher struct {
	db       *DB
	sc       *stmtCache
	ctx      context.Context
	user     User
	clientID string
	now      time.Time
	maxValue int
	seq      int64                // last sequence number taken
	changes  map[int64]*changeRow // change log rows read, by seq
	// territories caches company territories by company id: a batch
	// often brings many contacts of one company.
	territories map[string]string
	// known holds the records known to exist.
	known map[recordKey]bool
	// recordRows, changeRows and outcomeRows are inserts not yet written
	// (see flush).
	recordRows, changeRows, outcomeRows [][]any
	// hubSet holds the fields the mutation being applied got another value
	// than it sent (merged tags, a filled-in territory).
	hubSet map[string]json.RawMessage
}

func (p *pusher) nextSeq() int64 {
	p.seq++
	return p.seq
}

// bindClient binds the client id to the user on first use and returns the
// client's last applied mutation number.
func (p *pusher) bindClient() (int64, error) {
	if err := p.sc.exec(p.ctx, `INSERT INTO hub_clients (client_id, user_id, created_at, seen_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (client_id) DO NOTHING`, p.clientID, p.user.ID, formatTime(p.now), formatTime(p.now)); err != nil {
		return 0, fmt.Errorf("push: register client: %w", err)
	}
	row, err := p.sc.queryRow(p.ctx, `SELECT user_id, last_mutation FROM hub_clients WHERE client_id = ?`, p.clientID)
	if err != nil {
		return 0, fmt.Errorf("push: read client: %w", err)
	}
	var userID, last int64
	if err := row.Scan(&userID, &last); err != nil {
		return 0, fmt.Errorf("push: read client: %w", err)
	}
	if userID != p.user.ID {
		return 0, fmt.Errorf("push: client %s: %w", p.clientID, ErrForeignClient)
	}
	return last, nil
}

// recordKey names a record.
type recordKey struct{ entity, id string }

// record is a stored record, decoded for a change.
type record struct {
	entity, id                  string
	seq                         int64
	owner, territory, companyID string
	assignee                    string // the assignee field's value
	deleted                     bool
	createdAt, updatedAt        string
	fields                      map[string]json.RawMessage
	versions                    map[string]int64
}

var errNoRecord = errors.New("no such record")

func (p *pusher) load(entity, id string) (*record, error) {
	row, err := p.queryRow(`SELECT seq, owner, territory, company_id, assignee, deleted, created_at, updated_at, fields, versions
		FROM hub_records WHERE entity = ? AND id = ?`, entity, id)
	if err != nil {
		return nil, err
	}
	r := &record{entity: entity, id: id}
	var deleted int
	var fields, versions string
	err = row.Scan(&r.seq, &r.owner, &r.territory, &r.companyID, &r.assignee, &deleted, &r.createdAt, &r.updatedAt, &fields, &versions)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoRecord
	}
	if err != nil {
		return nil, err
	}
	r.deleted = deleted != 0
	if err := json.Unmarshal([]byte(fields), &r.fields); err != nil {
		return nil, fmt.Errorf("stored fields of %s %s: %w", entity, id, err)
	}
	if err := json.Unmarshal([]byte(versions), &r.versions); err != nil {
		return nil, fmt.Errorf("stored versions of %s %s: %w", entity, id, err)
	}
	return r, nil
}

func rejected(m *protocol.Mutation, format string, args ...any) protocol.MutationResult {
	return protocol.MutationResult{Number: m.Number, Status: protocol.StatusRejected, Reason: fmt.Sprintf(format, args...)}
}

// validate returns why a mutation can never apply, or "".
func (p *pusher) validate(m *protocol.Mutation) string {
	switch m.Op {
	case protocol.OpCreate, protocol.OpPatch, protocol.OpRestore, protocol.OpDelete, protocol.OpResolve:
	default:
		return fmt.Sprintf("unknown op %q: must be create, patch, delete, restore or resolve", m.Op)
	}
	if !protocol.IsIdentifier(m.Entity) {
		return fmt.Sprintf("entity %q is not an identifier (a-z, 0-9, _; at most %d bytes)", m.Entity, protocol.MaxNameLen)
	}
	if !protocol.IsRecordID(m.ID) {
		return fmt.Sprintf("id %q is not a lower-case UUID", m.ID)
	}
	if m.Base < 0 {
		return fmt.Sprintf("base %d is negative", m.Base)
	}
	switch m.Op {
	case protocol.OpDelete, protocol.OpResolve:
		if len(m.Fields) > 0 {
			return fmt.Sprintf("%s carries fields; only create, patch and restore do", m.Op)
		}
		if m.Op == protocol.OpResolve {
			switch {
			case m.Conflict == "":
				return "resolve names no conflict"
			case !slices.Contains([]string{"", protocol.ResolutionKeepMine, protocol.ResolutionTakeTheir, protocol.ResolutionRestore}, m.Resolution):
				return fmt.Sprintf("resolution %q: must be keep_mine, take_theirs, restore or empty", m.Resolution)
			}
		}
		return ""
	}
	if len(m.Fields) > protocol.MaxFieldsPerRecord {
		return fmt.Sprintf("%d fields; at most %d per record", len(m.Fields), protocol.MaxFieldsPerRecord)
	}
	for name, fc := range m.Fields {
		switch {
		case !protocol.IsIdentifier(name):
			return fmt.Sprintf("field name %q is not an identifier (a-z, 0-9, _; at most %d bytes)", name, protocol.MaxNameLen)
		case protocol.ReservedFields[name]:
			return fmt.Sprintf("field %q is record metadata the hub keeps; it cannot be set", name)
		case len(fc.Value) == 0:
			return fmt.Sprintf("field %q has no value (send null to clear it)", name)
		case len(fc.Value) > p.maxValue:
			return fmt.Sprintf("field %q: value of %d bytes exceeds the limit of %d", name, len(fc.Value), p.maxValue)
		case fc.Base < 0:
			return fmt.Sprintf("field %q: base %d is negative", name, fc.Base)
		}
		switch name {
		case protocol.FieldTags:
			if isStringArray(fc.Value) {
				break
			}
			var tags []string
			if err := json.Unmarshal(fc.Value, &tags); err != nil {
				return fmt.Sprintf("field tags must be an array of strings: %v", err)
			}
		case protocol.FieldCompanyID, protocol.FieldTerritory, protocol.FieldAssignee:
			if _, ok := stringValue(fc.Value); !ok && !isNull(fc.Value) {
				return fmt.Sprintf("field %s must be a string", name)
			}
		}
	}
	return ""
}

func isNull(v json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(v), []byte("null")) }

// isStringArray reports whether v, valid JSON, is an array of strings
// without escapes: nearly every tag list, checked without decoding it.
// Others take encoding/json's word.
func isStringArray(v json.RawMessage) bool {
	if len(v) < 2 || v[0] != '[' || v[len(v)-1] != ']' {
		return false
	}
	in := v[1 : len(v)-1]
	for len(in) > 0 {
		if in[0] != '"' {
			return false
		}
		end := bytes.IndexByte(in[1:], '"')
		if end < 0 || bytes.IndexByte(in[1:end+1], '\\') >= 0 {
			return false
		}
		in = in[end+2:]
		if len(in) > 0 {
			if in[0] != ',' {
				return false
			}
			in = in[1:]
			if len(in) == 0 {
				return false
			}
		}
	}
	return true
}

// stringValue decodes a JSON string value; null is "".
func stringValue(v json.RawMessage) (string, bool) {
	s, err := rawjson.String(v) // encoding/json, but without its reflection for plain strings
	return s, err == nil
}

// compact removes insignificant space from a JSON value (already valid:
// the request decoder checked it). Most values have none: they are
// returned as they are.
func compact(v json.RawMessage) json.RawMessage {
	if !hasSpace(v) {
		return v
	}
	var b bytes.Buffer
	if err := json.Compact(&b, v); err != nil {
		return v // decoded once already, so this cannot happen
	}
	return b.Bytes()
}

// hasSpace reports whether valid JSON v has white space outside strings.
func hasSpace(v []byte) bool {
	inString := false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case !inString && (c == ' ' || c == '\n' || c == '\r' || c == '\t'):
			return true
		}
	}
	return false
}

// equalValues reports whether two JSON values are the same value, whatever
// their spacing or key order.
func equalValues(a, b json.RawMessage) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// mergeTags merges a client's tag set, based on the set at version base,
// into the hub's (see mergeTagSets). When the hub no longer knows the set
// at base, the sets are united.
func (p *pusher) mergeTags(base int64, server, client json.RawMessage) (json.RawMessage, error) {
	var baseTags []string
	known := base == 0 // a client that never saw tags based them on none
	if base > 0 {
		c, err := p.change(base)
		if err != nil {
			return nil, err
		}
		if v, ok := c.fieldValue(protocol.FieldTags); ok {
			_ = json.Unmarshal(v, &baseTags) // a non-array stored value counts as empty
			known = true
		}
	}
	var s, c []string
	_ = json.Unmarshal(server, &s)
	_ = json.Unmarshal(client, &c) // validated before
	return json.Marshal(mergeTagSets(baseTags, known, s, c))
}

// mergeTagSets is a three-way merge of tag sets: the server's tags without
// those the client removed from base, then the tags the client added to
// base, in order. So a removal on one side and an addition on the other
// both survive. Without a known base every client tag counts as added and
// none as removed: the union.
func mergeTagSets(base []string, baseKnown bool, server, client []string) []string {
	out := make([]string, 0, len(server)+len(client))
	for _, t := range server {
		removed := baseKnown && slices.Contains(base, t) && !slices.Contains(client, t)
		if !removed && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	for _, t := range client {
		added := !baseKnown || !slices.Contains(base, t)
		if added && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

func (p *pusher) apply(m *protocol.Mutation) (protocol.MutationResult, error) {
	if reason := p.validate(m); reason != "" {
		return rejected(m, "%s", reason), nil
	}
	if m.Op == protocol.OpResolve {
		return p.resolve(m)
	}
	if m.Op == protocol.OpCreate {
		// Most creates are of new records: try that first.
		res, inserted, err := p.create(m)
		if err != nil || inserted {
			return res, err
		}
	}
	rec, err := p.load(m.Entity, m.ID)
	if errors.Is(err, errNoRecord) {
		if m.Op == protocol.OpDelete {
			return protocol.MutationResult{Number: m.Number, Status: protocol.StatusApplied}, nil
		}
		res, _, err := p.create(m)
		return res, err
	}
	if err != nil {
		return protocol.MutationResult{}, err
	}
	ok, err := p.inScope(rec)
	if err != nil {
		return protocol.MutationResult{}, err
	}
	if !ok {
		return rejected(m, "%s %s is outside your scope (territory %q, owner %q)", m.Entity, m.ID, rec.territory, rec.owner), nil
	}
	if m.Op == protocol.OpDelete {
		return p.delete(m, rec)
	}
	return p.patch(m, rec)
}

func (p *pusher) clientTime(m *protocol.Mutation) string {
	if m.At.IsZero() {
		return formatTime(p.now)
	}
	return formatTime(m.At)
}

// create inserts a new record; inserted is false (and nothing changed) when
// the id exists. Most mutations of a big push are creates: the record's
// fields stay a sorted list, encoded once for the record and its change,
// rather than maps of fields and versions.
func (p *pusher) create(m *protocol.Mutation) (res protocol.MutationResult, inserted bool, err error) {
	key := recordKey{m.Entity, m.ID}
	if p.known[key] {
		return protocol.MutationResult{}, false, nil
	}
	seq := p.nextSeq()
	rec := &record{entity: m.Entity, id: m.ID, seq: seq, owner: p.user.Name}
	rec.createdAt = p.clientTime(m)
	rec.updatedAt = rec.createdAt
	var nameBuf [32]string
	var valueBuf [32]json.RawMessage
	names := sortedKeys(m.Fields, nameBuf[:0])
	values := valueBuf[:0]
	for _, name := range names {
		values = append(values, compact(m.Fields[name].Value))
	}
	value := func(name string) json.RawMessage {
		if i, ok := slices.BinarySearch(names, name); ok {
			return values[i]
		}
		return nil
	}
	rec.assignee, _ = stringValue(value(protocol.FieldAssignee))
	if m.Entity == protocol.EntityCompany {
		rec.territory, _ = stringValue(value(protocol.FieldTerritory))
		if rec.territory == "" && p.user.firstTerritory() != "" {
			// The hub fills in the territory so that every client shows where
			// the company went.
			rec.territory = p.user.firstTerritory()
			v, err := json.Marshal(rec.territory)
			if err != nil {
				return protocol.MutationResult{}, false, err
			}
			i, found := slices.BinarySearch(names, protocol.FieldTerritory)
			if found {
				values[i] = v
			} else {
				names, values = slices.Insert(names, i, protocol.FieldTerritory), slices.Insert(values, i, json.RawMessage(v))
			}
			p.setByHub(protocol.FieldTerritory, v)
		}
	} else {
		rec.companyID, _ = stringValue(value(protocol.FieldCompanyID))
		t, err := p.companyTerritory(rec.companyID)
		if err != nil {
			return protocol.MutationResult{}, false, err
		}
		if t == "" {
			t = p.user.firstTerritory()
		}
		rec.territory = t
	}
	if rec.assignee != "" {
		// An assigned record grants what it names (wantGrants).
		rec.fields = make(map[string]json.RawMessage, len(names))
		for i, name := range names {
			rec.fields[name] = values[i]
		}
	}
	// A new record's change sets all its fields: log the same JSON.
	fields := fieldListJSON(names, values)
	p.recordRows = append(p.recordRows, []any{rec.entity, rec.id, rec.seq, rec.owner, rec.territory, rec.companyID,
		rec.assignee, boolInt(rec.deleted), rec.createdAt, rec.updatedAt, fields, sameVersionsJSON(names, seq)})
	p.known[key] = true
	p.changes[seq] = &changeRow{author: p.user.Name, clientID: p.clientID, body: fields}
	p.changeRows = append(p.changeRows, []any{seq, rec.entity, rec.id, m.Op, p.user.Name, p.clientID, fields, formatTime(p.now)})
	if err := p.regrant(rec, nil); err != nil {
		return protocol.MutationResult{}, false, err
	}
	if rec.entity == protocol.EntityCompany {
		p.territories[rec.id] = rec.territory
	}
	res = protocol.MutationResult{Number: m.Number, Status: protocol.StatusApplied, Seq: seq}
	if len(names) > 0 {
		// Every field of a new record is at its first version.
		res.Versions = make(map[string]int64, len(names))
		for _, name := range names {
			res.Versions[name] = seq
		}
		res.Values = p.hubSet
	}
	return res, true, nil
}

// fieldListJSON encodes fields given as sorted names and their compact
// values as a JSON object, as encodeFields encodes a map of them.
func fieldListJSON(names []string, values []json.RawMessage) string {
	size := 2
	for i, name := range names {
		size += len(name) + len(values[i]) + 4
	}
	var b strings.Builder
	b.Grow(size)
	b.WriteByte('{')
	for i, name := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		writeName(&b, name)
		b.Write(values[i])
	}
	b.WriteByte('}')
	return b.String()
}

// sameVersionsJSON encodes the versions of fields that all have version
// seq, as encodeVersions encodes a map of them.
func sameVersionsJSON(names []string, seq int64) string {
	v := json.RawMessage(strconv.AppendInt(nil, seq, 10))
	values := make([]json.RawMessage, len(names))
	for i := range values {
		values[i] = v
	}
	return fieldListJSON(names, values)
}

// writeName writes a member name and its colon; names are identifiers
// (checked by validate), which need no escaping.
func writeName(b *strings.Builder, name string) {
	b.WriteByte('"')
	b.WriteString(name)
	b.WriteString(`":`)
}

// companyTerritory is the territory of the company with this id, or "" if
// the hub does not know it.
func (p *pusher) companyTerritory(id string) (string, error) {
	if id == "" {
		return "", nil
	}
	if t, ok := p.territories[id]; ok {
		return t, nil
	}
	row, err := p.queryRow(`SELECT territory FROM hub_records WHERE entity = 'company' AND id = ?`, id)
	if err != nil {
		return "", err
	}
	var t string
	if err := row.Scan(&t); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	p.territories[id] = t
	return t, nil
}

func (p *pusher) result(m *protocol.Mutation, rec *record, conflicts []protocol.Conflict) protocol.MutationResult {
	res := protocol.MutationResult{Number: m.Number, Status: protocol.StatusApplied, Seq: rec.seq, Conflicts: conflicts}
	if len(conflicts) > 0 {
		res.Status = protocol.StatusConflict
	}
	if len(m.Fields) > 0 || len(p.hubSet) > 0 {
		res.Versions = make(map[string]int64, len(m.Fields)+len(p.hubSet))
		for name := range m.Fields {
			res.Versions[name] = rec.versions[name]
		}
		for name, v := range p.hubSet {
			res.Versions[name] = rec.versions[name]
			if res.Values == nil {
				res.Values = map[string]json.RawMessage{}
			}
			res.Values[name] = v
		}
	}
	return res
}

// setByHub notes that a field got another value than the mutation sent.
func (p *pusher) setByHub(name string, v json.RawMessage) {
	if p.hubSet == nil {
		p.hubSet = map[string]json.RawMessage{}
	}
	p.hubSet[name] = v
}

// encodeFields encodes fields as a JSON object with sorted keys; the values
// are already compact JSON, so this skips encoding/json's re-validation.
func encodeFields(fields map[string]json.RawMessage) []byte {
	size := 2
	for k, v := range fields {
		size += len(k) + len(v) + 4
	}
	return appendFields(make([]byte, 0, size), fields)
}

// appendFields appends what encodeFields returns.
func appendFields(b []byte, fields map[string]json.RawMessage) []byte {
	b = append(b, '{')
	var buf [32]string
	for i, k := range sortedKeys(fields, buf[:0]) {
		if i > 0 {
			b = append(b, ',')
		}
		b = rawjson.AppendString(b, k)
		b = append(b, ':')
		b = append(b, fields[k]...)
	}
	return append(b, '}')
}

func encodeVersions(versions map[string]int64) []byte {
	return appendVersions(make([]byte, 0, 16*len(versions)+2), versions)
}

// appendVersions appends what encodeVersions returns.
func appendVersions(b []byte, versions map[string]int64) []byte {
	b = append(b, '{')
	var buf [32]string
	for i, k := range sortedKeys(versions, buf[:0]) {
		if i > 0 {
			b = append(b, ',')
		}
		b = rawjson.AppendString(b, k)
		b = append(b, ':')
		b = strconv.AppendInt(b, versions[k], 10)
	}
	return append(b, '}')
}

// sortedKeys appends the keys of m to buf, sorted: with a buffer on the
// caller's stack, encoding a record's few fields allocates no key slice.
func sortedKeys[V any](m map[string]V, buf []string) []string {
	for k := range m {
		buf = append(buf, k)
	}
	slices.Sort(buf)
	return buf
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// The columns of buffered inserts.
const (
	recordInsertColumns  = `entity, id, seq, owner, territory, company_id, assignee, deleted, created_at, updated_at, fields, versions`
	changeInsertColumns  = `seq, entity, record_id, op, author, client_id, fields, at`
	outcomeInsertColumns = `client_id, mutation, status, seq, detail`
)

// flush writes the buffered rows, many per statement: a push of thousands
// of creates would otherwise pay a statement (on PostgreSQL a round trip)
// per row. Every other statement of the push flushes first, so it sees them.
func (p *pusher) flush() error {
	if err := p.insertRows("hub_records", recordInsertColumns, 12, p.recordRows); err != nil {
		return err
	}
	p.recordRows = p.recordRows[:0]
	if err := p.insertRows("hub_changes", changeInsertColumns, 8, p.changeRows); err != nil {
		return err
	}
	p.changeRows = p.changeRows[:0]
	if err := p.insertRows("hub_outcomes", outcomeInsertColumns, 5, p.outcomeRows); err != nil {
		return err
	}
	p.outcomeRows = p.outcomeRows[:0]
	return nil
}

func (p *pusher) insertRows(table, columns string, width int, rows [][]any) error {
	const chunk = 200
	row := "(" + placeholders(width) + ")"
	for start := 0; start < len(rows); start += chunk {
		part := rows[start:min(start+chunk, len(rows))]
		args := make([]any, 0, len(part)*width)
		for _, r := range part {
			args = append(args, r...)
		}
		q := "INSERT INTO " + table + " (" + columns + ") VALUES " + strings.TrimSuffix(strings.Repeat(row+",", len(part)), ",")
		if err := p.sc.exec(p.ctx, q, args...); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
	}
	return nil
}

func (p *pusher) exec(query string, args ...any) error {
	if err := p.flush(); err != nil {
		return err
	}
	return p.sc.exec(p.ctx, query, args...)
}

func (p *pusher) queryRow(query string, args ...any) (*sql.Row, error) {
	if err := p.flush(); err != nil {
		return nil, err
	}
	return p.sc.queryRow(p.ctx, query, args...)
}

func (p *pusher) query(query string, args ...any) (*sql.Rows, error) {
	if err := p.flush(); err != nil {
		return nil, err
	}
	return p.sc.query(p.ctx, query, args...)
}

// prefetch learns which records the batch's creates name exist already, in
// a few statements rather than one per create.
func (p *pusher) prefetch(ms []protocol.Mutation, last int64) error {
	ids := map[string][]any{}
	for _, m := range ms {
		if m.Op == protocol.OpCreate && m.Number > last && protocol.IsIdentifier(m.Entity) && protocol.IsRecordID(m.ID) {
			ids[m.Entity] = append(ids[m.Entity], m.ID)
		}
	}
	const chunk = 500
	for entity, list := range ids {
		for start := 0; start < len(list); start += chunk {
			part := list[start:min(start+chunk, len(list))]
			rows, err := p.sc.query(p.ctx, `SELECT id FROM hub_records WHERE entity = ? AND id IN (`+placeholders(len(part))+`)`,
				append([]any{entity}, part...)...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				p.known[recordKey{entity, id}] = true
			}
			if err := rows.Close(); err != nil {
				return err
			}
			if err := rows.Err(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *pusher) update(rec *record) error {
	return p.exec(`UPDATE hub_records SET seq = ?, territory = ?, company_id = ?, assignee = ?, deleted = ?, updated_at = ?,
		fields = ?, versions = ? WHERE entity = ? AND id = ?`, rec.seq, rec.territory, rec.companyID, rec.assignee, boolInt(rec.deleted), rec.updatedAt,
		string(encodeFields(rec.fields)), string(encodeVersions(rec.versions)), rec.entity, rec.id)
}

// changeRow is one row of the change log.
type changeRow struct {
	author, clientID string
	// fields holds the values the change set; a create's change, logged
	// by this push, has them as JSON in body instead.
	fields map[string]json.RawMessage
	body   string
}

// logChange logs the fields a change set.
func (p *pusher) logChange(seq int64, rec *record, op string, fields map[string]json.RawMessage) error {
	p.changes[seq] = &changeRow{author: p.user.Name, clientID: p.clientID, fields: fields}
	p.changeRows = append(p.changeRows, []any{seq, rec.entity, rec.id, op, p.user.Name, p.clientID, string(encodeFields(fields)), formatTime(p.now)})
	return nil
}

// change returns the change log row of seq; nil when it was never logged.
func (p *pusher) change(seq int64) (*changeRow, error) {
	if c, ok := p.changes[seq]; ok {
		return c, nil
	}
	row, err := p.queryRow(`SELECT author, client_id, fields FROM hub_changes WHERE seq = ?`, seq)
	if err != nil {
		return nil, err
	}
	c := &changeRow{}
	var fields string
	err = row.Scan(&c.author, &c.clientID, &fields)
	if errors.Is(err, sql.ErrNoRows) {
		p.changes[seq] = nil
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(fields), &c.fields); err != nil {
		return nil, fmt.Errorf("change %d: %w", seq, err)
	}
	p.changes[seq] = c
	return c, nil
}

// fieldValue returns the value the change set for a field.
func (c *changeRow) fieldValue(name string) (json.RawMessage, bool) {
	if c == nil {
		return nil, false
	}
	if c.fields != nil {
		v, ok := c.fields[name]
		return v, ok
	}
	var v json.RawMessage
	found := false
	// The body was encoded by this push: it is a valid object.
	_ = rawjson.EachField([]byte(c.body), func(field string, value []byte) {
		if field == name {
			v, found = value, true
		}
	})
	return v, found
}

// ownChange reports whether this client wrote version seq: a client never
// conflicts with its own earlier changes, whatever base it sends.
func (p *pusher) ownChange(seq int64) (bool, error) {
	c, err := p.change(seq)
	if err != nil || c == nil {
		return false, err
	}
	return c.clientID == p.clientID, nil
}

func (p *pusher) author(seq int64) (string, error) {
	c, err := p.change(seq)
	if err != nil || c == nil {
		return "", err
	}
	return c.author, nil
}

// patch applies create, patch and restore to an existing record.
func (p *pusher) patch(m *protocol.Mutation, rec *record) (protocol.MutationResult, error) {
	had := wantGrants(rec)
	restored := false
	if rec.deleted {
		if m.Op != protocol.OpRestore {
			return p.editDeleted(m, rec)
		}
		rec.deleted, restored = false, true
	}
	names := slices.Sorted(maps.Keys(m.Fields))
	changed := map[string]json.RawMessage{}
	var conflicts []pendingConflict
	for _, name := range names {
		fc := m.Fields[name]
		val := compact(fc.Value)
		cur, has := rec.fields[name]
		ver := rec.versions[name]
		switch {
		case !has || fc.Base == ver:
			if !has || !equalValues(cur, val) {
				changed[name] = val
			}
		case equalValues(cur, val):
			// The same value from both sides: nothing to do.
		default:
			own, err := p.ownChange(ver)
			if err != nil {
				return protocol.MutationResult{}, err
			}
			switch {
			case own:
				changed[name] = val
			case name == protocol.FieldTags:
				merged, err := p.mergeTags(fc.Base, cur, val)
				if err != nil {
					return protocol.MutationResult{}, err
				}
				if !equalValues(merged, cur) {
					changed[name] = merged
				}
				if !equalValues(merged, val) {
					p.setByHub(name, merged)
				}
			default:
				conflicts = append(conflicts, pendingConflict{field: name, base: fc.Base, server: cur, serverVersion: ver, client: val})
			}
		}
	}
	if len(changed) > 0 || restored {
		oldTerritory, oldAssignee, oldCompany := rec.territory, rec.assignee, rec.companyID
		rec.seq = p.nextSeq()
		rec.updatedAt = p.clientTime(m)
		for name, v := range changed {
			rec.fields[name] = v
			rec.versions[name] = rec.seq
		}
		if err := p.placeRecord(rec, changed); err != nil {
			return protocol.MutationResult{}, err
		}
		if err := p.update(rec); err != nil {
			return protocol.MutationResult{}, err
		}
		if err := p.logChange(rec.seq, rec, m.Op, changed); err != nil {
			return protocol.MutationResult{}, err
		}
		if err := p.regrant(rec, had); err != nil {
			return protocol.MutationResult{}, err
		}
		territoryMoved, reassigned := rec.territory != oldTerritory, rec.assignee != oldAssignee
		if territoryMoved || reassigned {
			// Only who had it by the field that changed may have to drop it.
			var from, by string
			if territoryMoved {
				from = oldTerritory
			}
			if reassigned {
				by = oldAssignee
			}
			if err := p.moved(rec.seq, rec.entity, rec.id, from, by); err != nil {
				return protocol.MutationResult{}, err
			}
		}
		if oldCompany != "" && rec.companyID != oldCompany {
			if err := p.leftCompany(rec, oldCompany); err != nil {
				return protocol.MutationResult{}, err
			}
		}
		if territoryMoved && rec.entity == protocol.EntityCompany {
			if err := p.cascadeTerritory(rec); err != nil {
				return protocol.MutationResult{}, err
			}
		}
	}
	out, err := p.recordConflicts(m, rec, conflicts)
	if err != nil {
		return protocol.MutationResult{}, err
	}
	return p.result(m, rec, out), nil
}

// placeRecord recomputes the record's territory and assignee after a
// change of the fields that decide them.
func (p *pusher) placeRecord(rec *record, changed map[string]json.RawMessage) error {
	if v, ok := changed[protocol.FieldAssignee]; ok {
		rec.assignee, _ = stringValue(v)
	}
	if rec.entity == protocol.EntityCompany {
		if v, ok := changed[protocol.FieldTerritory]; ok {
			rec.territory, _ = stringValue(v)
			p.territories[rec.id] = rec.territory
		}
		return nil
	}
	v, ok := changed[protocol.FieldCompanyID]
	if !ok {
		return nil
	}
	rec.companyID, _ = stringValue(v)
	t, err := p.companyTerritory(rec.companyID)
	if err != nil {
		return err
	}
	if t != "" {
		rec.territory = t
	}
	return nil
}

// moved notes that the record's change at seq may have taken it out of the
// scope of the reps of oldTerritory and of oldAssignee (if not "").
func (p *pusher) moved(seq int64, entity, id, oldTerritory, oldAssignee string) error {
	return p.exec(`INSERT INTO hub_moves (seq, entity, record_id, old_territory, old_assignee) VALUES (?, ?, ?, ?, ?)`,
		seq, entity, id, oldTerritory, oldAssignee)
}

// cascadeTerritory moves the live records of a company to its new
// territory, each with a new sequence number so that reps of both
// territories hear of it.
func (p *pusher) cascadeTerritory(company *record) error {
	deps, err := p.readRefs(`SELECT entity, id, territory FROM hub_records
		WHERE company_id = ? AND entity <> 'company' AND deleted = 0 AND territory <> ?`, company.id, company.territory)
	if err != nil {
		return err
	}
	for _, d := range deps {
		seq := p.nextSeq()
		if err := p.exec(`UPDATE hub_records SET territory = ?, seq = ? WHERE entity = ? AND id = ?`,
			company.territory, seq, d.entity, d.id); err != nil {
			return err
		}
		if err := p.moved(seq, d.entity, d.id, d.territory, ""); err != nil {
			return err
		}
	}
	return nil
}

// recordRef names a stored record, with its territory when it was read.
type recordRef struct{ entity, id, territory string }

// readRefs reads the records a query selects (entity, id, territory) before
// the push changes them: the rows must be closed before its next statement.
func (p *pusher) readRefs(query string, args ...any) ([]recordRef, error) {
	rows, err := p.query(query, args...)
	if err != nil {
		return nil, err
	}
	var refs []recordRef
	for rows.Next() {
		var r recordRef
		if err := rows.Scan(&r.entity, &r.id, &r.territory); err != nil {
			rows.Close()
			return nil, err
		}
		refs = append(refs, r)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	return refs, rows.Err()
}

// editDeleted answers an edit of a deleted record: the delete stands and the
// edit is kept in an edit_delete conflict, unless it changes nothing.
func (p *pusher) editDeleted(m *protocol.Mutation, rec *record) (protocol.MutationResult, error) {
	edit := map[string]json.RawMessage{}
	var base int64
	for name, fc := range m.Fields {
		val := compact(fc.Value)
		if cur, ok := rec.fields[name]; !ok || !equalValues(cur, val) {
			edit[name] = val
		}
		base = max(base, fc.Base)
	}
	if len(edit) == 0 {
		return p.result(m, rec, nil), nil
	}
	client, err := json.Marshal(edit)
	if err != nil {
		return protocol.MutationResult{}, err
	}
	pc := pendingConflict{kind: protocol.ConflictEditDelete, base: base, server: json.RawMessage("null"),
		serverVersion: rec.seq, client: client}
	out, err := p.recordConflicts(m, rec, []pendingConflict{pc})
	if err != nil {
		return protocol.MutationResult{}, err
	}
	return p.result(m, rec, out), nil
}

// delete tombstones a record. Fields others changed after the version the
// client saw are kept in an edit_delete conflict so that they can be
// restored.
func (p *pusher) delete(m *protocol.Mutation, rec *record) (protocol.MutationResult, error) {
	if rec.deleted {
		return p.result(m, rec, nil), nil
	}
	lost := map[string]json.RawMessage{}
	var lostVersion int64
	for name, ver := range rec.versions {
		if ver <= m.Base {
			continue
		}
		own, err := p.ownChange(ver)
		if err != nil {
			return protocol.MutationResult{}, err
		}
		if !own {
			lost[name] = rec.fields[name]
			lostVersion = max(lostVersion, ver)
		}
	}
	had := wantGrants(rec)
	rec.deleted = true
	rec.seq = p.nextSeq()
	rec.updatedAt = p.clientTime(m)
	if err := p.update(rec); err != nil {
		return protocol.MutationResult{}, err
	}
	if err := p.logChange(rec.seq, rec, m.Op, map[string]json.RawMessage{}); err != nil {
		return protocol.MutationResult{}, err
	}
	if err := p.regrant(rec, had); err != nil {
		return protocol.MutationResult{}, err
	}
	var conflicts []protocol.Conflict
	if len(lost) > 0 {
		server, err := json.Marshal(lost)
		if err != nil {
			return protocol.MutationResult{}, err
		}
		pc := pendingConflict{kind: protocol.ConflictEditDelete, base: m.Base, server: server,
			serverVersion: lostVersion, client: json.RawMessage("null")}
		if conflicts, err = p.recordConflicts(m, rec, []pendingConflict{pc}); err != nil {
			return protocol.MutationResult{}, err
		}
	}
	return p.result(m, rec, conflicts), nil
}

type pendingConflict struct {
	kind          string // "" for a field conflict
	field         string
	base          int64
	server        json.RawMessage
	serverVersion int64
	client        json.RawMessage
}

func (p *pusher) recordConflicts(m *protocol.Mutation, rec *record, pending []pendingConflict) ([]protocol.Conflict, error) {
	var out []protocol.Conflict
	for _, pc := range pending {
		id, err := uuid.NewV7()
		if err != nil {
			return nil, err
		}
		c := protocol.Conflict{ID: id.String(), Seq: p.nextSeq(), Kind: pc.kind, Entity: rec.entity, RecordID: rec.id,
			Field: pc.field, BaseVersion: pc.base, Server: pc.server, ServerVersion: pc.serverVersion, Client: pc.client,
			ClientAuthor: p.user.Name, ClientID: p.clientID, Mutation: m.Number, CreatedAt: p.now.UTC().Truncate(time.Microsecond)}
		if c.Kind == "" {
			c.Kind = protocol.ConflictField
		}
		if c.ServerAuthor, err = p.author(pc.serverVersion); err != nil {
			return nil, err
		}
		var base any // NULL when the hub does not know the base value
		if pc.field != "" && pc.base > 0 {
			bc, err := p.change(pc.base)
			if err != nil {
				return nil, err
			}
			if v, ok := bc.fieldValue(pc.field); ok {
				c.Base = v
				base = string(v)
			}
		}
		if err := p.exec(`INSERT INTO hub_conflicts (id, seq, kind, entity, record_id, field, base_value, base_version,
			server_value, server_version, server_author, client_value, client_author, client_id, mutation, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.Seq, c.Kind, c.Entity, c.RecordID, c.Field, base, c.BaseVersion, string(c.Server), c.ServerVersion,
			c.ServerAuthor, string(c.Client), c.ClientAuthor, c.ClientID, c.Mutation, formatTime(c.CreatedAt)); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// resolve marks a conflict resolved; resolving it again is a no-op.
func (p *pusher) resolve(m *protocol.Mutation) (protocol.MutationResult, error) {
	row, err := p.queryRow(`SELECT entity, record_id, resolved_at FROM hub_conflicts WHERE id = ?`, m.Conflict)
	if err != nil {
		return protocol.MutationResult{}, err
	}
	var entity, recordID, resolvedAt string
	err = row.Scan(&entity, &recordID, &resolvedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return rejected(m, "unknown conflict %q", m.Conflict), nil
	}
	if err != nil {
		return protocol.MutationResult{}, err
	}
	if entity != m.Entity || recordID != m.ID {
		return rejected(m, "conflict %s is about %s %s, not %s %s", m.Conflict, entity, recordID, m.Entity, m.ID), nil
	}
	rec, err := p.load(entity, recordID)
	switch {
	case errors.Is(err, errNoRecord):
	case err != nil:
		return protocol.MutationResult{}, err
	default:
		ok, err := p.inScope(rec)
		if err != nil {
			return protocol.MutationResult{}, err
		}
		if !ok {
			return rejected(m, "%s %s is outside your scope (territory %q, owner %q)", entity, recordID, rec.territory, rec.owner), nil
		}
	}
	res := protocol.MutationResult{Number: m.Number, Status: protocol.StatusApplied}
	if resolvedAt != "" {
		return res, nil
	}
	if err := p.exec(`UPDATE hub_conflicts SET seq = ?, resolved_by = ?, resolution = ?, resolved_at = ? WHERE id = ?`,
		p.nextSeq(), p.user.Name, m.Resolution, formatTime(p.now), m.Conflict); err != nil {
		return protocol.MutationResult{}, err
	}
	return res, nil
}
