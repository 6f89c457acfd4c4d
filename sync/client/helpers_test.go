package client_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/sync/client"
	"repdesk/sync/hub/hubtest"
	"repdesk/sync/protocol"
)

var ctx = context.Background()

// device is one installation: its own database, data directory and client.
type device struct {
	t      testing.TB
	name   string
	dir    string
	store  *localdb.Store
	client *client.Client
}

// fastOptions retry quickly, so that tests with faults stay short.
func fastOptions(dir string) client.Options {
	return client.Options{DataDir: dir, Timeout: 10 * time.Second, Retries: 3, RetryWait: time.Millisecond,
		RetryMaxWait: 10 * time.Millisecond, PullLimit: 50, SnapshotLimit: 40, PushBatch: 25}
}

// newDevice opens a fresh database; opts may change the client's options.
func newDevice(t testing.TB, name string, opts func(*client.Options), storeOpts ...localdb.Option) *device {
	t.Helper()
	dir := t.TempDir()
	s, err := localdb.Open(filepath.Join(dir, "repdesk.db"), storeOpts...)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	o := fastOptions(dir)
	if opts != nil {
		opts(&o)
	}
	return &device{t: t, name: name, dir: dir, store: s, client: client.New(s, o)}
}

// login points the device at server with token.
func (d *device) login(server, token string) {
	d.t.Helper()
	require.NoError(d.t, d.client.Login(ctx, server, token))
}

func (d *device) sync() client.Result {
	d.t.Helper()
	res, err := d.client.Sync(ctx)
	require.NoError(d.t, err, "sync of %s", d.name)
	return res
}

func (d *device) pending() int {
	d.t.Helper()
	n, err := d.store.PendingCount(ctx)
	require.NoError(d.t, err)
	return n
}

func (d *device) contact(id string) *localdb.Contact {
	d.t.Helper()
	c, err := d.store.GetContact(ctx, id)
	require.NoError(d.t, err, "%s: contact %s", d.name, id)
	return c
}

func (d *device) addContact(name string) *localdb.Contact {
	d.t.Helper()
	c := &localdb.Contact{FullName: name}
	require.NoError(d.t, d.store.CreateContact(ctx, c))
	return c
}

func (d *device) editContact(id string, edit func(*localdb.Contact)) {
	d.t.Helper()
	c := d.contact(id)
	edit(c)
	require.NoError(d.t, d.store.UpdateContact(ctx, c))
}

// hubValue reads a field of a record as a manager's fresh snapshot shows it.
func hubRecords(t testing.TB, h *hubtest.Hub, token string) map[hubtest.Key]protocol.Record {
	t.Helper()
	c := h.Client(token)
	_, err := c.FullSync(ctx, 0)
	require.NoError(t, err)
	return c.Records
}

func jsonString(t testing.TB, v json.RawMessage) string {
	t.Helper()
	var s string
	require.NoError(t, json.Unmarshal(v, &s))
	return s
}

// indexNames lists the database's indexes.
func indexNames(t *testing.T, s *localdb.Store) []string {
	t.Helper()
	rows, err := s.DB().QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'index' ORDER BY name`)
	require.NoError(t, err)
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		require.NoError(t, rows.Scan(&name))
		names = append(names, name)
	}
	require.NoError(t, rows.Err())
	return names
}
