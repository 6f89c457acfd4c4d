package cli

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/sync/client"
	"repdesk/sync/hub/hubtest"
	"repdesk/sync/protocol"
)

func init() {
	// Retries as in production, but quick.
	syncOptions = func(dataDir string) client.Options {
		return client.Options{DataDir: dataDir, Retries: 2, RetryWait: time.Millisecond, RetryMaxWait: 5 * time.Millisecond,
			Timeout: 10 * time.Second}
	}
}

// noSecret fails when a command's output shows the token.
func noSecret(t *testing.T, res result, token string) {
	t.Helper()
	assert.NotContains(t, res.stdout, token, "the token must never be printed")
	assert.NotContains(t, res.stderr, token, "the token must never be printed")
}

func TestSyncCommands(t *testing.T) {
	hubtest.ForEachBackend(t, func(t *testing.T, backend string) {
		h := hubtest.New(t, hubtest.Options{Backend: backend})
		token := h.AddUser("anna", protocol.RoleRep, "north")
		laptop, desktop := newRD(t), newRD(t)

		res := laptop.run("login", "--server", h.URL+"/", "--token", token)
		require.Equal(t, ExitOK, res.code, res.stderr)
		noSecret(t, res, token)
		assert.Contains(t, res.stdout, "Logged in to "+h.URL+" as anna (rep)")
		st, err := os.Stat(filepath.Join(laptop.dir, "token"))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "the token file is the user's only")
		b, err := os.ReadFile(filepath.Join(laptop.dir, "token"))
		require.NoError(t, err)
		assert.Equal(t, token, strings.TrimSpace(string(b)))

		// The other machine reads the token from a file; flags after nothing.
		tokenFile := filepath.Join(t.TempDir(), "anna.token")
		require.NoError(t, os.WriteFile(tokenFile, []byte(token+"\n"), 0o600))
		res = desktop.run("login", "--token-file", tokenFile, "--server", h.URL)
		require.Equal(t, ExitOK, res.code, res.stderr)
		noSecret(t, res, token)

		var status map[string]any
		laptop.json(&status, "status")
		assert.Equal(t, map[string]any{"server": h.URL, "online": true, "pending": 0.0, "conflicts": 0.0, "last_sync": nil}, status)

		id := laptop.ok("contacts", "add", "--name", "Jana Berg", "--title", "Einkauf")
		var sync map[string]any
		laptop.json(&sync, "sync")
		assert.Equal(t, map[string]any{"pushed": 1.0, "pulled": 1.0, "conflicts": 0.0, "rejected": 0.0, "pending": 0.0}, sync,
			"the first sync pushes the contact and loads the snapshot that has it")
		desktop.json(&sync, "sync")
		assert.Equal(t, 1.0, sync["pulled"])
		var shown map[string]any
		desktop.json(&shown, "contacts", "show", id)
		assert.Equal(t, "Einkauf", shown["title"])

		// Both edit the title offline: the second to sync gets a conflict.
		laptop.ok("contacts", "edit", id, "--title", "Head of Purchasing")
		desktop.ok("contacts", "edit", id, "--title", "Procurement Lead")
		laptop.json(&sync, "sync")
		assert.Equal(t, 1.0, sync["pushed"])
		desktop.json(&sync, "sync")
		assert.Equal(t, 1.0, sync["conflicts"])
		desktop.json(&shown, "contacts", "show", id)
		assert.Equal(t, "Head of Purchasing", shown["title"], "the hub kept the first value")

		var conflicts []map[string]any
		desktop.json(&conflicts, "conflicts")
		require.Len(t, conflicts, 1)
		cf := conflicts[0]
		assert.Equal(t, "title", cf["field"])
		assert.Equal(t, "Procurement Lead", cf["mine"])
		assert.Equal(t, "Head of Purchasing", cf["theirs"])
		assert.Equal(t, "Jana Berg", cf["label"])
		out := desktop.ok("conflicts")
		assert.Contains(t, out, "Procurement Lead")
		assert.Contains(t, out, "Head of Purchasing")

		res = desktop.run("conflicts", "resolve", cf["id"].(string), "--keep", "sideways")
		assert.Equal(t, ExitUsage, res.code)
		// The flag may come first; a unique prefix of the id is enough.
		desktop.ok("conflicts", "resolve", "--keep", "mine", cf["id"].(string)[:20])
		desktop.json(&conflicts, "conflicts")
		assert.Empty(t, conflicts)
		desktop.json(&status, "status")
		assert.Equal(t, 2.0, status["pending"], "the kept value and the decision wait for the next sync")
		desktop.ok("sync")
		laptop.ok("sync")
		laptop.json(&shown, "contacts", "show", id)
		assert.Equal(t, "Procurement Lead", shown["title"], "the decision reached the other machine")
		res = desktop.run("conflicts", "resolve", cf["id"].(string), "--keep", "theirs")
		assert.Equal(t, ExitError, res.code)
		assert.Contains(t, res.stderr, "already resolved")

		laptop.json(&status, "status")
		assert.Equal(t, true, status["online"])
		assert.Equal(t, 0.0, status["pending"])
		assert.NotNil(t, status["last_sync"])
		_, err = time.Parse(time.RFC3339, status["last_sync"].(string))
		assert.NoError(t, err)

		// The server goes away: exit 4, the change is kept and goes later.
		laptop.ok("contacts", "edit", id, "--notes", "call back Monday")
		h.Close()
		res = laptop.run("sync")
		assert.Equal(t, ExitUnreachable, res.code, res.stderr)
		assert.Contains(t, res.stderr, "cannot be reached")
		assert.Contains(t, res.stderr, "1 local changes are kept")
		laptop.json(&status, "status")
		assert.Equal(t, false, status["online"])
		assert.Equal(t, 1.0, status["pending"])
	})
}

