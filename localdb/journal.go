package localdb

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Journal operations.
const (
	OpCreate = "create"
	OpPatch  = "patch"
	OpDelete = "delete"
)

// Change is one journal entry: a local change waiting to be pushed (or pushed
// already). Fields holds only the fields the change set, with their new
// values as JSON.
type Change struct {
	Seq         int64                      `json:"seq"`
	OpID        string                     `json:"op_id"`
	Entity      string                     `json:"entity"`
	RecordID    string                     `json:"record_id"`
	Op          string                     `json:"op"`
	Fields      map[string]json.RawMessage `json:"fields,omitempty"`
	BaseVersion int64                      `json:"base_version"`
	At          time.Time                  `json:"at"`
	PushedAt    time.Time                  `json:"pushed_at,omitzero"`
}

func (t *Tx) journal(entity, id, op string, fields map[string]json.RawMessage, baseVersion int64) error {
	body := []byte("{}")
	if len(fields) > 0 {
		var err error
		if body, err = json.Marshal(fields); err != nil {
			return fmt.Errorf("journal: %w", err)
		}
	}
	return t.journalBody(entity, id, op, string(body), baseVersion)
}

// journalBody appends a journal entry whose fields object is encoded
// already.
func (t *Tx) journalBody(entity, id, op, body string, baseVersion int64) error {
	opID, err := uuid.NewV7()
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	if _, err := t.exec(journalInsertRow, opID.String(), entity, id, op, body, baseVersion, formatTime(t.now)); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return nil
}

const (
	journalInsert  = `INSERT INTO journal (op_id, entity, record_id, op, fields, base_version, at) VALUES `
	journalColumns = 7
)

var journalInsertRow = journalInsert + rowsSQL(1, journalColumns)

// fieldsJSON encodes the journal's fields object for the columns of sp whose
// stored values are vals (column order) and that pick selects. It writes the
// same JSON as json.Marshal of the map of fieldJSON values, keys sorted, but
// by hand: json.Marshal sorted the map and re-validated every raw value, a
// seventh of a bulk import's time.
func (sp *entitySpec) fieldsJSON(vals []any, pick func(i int) bool) string {
	buf := make([]byte, 0, 512)
	buf = append(buf, '{')
	for _, i := range sp.sortedColumns() {
		if !pick(i) {
			continue
		}
		if len(buf) > 1 {
			buf = append(buf, ',')
		}
		buf = appendJSONString(buf, sp.cols[i].name)
		buf = append(buf, ':')
		buf = sp.cols[i].appendFieldJSON(buf, vals[i])
	}
	return string(append(buf, '}'))
}

// sortedColumns are the indexes of sp's columns in the order of their names.
func (sp *entitySpec) sortedColumns() []int {
	if order, ok := sortedColumnsCache.Load(sp); ok {
		return order.([]int)
	}
	order := make([]int, len(sp.cols))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(sp.cols[a].name, sp.cols[b].name) })
	sortedColumnsCache.Store(sp, order)
	return order
}

var sortedColumnsCache sync.Map // *entitySpec -> []int

// appendFieldJSON appends what fieldJSON returns for the stored value v.
// JSON columns hold compact json.Marshal output and are copied as they are.
func (c *column) appendFieldJSON(buf []byte, v any) []byte {
	switch c.kind {
	case colJSON:
		return append(buf, v.(string)...)
	case colBool:
		return strconv.AppendBool(buf, v.(int64) != 0)
	case colInt:
		return strconv.AppendInt(buf, v.(int64), 10)
	default:
		return appendJSONString(buf, v.(string))
	}
}

// appendJSONString appends s as a JSON string the way json.Marshal writes it:
// text without characters to escape is copied; quotes, control characters,
// HTML characters, invalid UTF-8 and the JavaScript line separators go
// through json.Marshal.
func appendJSONString(buf []byte, s string) []byte {
	ascii := true
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b >= 0x80:
			ascii = false
		case b < 0x20 || b == '"' || b == '\\' || b == '<' || b == '>' || b == '&':
			return appendMarshaled(buf, s)
		}
	}
	if !ascii && (!utf8.ValidString(s) || strings.ContainsAny(s, "\u2028\u2029")) {
		return appendMarshaled(buf, s)
	}
	buf = append(buf, '"')
	buf = append(buf, s...)
	return append(buf, '"')
}

