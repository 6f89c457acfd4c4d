package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rd runs repdesk against one data directory, like a user at a shell.
type rd struct {
	t   *testing.T
	dir string
}

type result struct {
	code           int
	stdout, stderr string
}

func newRD(t *testing.T) *rd { return &rd{t: t, dir: t.TempDir()} }

func (r *rd) run(args ...string) result {
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string {
			if k == "REPDESK_DATA" {
				return r.dir
			}
			return ""
		}}
	code := Run(context.Background(), args, env)
	return result{code, out.String(), errb.String()}
}

// ok runs a command that must succeed and returns its trimmed output.
func (r *rd) ok(args ...string) string {
	res := r.run(args...)
	require.Equal(r.t, 0, res.code, "repdesk %v: %s", args, res.stderr)
	return strings.TrimSpace(res.stdout)
}

func (r *rd) json(v any, args ...string) {
	require.NoError(r.t, json.Unmarshal([]byte(r.ok(append(args, "--json")...)), v), "repdesk %v", args)
}

func TestContactLifecycle(t *testing.T) {
	r := newRD(t)
	id := r.ok("contacts", "add", "--name", "Jürgen Müller", "--email", "j.mueller@alpen.example",
		"--email", "home:jm@web.example", "--phone", "mobile:0171 2345678", "--title", "Einkaufsleiter",
		"--company", "Alpen Logistik AG", "--tags", "VIP, Messe 2026", "--notes", "Ruft gern zurück")
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$`, id, "add prints the new UUIDv7 alone")

	var list []map[string]any
	r.json(&list, "contacts", "list")
	require.Len(t, list, 1)
	c := list[0]
	assert.Equal(t, id, c["id"])
	assert.Equal(t, "Jürgen Müller", c["full_name"])
	assert.Equal(t, "Jürgen", c["given_name"])
	assert.Equal(t, "Müller", c["family_name"])
	assert.Equal(t, "Alpen Logistik AG", c["company"])
	assert.Equal(t, "Einkaufsleiter", c["title"])
	assert.Equal(t, []any{"VIP", "Messe 2026"}, c["tags"])
	assert.Equal(t, []any{
		map[string]any{"address": "j.mueller@alpen.example", "primary": true},
		map[string]any{"address": "jm@web.example", "type": "home"},
	}, c["emails"])
	assert.Equal(t, []any{map[string]any{"number": "0171 2345678", "type": "mobile", "e164": "+491712345678"}}, c["phones"])

	// Flags after the positional id; a unique id prefix is enough.
	r.ok("contacts", "edit", id[:13], "--title", "Head of Procurement")
	var shown map[string]any
	r.json(&shown, "contacts", "show", id)
	assert.Equal(t, "Head of Procurement", shown["title"])
	assert.Equal(t, "Ruft gern zurück", shown["notes"], "edit leaves other fields alone")

	r.ok("contacts", "delete", id)
	r.json(&list, "contacts", "list")
	assert.Empty(t, list)
	res := r.run("contacts", "show", id)
	assert.Equal(t, 1, res.code)
	assert.Contains(t, res.stderr, "no contact with id "+id)
}

func TestErrorsAndExitCodes(t *testing.T) {
	r := newRD(t)
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"unknown command", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"unknown flag", []string{"contacts", "list", "--colour"}, 2, "flag provided but not defined: -colour"},
		{"missing name", []string{"contacts", "add", "--email", "a@b.de"}, 2, "--name is required"},
		{"bad email", []string{"contacts", "add", "--name", "Max", "--email", "max@"}, 1, `email "max@": missing domain`},
		{"bad phone", []string{"contacts", "add", "--name", "Max", "--phone", "call me"}, 1, `phone "call me": contains letters`},
		{"bad status", []string{"contacts", "add", "--name", "Max", "--status", "hot"}, 1, `lead_status "hot": must be one of`},
		{"missing id", []string{"contacts", "show"}, 2, "missing argument"},
		{"bad stage", []string{"deals", "add", "--title", "X", "--stage", "Maybe"}, 1, `stage "Maybe": no such stage`},
		{"bad amount", []string{"deals", "add", "--title", "X", "--amount", "lots"}, 2, `amount "lots"`},
		{"short id", []string{"contacts", "show", "01a"}, 2, "too short"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := r.run(tt.args...)
			assert.Equal(t, tt.code, res.code)
			assert.Contains(t, res.stderr, tt.stderr)
			assert.Equal(t, 1, strings.Count(res.stderr, "\n"), "one line on stderr")
			assert.Empty(t, res.stdout)
		})
	}
	var list []map[string]any
	r.json(&list, "contacts", "list")
	assert.Empty(t, list, "nothing partial was written by the failed commands")
	var companies []map[string]any
	r.json(&companies, "companies", "list")
	assert.Empty(t, companies)
}

func TestDealsAndLog(t *testing.T) {
	r := newRD(t)
	contact := r.ok("contacts", "add", "--name", "Anna Schmidt", "--company", "Rhein Software GmbH")
	deal := r.ok("deals", "add", "--title", "Lizenzerweiterung", "--contact", contact, "--amount", "12.500,00", "--close", "2026-12-31")
	var d map[string]any
	r.json(&d, "deals", "show", deal)
	assert.Equal(t, "Lead", d["stage"])
	assert.EqualValues(t, 10, d["probability"], "the stage's default probability")
	assert.EqualValues(t, 1250000, d["amount"], "amount in minor units")
	assert.Equal(t, "EUR", d["currency"])
	assert.Equal(t, "Rhein Software GmbH", d["company"], "the contact's company")

	r.json(&d, "deals", "move", deal, "negotiation")
	assert.Equal(t, "Negotiation", d["stage"])
	assert.EqualValues(t, 75, d["probability"])
	r.json(&d, "deals", "move", deal, "Won")
	assert.NotEmpty(t, d["closed_at"])

	act := r.ok("log", contact, "--kind", "call", "--outcome", "voicemail", "--note", "AB besprochen")
	assert.NotEmpty(t, act)
	var shown struct {
		Activities []map[string]any `json:"activities"`
		Deals      []map[string]any `json:"deals"`
	}
	r.json(&shown, "contacts", "show", contact)
	require.Len(t, shown.Activities, 1)
	assert.Equal(t, "voicemail", shown.Activities[0]["outcome"])
	assert.Equal(t, "AB besprochen", shown.Activities[0]["body"])
	assert.Len(t, shown.Deals, 1)

	res := r.run("log", contact, "--kind", "note", "--outcome", "busy")
	assert.Equal(t, 1, res.code)
	assert.Contains(t, res.stderr, "only calls have an outcome")
}

func TestSearchAndTasks(t *testing.T) {
	r := newRD(t)
	id := r.ok("contacts", "add", "--name", "Jürgen Müller", "--phone", "+49 171 2345678")
	r.ok("contacts", "add", "--name", "Anna Schmidt", "--phone", "+49 30 1234567")
	for _, q := range []string{"muller", "mueller", "Müll", "0171 234"} {
		var hits []map[string]any
		r.json(&hits, "search", q)
		require.Len(t, hits, 1, q)
		assert.Equal(t, id, hits[0]["id"], q)
	}
	text := r.ok("search", "anna")
	assert.Contains(t, text, "Anna Schmidt")

	task := r.ok("tasks", "add", "--title", "Zurückrufen", "--kind", "call", "--due", "2026-01-02 10:00", "--for", id)
	var tasks []map[string]any
	r.json(&tasks, "tasks")
	require.Len(t, tasks, 1)
	assert.Equal(t, id, tasks[0]["contact_id"])
	r.ok("tasks", "done", task)
	r.json(&tasks, "tasks")
	assert.Empty(t, tasks)
	r.json(&tasks, "tasks", "--all")
	assert.Len(t, tasks, 1)
}

func TestDemoAndDataDir(t *testing.T) {
	r := newRD(t)
	out := r.ok("demo", "--contacts", "40", "--quiet")
	assert.Contains(t, out, "40 contacts")
	var list []map[string]any
	r.json(&list, "contacts", "list", "--limit", "5")
	assert.Len(t, list, 5)

	// --data wins over REPDESK_DATA.
	other := t.TempDir()
	r.json(&list, "--data", other, "contacts", "list")
	assert.Empty(t, list)
}

func TestParseAmount(t *testing.T) {
	for in, want := range map[string]int64{"12500": 1250000, "12.500,00": 1250000, "1,234.5": 123450, "99,9": 9990, "0": 0} {
		got, err := parseAmount(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"-5", "abc", "1.234", ""} {
		_, err := parseAmount(bad)
		assert.Error(t, err, bad)
	}
}
