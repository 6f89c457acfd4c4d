package ui

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/sync/client"
	"repdesk/sync/hub/hubtest"
	"repdesk/sync/protocol"
)

// TestSyncWithAHub runs the app's sync screens against a real hub through
// ClientSync: sign in, pull a colleague's contact, and decide a conflict.
func TestSyncWithAHub(t *testing.T) {
	ctx := context.Background()
	hub := hubtest.New(t, hubtest.Options{})
	token := hub.AddUser("anna", protocol.RoleRep, "north")
	fast := func(dir string) client.Options {
		return client.Options{DataDir: dir, Timeout: 10 * time.Second, Retries: 1, RetryWait: time.Millisecond, RetryMaxWait: time.Millisecond}
	}

	// The other machine of the same rep.
	otherDir := t.TempDir()
	other, err := localdb.Open(filepath.Join(otherDir, "repdesk.db"))
	require.NoError(t, err)
	t.Cleanup(func() { other.Close() })
	laptop := client.New(other, fast(otherDir))
	require.NoError(t, laptop.Login(ctx, hub.URL, token))
	ct := &localdb.Contact{FullName: "Jana Berg", Title: "Einkauf"}
	require.NoError(t, other.CreateContact(ctx, ct))
	_, err = laptop.Sync(ctx)
	require.NoError(t, err)

	var desktop *client.Client
	h := newHarness(t, harnessOpts{welcomed: true, syncFor: func(s *localdb.Store) SyncService {
		desktop = client.New(s, fast(t.TempDir()))
		return ClientSync(desktop)
	}})
	h.requireText("Offline")
	h.requireText("no server")

	// Signing in checks the server and syncs: the colleague's contact arrives.
	h.app.showID("settings")
	h.idle()
	h.typeInto(h.app.settings.server, hub.URL)
	h.typeInto(h.app.settings.token, "wrong-token")
	h.tap("Sign in")
	assert.Contains(t, h.app.settings.result.Text, "Sign-in failed")
	h.typeInto(h.app.settings.token, token)
	h.tap("Sign in")
	h.requireText("Signed in to " + hub.URL + ".")
	h.requireText("Online")
	h.app.showID("contacts")
	h.idle()
	require.Len(t, h.app.contacts.list.rows, 1)
	assert.Equal(t, "Jana Berg", h.app.contacts.list.rows[0].title)

	// Both machines change the title; the laptop syncs first.
	edit := func(s *localdb.Store, title string) {
		c, err := s.GetContact(ctx, ct.ID)
		require.NoError(t, err)
		c.Title = title
		require.NoError(t, s.UpdateContact(ctx, c))
	}
	edit(other, "Leiterin Einkauf")
	_, err = laptop.Sync(ctx)
	require.NoError(t, err)
	edit(h.store, "Einkäuferin")
	h.key(fyne.KeyF5)
	h.requireText("1 conflict")

	h.tap("1 conflict")
	texts := h.texts()
	for _, want := range []string{"Jana Berg", "Contact · Title", "Theirs", "Leiterin Einkauf", "Mine", "Einkäuferin"} {
		assert.Contains(t, texts, want)
	}
	h.tap("Keep mine")
	h.key(fyne.KeyF5)
	assert.NotContains(t, h.texts(), "1 conflict")
	_, err = laptop.Sync(ctx)
	require.NoError(t, err)
	got, err := other.GetContact(ctx, ct.ID)
	require.NoError(t, err)
	assert.Equal(t, "Einkäuferin", got.Title, "the decision reached the other machine")
}

func TestValueText(t *testing.T) {
	for in, want := range map[string]string{
		`null`:               "",
		`"Leiterin Einkauf"`: "Leiterin Einkauf",
		`42`:                 "42",
		`[{"address":"a@b.de","type":"work"},{"address":"c@d.de"}]`: "a@b.de\nc@d.de",
		`{"title":"CEO","notes":"met at the fair"}`:                 "Notes: met at the fair\nTitle: CEO",
	} {
		assert.Equal(t, want, valueText(json.RawMessage(in)), in)
	}
}
