package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var uidLine = regexp.MustCompile(`(?m)^UID:(.*)\r$`)

func TestVisitsAddListAndJSONContract(t *testing.T) {
	r := newRD(t)
	co := r.ok("companies", "add", "--name", "Müller & Söhne GmbH", "--city", "Köln", "--postal-code", "50667", "--street", "Große Str. 7")
	ct := r.ok("contacts", "add", "--name", "Anna Bäcker", "--company", "Müller & Söhne GmbH", "--phone", "0221 987654")
	id := r.ok("visits", "add", "--contact", ct[:30], "--assignee", "jörg", "--start", "2026-12-01 10:00", "--duration", "90m",
		"--purpose", "Jahresgespräch")
	assert.Regexp(t, `^[0-9a-f-]{36}$`, id, "add prints the new id alone")
	r.ok("visits", "add", "--company", co, "--assignee", "ulla", "--start", "2026-12-02 09:00")

	var list []map[string]any
	r.json(&list, "visits", "list", "--assignee", "jörg", "--day", "2026-12-01")
	require.Len(t, list, 1)
	v := list[0]
	assert.ElementsMatch(t, []string{"id", "start", "end", "assignee", "company_id", "company", "contact_id", "contact",
		"address", "purpose", "status", "outcome", "report", "position", "version"}, keysOf(v))
	assert.Equal(t, id, v["id"])
	assert.Equal(t, co, v["company_id"], "the contact's company")
	assert.Equal(t, "Müller & Söhne GmbH", v["company"])
	assert.Equal(t, "Anna Bäcker", v["contact"])
	assert.Equal(t, "Große Str. 7, 50667 Köln", v["address"])
	assert.Equal(t, "planned", v["status"])
	assert.Contains(t, v["start"], "2026-12-01T10:00:00")
	assert.Contains(t, v["end"], "2026-12-01T11:30:00")

	r.json(&list, "visits", "list", "--week", "2026-W49", "--all")
	assert.Len(t, list, 2, "both visits are in week 49")
	r.json(&list, "visits", "--assignee", "nobody", "--day", "2026-12-01")
	assert.Empty(t, list)

	for _, bad := range [][]string{
		{"visits", "add", "--company", co, "--start", "2026-12-01 10:00"},                      // no assignee
		{"visits", "add", "--company", co, "--assignee", "jörg"},                               // no start
		{"visits", "add", "--company", co, "--assignee", "jörg", "--start", "1.12.2026 10:00"}, // bad start
		{"visits", "add", "--assignee", "jörg", "--start", "2026-12-01 10:00"},                 // nowhere
		{"visits", "list", "--day", "2026-12-01", "--week", "2026-W49"},                        // both
		{"visits", "list", "--week", "2026-49"},                                                // bad week
		{"visits", "ics", "--day", "2026-12-01"},                                               // no --out
		{"visits", "report", id, "--outcome", "super"},                                         // bad outcome
		{"visits", "report", id, "--outcome", "positive", "--next-step", "no date"},            // bad step
		{"brief", id}, // no --out
	} {
		res := r.run(bad...)
		assert.Equal(t, ExitUsage, res.code, "%v: %s", bad, res.stderr)
	}
	res := r.run("visits", "add", "--company", "0190b5c2-0000", "--assignee", "jörg", "--start", "2026-12-01 10:00")
	assert.Equal(t, ExitError, res.code, "an unknown company")
}

func TestVisitsICSExport(t *testing.T) {
	r := newRD(t)
	co := r.ok("companies", "add", "--name", "ACME, Inc.; Werk \\ 2", "--city", "Berlin")
	a := r.ok("visits", "add", "--company", co, "--assignee", "jörg", "--start", "2026-12-01 10:00", "--purpose", "Line one")
	b := r.ok("visits", "add", "--company", co, "--assignee", "jörg", "--start", "2026-12-03 10:00")
	r.ok("visits", "add", "--company", co, "--assignee", "ulla", "--start", "2026-12-01 12:00")
	dir := t.TempDir()
	day := filepath.Join(dir, "day.ics")
	r.ok("visits", "ics", "--assignee", "jörg", "--day", "2026-12-01", "--out", day)
	data, err := os.ReadFile(day)
	require.NoError(t, err)
	text := string(data)
	assert.True(t, strings.HasPrefix(text, "BEGIN:VCALENDAR\r\n"))
	assert.Equal(t, []string{a + "@visit.repdesk"}, uids(text), "jörg's visit of that day only")
	assert.Contains(t, text, "SUMMARY:Visit: ACME\\, Inc.\\; Werk \\\\ 2\r\n")

	week := filepath.Join(dir, "week.ics")
	r.ok("visits", "ics", "--week", "2026-W49", "--assignee", "jörg", "--out", week)
	data, err = os.ReadFile(week)
	require.NoError(t, err)
	assert.Equal(t, []string{a + "@visit.repdesk", b + "@visit.repdesk"}, uids(string(data)))
	assert.Contains(t, string(data), "SEQUENCE:0\r\n")

	// One visit by id; after a report its export keeps the UID with a higher SEQUENCE.
	r.ok("visits", "report", a[:30], "--outcome", "positive", "--notes", "Gut gelaufen")
	out := r.ok("visits", "ics", a, "--out", "-")
	assert.Equal(t, []string{a + "@visit.repdesk"}, uids(out+"\r\n"))
	assert.Contains(t, out, "SEQUENCE:1\r\n")
}