// versionsJSON encodes field versions as json.Marshal does (keys sorted),
// without its reflection: a push answer confirms thousands of records.
func versionsJSON(versions map[string]int64) string {
	names := make([]string, 0, len(versions))
	for name := range versions {
		names = append(names, name)
	}
	slices.Sort(names)
	buf := make([]byte, 0, 24*len(names)+2)
	buf = append(buf, '{')
	for i, name := range names {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendJSONString(buf, name)
		buf = append(buf, ':')
		buf = strconv.AppendInt(buf, versions[name], 10)
	}
	return string(append(buf, '}'))
}

func appendMarshaled(buf []byte, s string) []byte {
	quoted, _ := json.Marshal(s) // a string always marshals
	return append(buf, quoted...)
}

const journalSelect = `SELECT seq, op_id, entity, record_id, op, fields, base_version, at, pushed_at FROM journal`

func scanChanges(ctx context.Context, q querier, tail string, args ...any) ([]Change, error) {
	rows, err := q.QueryContext(ctx, journalSelect+" "+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var c Change
		var fields, at, pushed string
		if err := rows.Scan(&c.Seq, &c.OpID, &c.Entity, &c.RecordID, &c.Op, &fields, &c.BaseVersion, &at, &pushed); err != nil {
			return nil, fmt.Errorf("read journal: %w", err)
		}
		if err := json.Unmarshal([]byte(fields), &c.Fields); err != nil {
			return nil, fmt.Errorf("read journal entry %d: %w", c.Seq, err)
		}
		if c.At, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("read journal entry %d: %w", c.Seq, err)
		}
		if c.PushedAt, err = parseTime(pushed); err != nil {
			return nil, fmt.Errorf("read journal entry %d: %w", c.Seq, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	return out, nil
}

// PendingChanges returns up to limit (0: all) changes not yet pushed,
// oldest first.
func (s *Store) PendingChanges(ctx context.Context, limit int) ([]Change, error) {
	return scanChanges(ctx, s.db, `WHERE pushed_at = '' ORDER BY seq LIMIT ?`, sqlLimit(limit))
}

// sqlLimit is limit for a LIMIT clause, where -1 means no limit.
func sqlLimit(limit int) int {
	if limit <= 0 {
		return -1
	}
	return limit
}

// PendingCount is the number of changes not yet pushed.
func (s *Store) PendingCount(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM journal WHERE pushed_at = ''`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count pending changes: %w", err)
	}
	return n, nil
}

// JournalFor returns every journal entry of one record, oldest first.
func (s *Store) JournalFor(ctx context.Context, entity, id string) ([]Change, error) {
	return scanChanges(ctx, s.db, `WHERE entity = ? AND record_id = ? ORDER BY seq`, entity, id)
}

// Journal returns up to limit (0: all) journal entries with seq greater than
// after, oldest first.
func (s *Store) Journal(ctx context.Context, after int64, limit int) ([]Change, error) {
	return scanChanges(ctx, s.db, `WHERE seq > ? ORDER BY seq LIMIT ?`, after, sqlLimit(limit))
}

// MarkPushed records that the hub has processed the changes with these
// sequence numbers. Only call it after the hub's answer arrived.
func (s *Store) MarkPushed(ctx context.Context, seqs []int64) error {
	if len(seqs) == 0 {
		return nil
	}
	return s.Update(ctx, func(t *Tx) error {
		const chunk = 500
		for start := 0; start < len(seqs); start += chunk {
			part := seqs[start:min(start+chunk, len(seqs))]
			args := make([]any, 0, len(part)+1)
			args = append(args, formatTime(t.now))
			for _, q := range part {
				args = append(args, q)
			}
			marks := strings.TrimSuffix(strings.Repeat("?,", len(part)), ",")
			if _, err := t.exec(`UPDATE journal SET pushed_at = ? WHERE pushed_at = '' AND seq IN (`+marks+`)`, args...); err != nil {
				return fmt.Errorf("mark pushed: %w", err)
			}
		}
		return nil
	})
}
