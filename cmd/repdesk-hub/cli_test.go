package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/sync/hub"
	"repdesk/sync/protocol"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestUsersCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "hub.db")
	code, token, stderr := runCLI(t, "users", "add", "--db", db, "--name", "ann", "--role", "rep", "--territory", "north", "--territory", "west")
	require.Equal(t, 0, code, stderr)
	token = strings.TrimSpace(token)
	assert.Regexp(t, `^rdh_[A-Za-z0-9_-]{43}$`, token, "the token alone, 256 random bits")
	info, err := os.Stat(db)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	t.Setenv("REPDESK_HUB_DB", db)
	code, _, stderr = runCLI(t, "users", "add", "--name", "boss", "--role", "manager")
	require.Equal(t, 0, code, stderr)

	code, out, _ := runCLI(t, "users", "list", "--json")
	require.Equal(t, 0, code)
	var users []hub.User
	require.NoError(t, json.Unmarshal([]byte(out), &users))
	require.Len(t, users, 2)
	assert.Equal(t, "ann", users[0].Name)
	assert.Equal(t, []string{"north", "west"}, users[0].Territories)
	assert.Equal(t, "manager", users[1].Role)
	assert.NotContains(t, out, token)

	// The hub stores only a hash of the token.
	raw, err := os.ReadFile(db)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), token)

	h, err := hub.Open(context.Background(), db)
	require.NoError(t, err)
	defer h.Close()
	u, err := h.Authenticate(context.Background(), token)
	require.NoError(t, err)
	assert.Equal(t, "ann", u.Name)

	code, _, stderr = runCLI(t, "users", "revoke", "ann") // the flag from the environment
	require.Equal(t, 0, code, stderr)
	_, err = h.Authenticate(context.Background(), token)
	assert.ErrorIs(t, err, hub.ErrRevoked, "revoking works while the database is open elsewhere")

	code, out, _ = runCLI(t, "users", "list")
	require.Equal(t, 0, code)
	assert.Regexp(t, `ann\s+rep\s+north,west\s+\S+\s+revoked`, out)
	assert.Regexp(t, `boss\s+manager\s+\S+\s+active`, out)
}

func TestCLIErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "hub.db")
	t.Setenv("REPDESK_HUB_DB", "")
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no command", nil, 2, "no command"},
		{"unknown command", []string{"start"}, 2, `unknown command "start"`},
		{"unknown users sub-command", []string{"users", "delete"}, 2, `unknown sub-command "delete"`},
		{"no database", []string{"users", "list"}, 2, "no database"},
		{"bad role", []string{"users", "add", "--db", db, "--name", "x", "--role", "boss"}, 2, `--role must be rep, manager or admin, not "boss"`},
		{"no name", []string{"users", "add", "--db", db, "--role", "rep"}, 2, "--name is required"},
		{"unknown flag", []string{"users", "list", "--db", db, "--yaml"}, 2, "flag provided but not defined: -yaml"},
		{"revoke without name", []string{"users", "revoke", "--db", db}, 2, "exactly one user name"},
		{"revoke unknown user", []string{"users", "revoke", "--db", db, "nobody"}, 1, "user not found"},
		{"tls half", []string{"serve", "--db", db, "--tls-cert", "c.pem"}, 2, "--tls-cert and --tls-key go together"},
		{"bad address", []string{"serve", "--db", db, "--addr", "999.1.1.1:1"}, 1, "serve:"},
		{"help", []string{"--help"}, 0, ""},
	}
	for _, tc := range tests {
		code, _, stderr := runCLI(t, tc.args...)
		assert.Equal(t, tc.code, code, tc.name)
		if tc.msg == "" {
			assert.Empty(t, stderr, tc.name)
			continue
		}
		assert.Contains(t, stderr, tc.msg, tc.name)
		assert.Equal(t, 1, strings.Count(stderr, "\n"), "%s: one line on stderr", tc.name)
	}
	code, _, _ := runCLI(t, "users", "add", "--db", db, "--name", "ann", "--role", "rep")
	require.Equal(t, 0, code)
	code, _, stderr := runCLI(t, "users", "add", "--db", db, "--name", "ann", "--role", "rep")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "user already exists")
}

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// TestServeBinary builds the hub without cgo, serves, and stops it with
// SIGTERM: it must exit 0 and its log must not hold the token.
func TestServeBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "repdesk-hub")
	build := exec.Command("go", "build", "-tags", "migrated_fynedo", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "CGO_ENABLED=0 go build: %s", out)

	db := filepath.Join(dir, "hub.db")
	tokenOut, err := exec.Command(bin, "users", "add", "--db", db, "--name", "ann", "--role", "rep").Output()
	require.NoError(t, err)
	token := strings.TrimSpace(string(tokenOut))

	addr := freePort(t)
	var logs bytes.Buffer
	cmd := exec.Command(bin, "serve", "--db", db, "--addr", addr)
	cmd.Stderr = &logs
	require.NoError(t, cmd.Start())
	base := "http://" + addr
	require.Eventually(t, func() bool {
		resp, err := http.Get(base + protocol.PathHealth)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 10*time.Second, 50*time.Millisecond)

	req, err := http.NewRequest(http.MethodGet, base+protocol.PathMe, nil)
	require.NoError(t, err)
	req.Header.Set(protocol.HeaderVersion, fmt.Sprint(protocol.Version))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var me protocol.Me
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&me))
	resp.Body.Close()
	assert.Equal(t, "ann", me.User)

	// Users can be added while the hub runs, and serve sees them at once.
	tokenOut, err = exec.Command(bin, "users", "add", "--db", db, "--name", "bob", "--role", "rep").Output()
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(tokenOut)))
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait(), "graceful shutdown exits 0; log: %s", logs.String())
	assert.Contains(t, logs.String(), `"msg":"request"`)
	assert.Contains(t, logs.String(), `"user":"ann"`)
	assert.Contains(t, logs.String(), `"msg":"stopped"`)
	assert.NotContains(t, logs.String(), token)
}

func TestVersionCommand(t *testing.T) {
	Version, Commit, BuildDate = "1.2.3", "abc1234", "2026-11-27T08:00:00Z"
	t.Cleanup(func() { Version, Commit, BuildDate = "dev", "unknown", "unknown" })

	code, out, _ := runCLI(t, "version")
	assert.Equal(t, exitOK, code)
	assert.Equal(t, "repdesk-hub 1.2.3 (commit abc1234, built 2026-11-27T08:00:00Z)\n", out)

	code, out, _ = runCLI(t, "version", "--json")
	assert.Equal(t, exitOK, code)
	assert.JSONEq(t, `{"version":"1.2.3","commit":"abc1234","build_date":"2026-11-27T08:00:00Z"}`, out)

	code, _, errOut := runCLI(t, "version", "extra")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, `unexpected argument "extra"`)
}
