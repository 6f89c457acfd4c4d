package client_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"repdesk/sync/hub"
	"repdesk/sync/hub/hubtest"
)

// hubDB reads the hub's tables directly: the change log and the conflicts
// are the evidence the convergence test checks the clients against.
type hubDB struct {
	db *sql.DB
	pg bool
}

func openHubDB(t testing.TB, h *hubtest.Hub) *hubDB {
	t.Helper()
	var db *sql.DB
	var err error
	pg := hub.IsPostgres(h.DSN)
	if pg {
		db, err = sql.Open("pgx", h.DSN)
	} else {
		db, err = sql.Open("sqlite", "file:"+h.DSN+"?mode=ro&_pragma=busy_timeout(10000)")
	}
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return &hubDB{db: db, pg: pg}
}

// q turns ? placeholders into PostgreSQL's $n.
func (h *hubDB) q(query string) string {
	if !h.pg {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// hubChange is one row of the hub's change log.
type hubChange struct {
	seq      int64
	entity   string
	recordID string
	op       string
	clientID string
	fields   map[string]json.RawMessage
}

func (h *hubDB) changes(t testing.TB) []hubChange {
	t.Helper()
	rows, err := h.db.Query(`SELECT seq, entity, record_id, op, client_id, fields FROM hub_changes ORDER BY seq`)
	require.NoError(t, err)
	defer rows.Close()
	var out []hubChange
	for rows.Next() {
		var c hubChange
		var fields string
		require.NoError(t, rows.Scan(&c.seq, &c.entity, &c.recordID, &c.op, &c.clientID, &fields))
		require.NoError(t, json.Unmarshal([]byte(fields), &c.fields))
		out = append(out, c)
	}
	require.NoError(t, rows.Err())
	return out
}

// hubRecord is a record's current state on the hub.
type hubRecord struct {
	fields   map[string]json.RawMessage
	versions map[string]int64
	deleted  bool
}

// record reads a record's current fields and field versions on the hub,
// deleted or not; found is false when the hub does not have it.
func (h *hubDB) record(t testing.TB, entity, id string) (r hubRecord, found bool) {
	t.Helper()
	var f, v string
	var deleted int
	err := h.db.QueryRow(h.q(`SELECT fields, versions, deleted FROM hub_records WHERE entity = ? AND id = ?`), entity, id).
		Scan(&f, &v, &deleted)
	if err == sql.ErrNoRows {
		return hubRecord{}, false
	}
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal([]byte(f), &r.fields))
	require.NoError(t, json.Unmarshal([]byte(v), &r.versions))
	r.deleted = deleted != 0
	return r, true
}

// author is the client id that made the change numbered seq.
func (h *hubDB) author(t testing.TB, seq int64) string {
	t.Helper()
	var client string
	err := h.db.QueryRow(h.q(`SELECT client_id FROM hub_changes WHERE seq = ?`), seq).Scan(&client)
	if err == sql.ErrNoRows {
		return ""
	}
	require.NoError(t, err)
	return client
}

type hubConflict struct {
	id, kind, entity, recordID, field string
	client, server                    json.RawMessage
	clientID                          string
	resolved                          bool
}

func (h *hubDB) conflicts(t testing.TB) []hubConflict {
	t.Helper()
	rows, err := h.db.Query(`SELECT id, kind, entity, record_id, field, client_value, server_value, client_id, resolved_at FROM hub_conflicts ORDER BY seq`)
	require.NoError(t, err)
	defer rows.Close()
	var out []hubConflict
	for rows.Next() {
		var c hubConflict
		var client, server, resolvedAt string
		require.NoError(t, rows.Scan(&c.id, &c.kind, &c.entity, &c.recordID, &c.field, &client, &server, &c.clientID, &resolvedAt))
		c.client, c.server, c.resolved = json.RawMessage(client), json.RawMessage(server), resolvedAt != ""
		out = append(out, c)
	}
	require.NoError(t, rows.Err())
	return out
}

func (h *hubDB) lastMutation(t testing.TB, clientID string) int64 {
	t.Helper()
	var n int64
	err := h.db.QueryRow(h.q(`SELECT last_mutation FROM hub_clients WHERE client_id = ?`), clientID).Scan(&n)
	if err == sql.ErrNoRows {
		return 0
	}
	require.NoError(t, err)
	return n
}

// sameValue compares JSON values, whatever their spacing or key order.
func sameValue(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return string(a) == string(b)
	}
	return reflect.DeepEqual(x, y)
}

// isZeroValue reports whether a JSON value is what an unset field holds.
func isZeroValue(v json.RawMessage) bool {
	switch strings.TrimSpace(string(v)) {
	case "", `""`, "0", "false", "[]", "{}", "null":
		return true
	}
	return false
}
