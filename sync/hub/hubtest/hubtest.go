// Package hubtest runs a real RepDesk hub in-process for tests: on a fresh
// SQLite file by default, or on a fresh PostgreSQL schema when the
// environment variable REPDESK_TEST_PG holds a DSN. It also has a small HTTP
// client that speaks the protocol, enough for tests of the hub and of code
// that talks to it.
package hubtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"repdesk/sync/hub"
)

// EnvPostgres names the environment variable with the PostgreSQL DSN tests
// run against, e.g. postgres://repdesk:repdesk@127.0.0.1:5432/repdesk_test?sslmode=disable.
const EnvPostgres = "REPDESK_TEST_PG"

// Backends.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Options choose the hub's database and its limits.
type Options struct {
	// Backend is SQLite or Postgres; empty means Postgres when
	// REPDESK_TEST_PG is set, else SQLite. Postgres without REPDESK_TEST_PG
	// skips the test.
	Backend string
	// Share, when set, serves the database of another hub: two hub
	// processes behind one load balancer.
	Share *Hub
	// Server holds the limits; zero values take the defaults.
	Server hub.Options
}

// Hub is a running hub on a loopback port.
type Hub struct {
	// URL is the hub's base URL, e.g. http://127.0.0.1:41234.
	URL string
	// DSN is the database the hub serves.
	DSN     string
	Backend string

	t      testing.TB
	opts   hub.Options
	db     *hub.DB
	server *hub.Server
	http   *httptest.Server
}

// New starts a hub on a fresh database, stopped and removed when the test
// ends.
func New(t testing.TB, opts Options) *Hub {
	t.Helper()
	h := &Hub{t: t, opts: opts.Server}
	switch {
	case opts.Share != nil:
		h.Backend, h.DSN = opts.Share.Backend, opts.Share.DSN
	default:
		h.Backend = opts.Backend
		if h.Backend == "" {
			h.Backend = SQLite
			if os.Getenv(EnvPostgres) != "" {
				h.Backend = Postgres
			}
		}
		if h.Backend == Postgres {
			h.DSN = freshSchema(t)
		} else {
			h.DSN = filepath.Join(t.TempDir(), "hub.db")
		}
	}
	h.start("127.0.0.1:0")
	t.Cleanup(h.Close)
	return h
}

// ForEachBackend runs f as a subtest on SQLite, and on PostgreSQL when
// REPDESK_TEST_PG is set (else that subtest skips, saying so).
func ForEachBackend(t *testing.T, f func(t *testing.T, backend string)) {
	for _, b := range []string{SQLite, Postgres} {
		t.Run(b, func(t *testing.T) {
			if b == Postgres && os.Getenv(EnvPostgres) == "" {
				t.Skipf("PostgreSQL tests skipped: set %s to a DSN to run them", EnvPostgres)
			}
			f(t, b)
		})
	}
}

// freshSchema creates a schema of its own for the test and returns a DSN
// whose search_path points there; the schema is dropped at the end.
func freshSchema(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skipf("PostgreSQL tests skipped: set %s to a DSN to run them", EnvPostgres)
	}
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("hubtest: %v", err)
	}
	schema := "hubtest_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("hubtest: open %s: %v", EnvPostgres, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("hubtest: create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("hubtest: drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("hubtest: %s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func (h *Hub) start(addr string) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := hub.Open(ctx, h.DSN)
	if err != nil {
		h.t.Fatalf("hubtest: %v", err)
	}
	h.db = db
	h.server = hub.NewServer(db, h.opts)
	var l net.Listener
	for try := 0; ; try++ {
		l, err = net.Listen("tcp", addr)
		if err == nil || try == 50 {
			break
		}
		time.Sleep(20 * time.Millisecond) // the old listener of a restart may linger briefly
	}
	if err != nil {
		h.t.Fatalf("hubtest: listen %s: %v", addr, err)
	}
	h.http = &httptest.Server{Listener: l, Config: &http.Server{Handler: h.server}}
	h.http.Start()
	h.URL = h.http.URL
}

// Close stops the hub and closes its database; calling it twice is fine.
func (h *Hub) Close() {
	if h.http == nil {
		return
	}
	h.http.Close()
	if err := h.db.Close(); err != nil {
		h.t.Errorf("hubtest: close database: %v", err)
	}
	h.http, h.db, h.server = nil, nil, nil
}

// Restart stops the hub and starts it again on the same database and
// address, as after a crash or an upgrade.
func (h *Hub) Restart() {
	h.t.Helper()
	addr := h.http.Listener.Addr().String()
	h.Close()
	h.start(addr)
}

// DB is the hub's database.
func (h *Hub) DB() *hub.DB { return h.db }

// Server is the hub's HTTP handler.
func (h *Hub) Server() *hub.Server { return h.server }

// AddUser adds a user and returns their token.
func (h *Hub) AddUser(name, role string, territories ...string) string {
	h.t.Helper()
	token, err := h.db.AddUser(context.Background(), name, role, territories)
	if err != nil {
		h.t.Fatalf("hubtest: %v", err)
	}
	return token
}

// Revoke revokes a user's token.
func (h *Hub) Revoke(name string) {
	h.t.Helper()
	if err := h.db.RevokeUser(context.Background(), name); err != nil {
		h.t.Fatalf("hubtest: %v", err)
	}
}

// Prune forgets tombstones and moves older than cutoff and returns the new
// horizon (see hub.DB.Prune).
func (h *Hub) Prune(cutoff time.Time) int64 {
	h.t.Helper()
	horizon, err := h.db.Prune(context.Background(), cutoff)
	if err != nil {
		h.t.Fatalf("hubtest: %v", err)
	}
	return horizon
}

// Client returns a protocol client of a new installation (a fresh client
// id) authenticated with token.
func (h *Hub) Client(token string) *Client {
	return NewClient(h.URL, token)
}