func uids(ics string) []string {
	var out []string
	for _, m := range uidLine.FindAllStringSubmatch(ics, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestVisitsPlanOrderReport(t *testing.T) {
	r := newRD(t)
	a := r.ok("companies", "add", "--name", "Alpha", "--city", "Köln")
	b := r.ok("companies", "add", "--name", "Beta", "--city", "Köln")
	c := r.ok("companies", "add", "--name", "Gamma", "--city", "Bonn")
	ids := strings.Fields(r.ok("visits", "plan", "--day", "2026-12-01", "--assignee", "jörg", a, b, c))
	require.Len(t, ids, 3, "plan prints the new visits' ids")
	var list []map[string]any
	r.json(&list, "visits", "list", "--day", "2026-12-01")
	require.Len(t, list, 3)
	assert.Equal(t, []any{"Alpha", "Beta", "Gamma"}, []any{list[0]["company"], list[1]["company"], list[2]["company"]})
	assert.Contains(t, list[0]["start"], "T09:00:00")
	assert.Contains(t, list[1]["start"], "T10:30:00")

	r.ok("visits", "order", ids[2], ids[0], ids[1])
	r.json(&list, "visits", "list", "--day", "2026-12-01")
	assert.Equal(t, []any{"Gamma", "Alpha", "Beta"}, []any{list[0]["company"], list[1]["company"], list[2]["company"]})
	assert.Contains(t, list[0]["start"], "T09:00:00", "Gamma takes the first slot")

	var rep map[string]any
	r.json(&rep, "visits", "report", ids[2], "--outcome", "follow_up", "--notes", "Muster zeigen",
		"--next-step", "Muster schicken@2026-12-04", "--next-step", "Anrufen@2026-12-08 14:00")
	assert.ElementsMatch(t, []string{"visit", "activity", "tasks"}, keysOf(rep))
	assert.Equal(t, "done", rep["visit"].(map[string]any)["status"])
	assert.Len(t, rep["tasks"], 2)
	var tasks []map[string]any
	r.json(&tasks, "tasks", "list")
	assert.Len(t, tasks, 2)
	res := r.run("visits", "report", ids[2], "--outcome", "positive")
	assert.Equal(t, ExitError, res.code, "a done visit is reported once: %s", res.stderr)
}

func TestVisitsOrderAuto(t *testing.T) {
	r := newRD(t)
	koeln := r.ok("companies", "add", "--name", "Alpha", "--city", "Köln", "--postal-code", "50667")
	berlin := r.ok("companies", "add", "--name", "Beta", "--city", "Berlin", "--postal-code", "10115")
	koeln2 := r.ok("companies", "add", "--name", "Gamma", "--city", "Köln", "--postal-code", "50668")
	nowhere := r.ok("companies", "add", "--name", "Delta")
	ids := strings.Fields(r.ok("visits", "plan", "--day", "2026-12-01", "--assignee", "jörg", koeln, berlin, koeln2, nowhere))
	require.Len(t, ids, 4)

	out := r.ok("visits", "order", "--auto", "--day", "2026-12-01", "--assignee", "jörg", "--travel", "15m")
	assert.Regexp(t, `(?s)1 +09:00 +10:00 +Alpha.*2 +10:15 +11:15 +Gamma.*3 +11:30 +12:30 +Beta.*4 +12:45 +13:45 +Delta`, out)
	assert.Contains(t, out, "Kept in place, no postal code or city: 4. Delta")

	var route map[string]any
	r.json(&route, "visits", "order", "--day", "2026-12-01", "--auto", "--assignee", "jörg", "--json")
	assert.ElementsMatch(t, []string{"visits", "unlocated", "full_day"}, keysOf(route))
	assert.Equal(t, false, route["full_day"])
	assert.Equal(t, []any{ids[3]}, route["unlocated"])
	var names []any
	for _, v := range route["visits"].([]any) {
		names = append(names, v.(map[string]any)["company"])
	}
	assert.Equal(t, []any{"Alpha", "Gamma", "Beta", "Delta"}, names, "ordering again keeps the order")

	assert.Contains(t, r.ok("visits", "order", "--auto", "--day", "2026-12-02", "--assignee", "jörg"), "jörg has no visits on 2026-12-02")
	for _, bad := range [][]string{
		{"visits", "order"},                                // neither ids nor --auto
		{"visits", "order", "--auto", ids[0]},              // ids and --auto
		{"visits", "order", ids[0], "--day", "2026-12-01"}, // --day without --auto
		{"visits", "order", "--auto", "--day", "1.12.2026"},
	} {
		res := r.run(bad...)
		assert.Equal(t, ExitUsage, res.code, "%v: %s", bad, res.stderr)
	}
}

func TestBriefCommand(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("pdftotext (poppler-utils) is needed to read the brief back")
	}
	r := newRD(t)
	co := r.ok("companies", "add", "--name", "Öko-Bäckerei Weiß", "--city", "München", "--notes", "Kunde seit 2019")
	r.ok("contacts", "add", "--name", "Jürgen Groß", "--company", "Öko-Bäckerei Weiß", "--phone", "089 123456")
	id := r.ok("visits", "add", "--company", co, "--assignee", "jörg", "--start", "2026-12-01 10:00", "--purpose", "Neue Öfen")
	pdf := filepath.Join(t.TempDir(), "brief.pdf")
	r.ok("brief", id, "--out", pdf, "--lang", "de")
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", pdf, "-").Output()
	require.NoError(t, err)
	text := strings.Join(strings.Fields(string(out)), " ")
	for _, want := range []string{"Öko-Bäckerei Weiß", "Besuchsbriefing", "Jürgen Groß", "089 123456", "Neue Öfen", "Kunde seit 2019"} {
		assert.Contains(t, text, want)
	}
	res := r.run("brief", "0190b5c2-6a7e-7c1a-9a55-2f4c1b0e8d11", "--out", pdf)
	assert.Equal(t, ExitError, res.code)
}