func TestSyncCommandAuthErrors(t *testing.T) {
	h := hubtest.New(t, hubtest.Options{Backend: hubtest.SQLite})
	token := h.AddUser("ben", protocol.RoleRep, "south")
	r := newRD(t)

	res := r.run("sync")
	assert.Equal(t, ExitError, res.code)
	assert.Contains(t, res.stderr, "no sync server configured: run repdesk login")

	res = r.run("login", "--server", h.URL)
	assert.Equal(t, ExitUsage, res.code)
	res = r.run("login", "--server", "ftp://example.com", "--token", "x")
	assert.Equal(t, ExitError, res.code)
	assert.Contains(t, res.stderr, "want an http:// or https:// URL")

	wrong := "rdh_not-a-real-token"
	res = r.run("login", "--server", h.URL, "--token", wrong)
	assert.Equal(t, ExitError, res.code)
	assert.Contains(t, res.stderr, "refused the token: unknown token")
	noSecret(t, res, wrong)
	_, err := os.Stat(filepath.Join(r.dir, "token"))
	assert.ErrorIs(t, err, os.ErrNotExist, "a refused token is not stored")

	r.ok("login", "--server", h.URL, "--token", token)
	r.ok("contacts", "add", "--name", "Kai Nord")
	h.Revoke("ben")
	res = r.run("sync")
	assert.Equal(t, ExitError, res.code)
	assert.Contains(t, res.stderr, "token revoked")
	noSecret(t, res, token)
	var status map[string]any
	r.json(&status, "status")
	assert.Equal(t, 1.0, status["pending"], "nothing is lost when the hub refuses the token")
}

func TestSyncCommandOldClient(t *testing.T) {
	// A hub of a newer protocol answers 426 to this client.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUpgradeRequired)
		_, _ = w.Write([]byte(`{"error":"this client speaks sync protocol 1; this hub needs at least 2: update RepDesk"}`))
	}))
	t.Cleanup(srv.Close)
	r := newRD(t)
	res := r.run("login", "--server", srv.URL, "--token", "rdh_whatever")
	assert.Equal(t, ExitError, res.code)
	assert.Contains(t, res.stderr, "too old for the sync server: update RepDesk")
	assert.Contains(t, res.stderr, "this hub needs at least 2")
}

// Demo records are journaled like real work: a database that holds them is
// not connected to a team's hub, and one that syncs gets no demo data,
// unless the rep says so.
func TestDemoDataStaysOffTheHub(t *testing.T) {
	h := hubtest.New(t, hubtest.Options{Backend: hubtest.SQLite})
	token := h.AddUser("ben", protocol.RoleRep, "south")

	demoBook := newRD(t)
	demoBook.ok("demo", "--contacts", "20", "--quiet")
	res := demoBook.run("login", "--server", h.URL, "--token", token)
	assert.Equal(t, ExitError, res.code)
	assert.Contains(t, res.stderr, "holds demo data")
	assert.Contains(t, res.stderr, "--data DIR")
	res = demoBook.run("status", "--json")
	assert.Contains(t, res.stdout, `"server": ""`, "the refused login configured nothing")

	team := newRD(t)
	team.ok("login", "--server", h.URL, "--token", token)
	res = team.run("demo", "--contacts", "20", "--quiet")
	assert.Equal(t, ExitError, res.code)
	assert.Contains(t, res.stderr, "syncs with a server")
	var list []map[string]any
	team.json(&list, "contacts", "list")
	assert.Empty(t, list, "the refused demo wrote nothing")

	demoBook.ok("login", "--server", h.URL, "--token", token, "--upload-demo-data")
}
