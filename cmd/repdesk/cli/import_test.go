package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const importTestdata = "../../../localdb/importer/testdata/"

// runIn runs repdesk with stdin.
func (r *rd) runIn(stdin string, args ...string) result {
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string {
			if k == "REPDESK_DATA" {
				return r.dir
			}
			return ""
		}}
	code := Run(context.Background(), args, env)
	return result{code, out.String(), errb.String()}
}

func TestImportCommand(t *testing.T) {
	r := newRD(t)
	team := importTestdata + "team-3.0.vcf"

	// Flags after the file.
	var rep map[string]any
	r.json(&rep, "import", team, "--dry-run")
	assert.EqualValues(t, 5, rep["created"])
	var list []map[string]any
	r.json(&list, "contacts", "list")
	assert.Empty(t, list, "--dry-run wrote nothing")

	res := r.run("import", "--json", team)
	require.Equal(t, 0, res.code, res.stderr)
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &raw))
	var keys []string
	for k := range raw {
		keys = append(keys, k)
	}
	assert.ElementsMatch(t, []string{"files", "cards", "created", "merged", "unchanged", "failed", "conflicts", "errors"}, keys)
	assert.JSONEq(t, `{"files":1,"cards":6,"created":5,"merged":1,"unchanged":0,"failed":0,"conflicts":[],"errors":[]}`, res.stdout,
		"empty lists are [] not null")

	// Twice: nothing new. The text report has one count per line.
	out := r.ok("import", team)
	assert.Equal(t, "files:     1\ncards:     6\ncreated:   0\nmerged:    0\nunchanged: 6\nfailed:    0", out)
	r.json(&list, "contacts", "list")
	assert.Len(t, list, 5)
}

func TestImportConflictsInTheTextReport(t *testing.T) {
	r := newRD(t)
	id := r.ok("contacts", "add", "--name", "Sven Jensen", "--email", "sven@nordwind.example", "--title", "CTO")
	res := r.runIn("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Sven Jensen\r\nEMAIL:SVEN@nordwind.example\r\nTITLE:Head of IT\r\nEND:VCARD\r\n", "import", "-")
	require.Equal(t, 0, res.code, res.stderr)
	assert.Contains(t, res.stdout, "unchanged: 1\n")
	assert.Contains(t, res.stdout, "contact "+id+`: title: kept "CTO", incoming "Head of IT"`)
}

func TestImportExitCodes(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr string
	}{
		{"all read", []string{"import", importTestdata + "android-2.1.vcf"}, 0, []string{"created:   2"}, ""},
		{"a malformed card among good ones", []string{"import", importTestdata + "one-broken-3.0.vcf"}, 3,
			[]string{"created:   2", "failed:    1", importTestdata + "one-broken-3.0.vcf:11: card 2: PHOTO: invalid base64 data"},
			"1 of 3 cards failed, the rest were imported"},
		{"not a vCard file", []string{"import", importTestdata + "contacts.csv"}, 1, nil,
			"import: " + importTestdata + "contacts.csv: not a vCard file"},
		{"a missing file", []string{"import", importTestdata + "android-2.1.vcf", "nowhere.vcf"}, 1, nil,
			"open nowhere.vcf: no such file or directory"},
		{"no file", []string{"import"}, 2, nil, "missing argument"},
		{"bad region", []string{"import", "--region", "Germany", importTestdata + "android-2.1.vcf"}, 2, nil, `--region "Germany"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRD(t)
			res := r.run(tt.args...)
			assert.Equal(t, tt.code, res.code, res.stderr)
			for _, s := range tt.stdout {
				assert.Contains(t, res.stdout, s)
			}
			if tt.stderr == "" {
				assert.Empty(t, res.stderr)
			} else {
				assert.Contains(t, res.stderr, tt.stderr)
			}
			if tt.code == 1 || tt.code == 2 {
				assert.Empty(t, res.stdout)
				var list []map[string]any
				r.json(&list, "contacts", "list")
				assert.Empty(t, list, "nothing was imported")
			}
		})
	}
}

func TestImportStdinAndRegion(t *testing.T) {
	r := newRD(t)
	vcf, err := os.ReadFile(importTestdata + "android-2.1.vcf")
	require.NoError(t, err)
	res := r.runIn(string(vcf)+"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Franz Huber\r\nTEL:01 5879 900\r\nEND:VCARD\r\n",
		"import", "--region", "at", "-", "--json")
	require.Equal(t, 0, res.code, res.stderr)
	var rep struct{ Files, Cards, Created int }
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &rep))
	assert.Equal(t, struct{ Files, Cards, Created int }{1, 3, 3}, rep)
	var hits []map[string]any
	r.json(&hits, "search", "Huber")
	require.Len(t, hits, 1)
	var c map[string]any
	r.json(&c, "contacts", "show", hits[0]["id"].(string))
	assert.Equal(t, []any{map[string]any{"number": "+43 1 5879900", "type": "other", "e164": "+4315879900"}}, c["phones"])
}

func TestExportCommand(t *testing.T) {
	r := newRD(t)
	r.ok("import", importTestdata+"team-3.0.vcf", importTestdata+"android-2.1.vcf")

	all := r.ok("export")
	assert.Equal(t, 7, strings.Count(all, "BEGIN:VCARD"))
	assert.Equal(t, 7, strings.Count(all, "VERSION:3.0"), "3.0 by default")

	v4 := r.ok("export", "--vcard-version", "4.0", "Nordwind")
	assert.Equal(t, 1, strings.Count(v4, "BEGIN:VCARD"), "a query exports what the search finds")
	assert.Contains(t, v4, "VERSION:4.0")
	assert.Contains(t, v4, "FN:Sven Jensen")

	path := filepath.Join(t.TempDir(), "out", "contacts.vcf")
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
	assert.Equal(t, "7 contacts written to "+path, r.ok("export", "--out", path))
	written, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, all, strings.TrimSpace(string(written)), "the file holds what standard output got")
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left behind")

	// The export imports into an empty database as the same contacts.
	other := newRD(t)
	res := other.run("import", "--json", path)
	require.Equal(t, 0, res.code, res.stderr)
	assert.Contains(t, res.stdout, `"created": 7`)
	var before, after []map[string]any
	r.json(&before, "contacts", "list")
	other.json(&after, "contacts", "list")
	require.Len(t, after, len(before))
	for i := range before {
		for _, k := range []string{"id", "created_at", "updated_at", "version", "company_id"} {
			delete(before[i], k)
			delete(after[i], k)
		}
		assert.Equal(t, before[i], after[i])
	}

	res = r.run("export", "--vcard-version", "2.1")
	assert.Equal(t, 2, res.code)
	assert.Contains(t, res.stderr, `--vcard-version "2.1": want 3.0 or 4.0`)
	res = r.run("export", "--out", filepath.Join(t.TempDir(), "missing-dir", "x.vcf"))
	assert.Equal(t, 1, res.code)
	assert.Contains(t, res.stderr, "missing-dir")
}
