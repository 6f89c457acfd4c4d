package client_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/sync/client"
	"repdesk/sync/hub/hubtest"
	"repdesk/sync/protocol"
)

// pullRecorder keeps the (decoded) answers to pulls.
type pullRecorder struct {
	mu    sync.Mutex
	pulls []protocol.PullResponse
}

func (p *pullRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || !strings.HasPrefix(req.URL.Path, protocol.PathPull) || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	var page protocol.PullResponse
	if err := json.Unmarshal(body, &page); err == nil {
		p.mu.Lock()
		p.pulls = append(p.pulls, page)
		p.mu.Unlock()
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

func (p *pullRecorder) take() []protocol.Record {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []protocol.Record
	for _, page := range p.pulls {
		out = append(out, page.Changes...)
	}
	p.pulls = nil
	return out
}

// A client's own changes do not come back to it with their values: the
// pull marks them own and the client takes only their versions.
func TestOwnChangesAreNotSentBack(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		h := hubtest.New(t, hubtest.Options{Backend: backend})
		token := h.AddUser("anna", protocol.RoleRep, "north")
		rec := &pullRecorder{}
		a := newDevice(t, "laptop", func(o *client.Options) { o.Transport = rec })
		b := newDevice(t, "desktop", nil)
		a.login(h.URL, token)
		b.login(h.URL, token)
		a.sync()
		b.sync()
		rec.take()

		ct := &localdb.Contact{FullName: "Jana Berg", Title: "CFO", Tags: []string{"vip"}, Notes: "met at the fair"}
		require.NoError(t, a.store.CreateContact(ctx, ct))
		a.sync()
		got := rec.take()
		require.Len(t, got, 1)
		assert.True(t, got[0].Own)
		assert.NotContains(t, got[0].Fields, "full_name", "a's own values are not sent back")
		assert.NotContains(t, got[0].Fields, "notes")
		assert.Contains(t, got[0].Fields, "tags", "tags always go: the hub may have merged them")
		seq, versions, err := a.store.SyncRecord(ctx, localdb.EntityContact, ct.ID)
		require.NoError(t, err)
		assert.Equal(t, got[0].Seq, seq)
		assert.Equal(t, got[0].Seq, versions["full_name"], "the hub's versions are learnt")
		assert.Equal(t, "met at the fair", a.contact(ct.ID).Notes, "and the values stay")

		// Another machine's change comes whole, values and all.
		b.sync()
		b.editContact(ct.ID, func(c *localdb.Contact) { c.Title = "CEO" })
		b.sync()
		a.sync()
		got = rec.take()
		require.Len(t, got, 1)
		assert.False(t, got[0].Own)
		assert.Contains(t, got[0].Fields, "full_name")
		assert.Equal(t, "CEO", a.contact(ct.ID).Title)
		assert.Equal(t, "Jana Berg", a.contact(ct.ID).FullName)

		// Then a's edit of one field: the others come with their values.
		a.editContact(ct.ID, func(c *localdb.Contact) { c.Notes = "wants a quote" })
		a.sync()
		got = rec.take()
		require.Len(t, got, 1)
		assert.True(t, got[0].Own)
		assert.NotContains(t, got[0].Fields, "notes")
		assert.Contains(t, got[0].Fields, "title")
		c := a.contact(ct.ID)
		assert.Equal(t, "wants a quote", c.Notes)
		assert.Equal(t, "CEO", c.Title)
		assert.Equal(t, "Jana Berg", c.FullName)
	})
}

// A record sent as own that is gone here (removed behind the app's back)
// cannot be completed from the pull: the client re-syncs and gets it whole.
func TestOwnRecordMissingLocallyResyncs(t *testing.T) {
	h := hubtest.New(t, hubtest.Options{Backend: hubtest.SQLite})
	a := newDevice(t, "laptop", nil)
	a.login(h.URL, h.AddUser("anna", protocol.RoleRep, "north"))
	a.sync()
	ct := &localdb.Contact{FullName: "Jana Berg", Notes: "met at the fair"}
	require.NoError(t, a.store.CreateContact(ctx, ct))
	client.BeforePull(a.client, func() {
		_, err := a.store.DB().Exec(`DELETE FROM contacts WHERE id = ?`, ct.ID)
		require.NoError(t, err)
	})
	res := a.sync()
	assert.True(t, res.Resynced)
	assert.Equal(t, "met at the fair", a.contact(ct.ID).Notes)
}
