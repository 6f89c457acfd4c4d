package provision

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
)

func example(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "provisioning.json"))
	require.NoError(t, err)
	return b
}

// testCA is a self-signed CA certificate in PEM.
func testCA(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Krüger Bau CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func TestParseExample(t *testing.T) {
	p, err := Parse(example(t), "x.json")
	require.NoError(t, err)
	assert.Equal(t, "https://hub.krueger-bau.de", p.Server, "the trailing slash is dropped")
	assert.Equal(t, "AT", p.Region)
	assert.Equal(t, "EUR", p.Currency)
	assert.Equal(t, 15*time.Minute, p.SyncInterval.Duration)
	assert.Len(t, p.Stages, 6)
	assert.True(t, p.Locks(LockRegion))
	assert.False(t, p.Locks(LockStages))
	assert.ErrorIs(t, p.CheckChange(LockCurrency), ErrLocked)
	assert.ErrorContains(t, p.CheckChange(LockCurrency), "currency is set by your administrator (x.json)")
	assert.NoError(t, p.CheckChange(LockStages))
	var nothing *Provisioning
	assert.NoError(t, nothing.CheckChange(LockServer), "an unprovisioned app locks nothing")
}

// withField returns the example with one top-level field replaced (nil
// value: removed) or added.
func withField(t *testing.T, key string, value any) []byte {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(example(t), &m))
	if value == nil {
		delete(m, key)
	} else {
		m[key] = value
	}
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return b
}

