package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/localdb/provision"
	"repdesk/sync/hub/hubtest"
	"repdesk/sync/protocol"
)

// withProvisioning makes the commands look for provisioning in src for the
// rest of the test.
func withProvisioning(t *testing.T, src provision.Sources) {
	t.Helper()
	old := provisionSources
	provisionSources = func() provision.Sources { return src }
	t.Cleanup(func() { provisionSources = old })
}

func writeFile(t *testing.T, path, text string) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	return path
}

const provisionedJSON = `{"server": "%s", "organization": "Krüger Bau GmbH", "region": "AT", "currency": "CHF",
 "stages": [{"name": "Lead", "probability": 10}, {"name": "Offer", "probability": 60}, {"name": "Won", "probability": 100, "closed": "won"}],
 "sync_interval": "15m", "locked": ["server", "region"]}`

func TestProvisionCommand(t *testing.T) {
	dir := t.TempDir()
	beside := filepath.Join(dir, "bin", provision.FileName)
	system := filepath.Join(dir, "etc", provision.FileName)
	withProvisioning(t, provision.Sources{Paths: []string{beside, system}})
	r := newRD(t)

	res := r.run("provision")
	require.Equal(t, ExitOK, res.code, res.stderr)
	assert.Equal(t, "Not provisioned. Looked in: "+beside+", "+system+"\n", res.stdout)

	writeFile(t, system, `{"organization": "From /etc", "region": "DE"}`)
	var got map[string]any
	r.json(&got, "provision")
	assert.Equal(t, system, got["source"])
	assert.Equal(t, true, got["provisioned"])
	assert.Equal(t, "From /etc", got["organization"])
	assert.Equal(t, []any{}, got["locked"])

	writeFile(t, beside, `{"organization": "Beside"}`)
	r.json(&got, "provision")
	assert.Equal(t, beside, got["source"], "the file beside the executable comes before the system-wide one")

	embedded := base64.StdEncoding.EncodeToString([]byte(`{"server": "https://hub.example.com", "currency": "EUR", "locked": ["currency"]}`))
	withProvisioning(t, provision.Sources{Embedded: embedded, Paths: []string{beside, system}})
	r.json(&got, "provision")
	assert.Equal(t, "embedded", got["source"])
	assert.Equal(t, []any{"embedded", beside, system}, got["searched"])
	assert.Equal(t, []any{"currency"}, got["locked"])
	out := r.ok("provision")
	assert.Contains(t, out, "Provisioning: embedded")
	assert.Contains(t, out, "Server:       https://hub.example.com")
}

func TestBrokenProvisioningStillRuns(t *testing.T) {
	path := writeFile(t, filepath.Join(t.TempDir(), provision.FileName), `{"region": "DE", "stages": [{"name": "Lead", "probability": 120}]}`)
	withProvisioning(t, provision.Sources{Paths: []string{path}})
	r := newRD(t)

	res := r.run("provision")
	assert.Equal(t, ExitError, res.code)
	assert.Equal(t, "repdesk: provisioning "+path+": stages[0].probability: 120 is outside 0..100\n", res.stderr)

	// Other commands work, unprovisioned, with the problem on stderr.
	res = r.run("contacts", "add", "--name", "Still Working")
	require.Equal(t, ExitOK, res.code)
	assert.Contains(t, res.stderr, "warning: provisioning "+path+": stages[0].probability")
	assert.Contains(t, res.stderr, "(running unprovisioned)")

	// The app starts too, and is told why it is unprovisioned.
	var opts AppOptions
	r.runApp(&opts)
	assert.Nil(t, opts.Provisioning)
	require.Error(t, opts.ProvisionError)
	assert.Contains(t, opts.ProvisionError.Error(), path)
}

// runApp runs the app entry with a stand-in app that records its options.
func (r *rd) runApp(got *AppOptions) {
	r.t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), []string{}, Env{Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
		if k == "REPDESK_DATA" {
			return r.dir
		}
		return ""
	}, RunApp: func(_ context.Context, _ *localdb.Store, opts AppOptions) error { *got = opts; return nil }})
	require.Equal(r.t, ExitOK, code, errb.String())
}

func TestProvisioningAppliedAndLoginByTokenFile(t *testing.T) {
	h := hubtest.New(t, hubtest.Options{Backend: hubtest.SQLite})
	token := h.AddUser("anna", protocol.RoleRep)
	path := writeFile(t, filepath.Join(t.TempDir(), provision.FileName), fmt.Sprintf(provisionedJSON, h.URL))
	withProvisioning(t, provision.Sources{Paths: []string{path}})
	r := newRD(t)

	// The provisioned pipeline and region are in force at once.
	id := r.ok("deals", "add", "--title", "Kran", "--stage", "Offer")
	var deal map[string]any
	r.json(&deal, "deals", "show", id)
	assert.Equal(t, 60.0, deal["probability"])

	// The admin hands out the token as a file; the server comes from the
	// provisioning.
	tokenFile := writeFile(t, filepath.Join(t.TempDir(), "anna.token"), token+"\n")
	res := r.run("login", "--token-file", tokenFile)
	require.Equal(t, ExitOK, res.code, res.stderr)
	noSecret(t, res, token)
	assert.Contains(t, res.stdout, "Logged in to "+h.URL+" as anna (rep)")

	// The server is locked: another one is refused.
	res = r.run("login", "--token-file", tokenFile, "--server", "https://elsewhere.example.com")
	assert.Equal(t, ExitUsage, res.code)
	assert.Contains(t, res.stderr, "the server is set by your administrator: "+h.URL)

	for _, tc := range []struct{ name, content, want string }{
		{"empty file", "\n", "is empty"},
		{"missing file", "", "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := filepath.Join(t.TempDir(), "token")
			if tc.content != "" {
				writeFile(t, f, tc.content)
			}
			res := r.run("login", "--token-file", f)
			assert.NotEqual(t, ExitOK, res.code)
			assert.Contains(t, res.stderr, tc.want)
		})
	}
	res = r.run("login", "--token-file", writeFile(t, filepath.Join(t.TempDir(), "wrong"), "not-the-token"))
	assert.Equal(t, ExitError, res.code)
	assert.Contains(t, res.stderr, "refused the token")
}

func TestProvisionedCATrusted(t *testing.T) {
	h := hubtest.New(t, hubtest.Options{Backend: hubtest.SQLite})
	token := h.AddUser("anna", protocol.RoleRep)
	tlsHub := httptest.NewTLSServer(h.Server())
	defer tlsHub.Close()
	caPEM, err := json.Marshal(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsHub.Certificate().Raw})))
	require.NoError(t, err)
	r := newRD(t)
	tokenFile := writeFile(t, filepath.Join(t.TempDir(), "anna.token"), token)

	res := r.run("login", "--token-file", tokenFile, "--server", tlsHub.URL)
	require.Equal(t, ExitUnreachable, res.code, "the self-signed hub is not trusted without the provisioned CA")
	assert.Contains(t, res.stderr, "certificate")

	path := writeFile(t, filepath.Join(t.TempDir(), provision.FileName),
		`{"server": "`+tlsHub.URL+`", "ca_cert": `+string(caPEM)+`}`)
	withProvisioning(t, provision.Sources{Paths: []string{path}})
	res = r.run("login", "--token-file", tokenFile)
	require.Equal(t, ExitOK, res.code, res.stderr)
	var got map[string]any
	r.json(&got, "provision")
	assert.Len(t, got["ca_certs"], 1)
	r.ok("sync")
}
