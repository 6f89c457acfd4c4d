package localdb

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

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
	opID, err := uuid.NewV7()
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	body := []byte("{}")
	if len(fields) > 0 {
		if body, err = json.Marshal(fields); err != nil {
			return fmt.Errorf("journal: %w", err)
		}
	}
	if _, err := t.exec(`INSERT INTO journal (op_id, entity, record_id, op, fields, base_version, at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, opID.String(), entity, id, op, string(body), baseVersion, formatTime(t.now)); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return nil
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