func TestParseErrors(t *testing.T) {
	stages := func(prob int) []any {
		return []any{map[string]any{"name": "Lead", "probability": prob}}
	}
	for _, tc := range []struct {
		name string
		file []byte
		want string
	}{
		{"unknown field", withField(t, "regoin", "DE"), `unknown field "regoin"`},
		{"bad URL", withField(t, "server", "hub.example.com"), `server: "hub.example.com" is not a hub address`},
		{"ftp URL", withField(t, "server", "ftp://hub.example.com"), "server:"},
		{"unknown region", withField(t, "region", "XX"), `region: "XX" is not a phone region`},
		{"unknown currency", withField(t, "currency", "EURO"), `currency: "EURO" is not an ISO 4217`},
		{"probability above 100", withField(t, "stages", stages(101)), "stages[0].probability: 101 is outside 0..100"},
		{"probability below 0", withField(t, "stages", stages(-1)), "stages[0].probability: -1 is outside 0..100"},
		{"duplicate stage", withField(t, "stages", append(stages(10), stages(20)...)), `stages[1].name: stage "Lead" is listed twice`},
		{"bad interval", withField(t, "sync_interval", "often"), `sync_interval: "often" is not a duration`},
		{"interval too short", withField(t, "sync_interval", "10s"), `10s: want between 1m and 24h`},
		{"probability as text", withField(t, "stages", []any{map[string]any{"name": "Lead", "probability": "ten"}}), "stages.probability: want int64"},
		{"unknown lock", withField(t, "locked", []string{"theme"}), `locked[0]: "theme" is not a setting that can be locked`},
		{"locked but unset", []byte(`{"region": "DE", "locked": ["region", "stages"]}`), `locked[1]: "stages" is locked but not set`},
		{"bad PEM", withField(t, "ca_cert", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"), "ca_cert: no PEM certificate"},
		{"a key, not a certificate", withField(t, "ca_cert", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), `ca_cert: a PEM block of type "PRIVATE KEY"`},
		{"syntax error", []byte("{\n  \"server\": \"https://hub\",\n  oops\n}"), "line 3, column 3"},
		{"empty", nil, "the file is empty"},
		{"two objects", []byte(`{} {}`), "text after the JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.file, "/etc/repdesk/provisioning.json")
			require.Error(t, err)
			assert.Contains(t, err.Error(), "provisioning /etc/repdesk/provisioning.json: ")
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestCACert(t *testing.T) {
	ca := testCA(t)
	p, err := Parse(withField(t, "ca_cert", ca), "x.json")
	require.NoError(t, err)
	pool, err := p.CertPool()
	require.NoError(t, err)
	block, _ := pem.Decode([]byte(ca))
	cert, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	_, err = cert.Verify(x509.VerifyOptions{Roots: pool})
	assert.NoError(t, err, "the pool trusts the provisioned CA")

	none, err := Parse(example(t), "x.json")
	require.NoError(t, err)
	pool, err = none.CertPool()
	require.NoError(t, err)
	assert.Nil(t, pool, "no CA: the system's roots as usual")
}

func TestFindOrder(t *testing.T) {
	dir := t.TempDir()
	beside := filepath.Join(dir, "bin", FileName)
	system := filepath.Join(dir, "etc", "repdesk", FileName)
	write := func(path string, b []byte) {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, b, 0o644))
	}
	paths := []string{beside, system}

	_, err := Find(Sources{Paths: paths})
	assert.ErrorIs(t, err, ErrNotProvisioned)

	write(system, withField(t, "organization", "System Wide"))
	p, err := Find(Sources{Paths: paths})
	require.NoError(t, err)
	assert.Equal(t, "System Wide", p.Organization)
	assert.Equal(t, system, p.Source)

	write(beside, withField(t, "organization", "Beside The Executable"))
	p, err = Find(Sources{Paths: paths})
	require.NoError(t, err)
	assert.Equal(t, "Beside The Executable", p.Organization)
	assert.Equal(t, beside, p.Source)

	embedded := base64.StdEncoding.EncodeToString(withField(t, "organization", "Embedded"))
	p, err = Find(Sources{Embedded: embedded, Paths: paths})
	require.NoError(t, err)
	assert.Equal(t, "Embedded", p.Organization)
	assert.Equal(t, SourceEmbedded, p.Source)

	_, err = Find(Sources{Embedded: "%%%", Paths: paths})
	assert.ErrorContains(t, err, "provisioning (embedded): not base64")

	write(beside, []byte(`{"server": 42}`))
	_, err = Find(Sources{Paths: paths})
	assert.ErrorContains(t, err, "provisioning "+beside+": server: want string",
		"a broken file is reported, not skipped for the next one")
}

func TestDefaultSources(t *testing.T) {
	src := DefaultSources()
	require.Len(t, src.Paths, 2)
	exe, err := os.Executable()
	require.NoError(t, err)
	exe, err = filepath.EvalSymlinks(exe)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(filepath.Dir(exe), FileName), src.Paths[0])
	assert.True(t, strings.HasSuffix(src.Paths[1], filepath.Join("repdesk", FileName)) ||
		strings.HasSuffix(src.Paths[1], filepath.Join("RepDesk", FileName)))
}

func TestApply(t *testing.T) {
	ctx := context.Background()
	s, err := localdb.OpenTemp(t.TempDir())
	require.NoError(t, err)
	defer s.Close()
	p, err := Parse(example(t), "x.json")
	require.NoError(t, err)
	require.NoError(t, s.SetSetting(ctx, SettingCurrency, "USD")) // the rep's choice, but currency is locked

	require.NoError(t, p.Apply(ctx, s))
	assert.Equal(t, "AT", s.Region())
	for key, want := range map[string]string{SettingCurrency: "EUR", SettingSyncInterval: "15m0s", SettingOrganization: "Krüger Bau GmbH"} {
		got, err := s.Setting(ctx, key)
		require.NoError(t, err)
		assert.Equal(t, want, got, key)
	}
	stages, err := s.Stages(ctx)
	require.NoError(t, err)
	require.Len(t, stages, 6)
	assert.Equal(t, localdb.Stage{Name: "Offer", Position: 3, Probability: 60}, stages[2])
	assert.Equal(t, "won", stages[4].Closed)

	// A deal in a provisioned stage takes its probability.
	d := &localdb.Deal{Title: "Kran", Stage: "Offer"}
	require.NoError(t, s.Create(ctx, d))
	assert.EqualValues(t, 60, d.Probability)

	// Idempotent: the second start writes nothing (the journal and the
	// stages are unchanged).
	before, err := s.PendingCount(ctx)
	require.NoError(t, err)
	require.NoError(t, p.Apply(ctx, s))
	after, err := s.PendingCount(ctx)
	require.NoError(t, err)
	assert.Equal(t, before, after)
	again, err := s.Stages(ctx)
	require.NoError(t, err)
	assert.Equal(t, stages, again)

	// An unlocked setting the rep changed stays the rep's.
	unlocked, err := Parse(withField(t, "locked", []string{}), "x.json")
	require.NoError(t, err)
	require.NoError(t, s.SetSetting(ctx, SettingCurrency, "CHF"))
	require.NoError(t, unlocked.Apply(ctx, s))
	cur, err := s.Setting(ctx, SettingCurrency)
	require.NoError(t, err)
	assert.Equal(t, "CHF", cur)
}
