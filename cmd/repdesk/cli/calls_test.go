package cli

import (
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestQueueJSONContractAndFilters(t *testing.T) {
	r := newRD(t)
	co := r.ok("companies", "add", "--name", "Spree Logistik", "--city", "Berlin", "--postal-code", "10115")
	jana := r.ok("contacts", "add", "--name", "Jana Kurz", "--company", co, "--phone", "work:+49 30 1234567", "--tags", "VIP")
	tom := r.ok("contacts", "add", "--name", "Tom Berger", "--company", co, "--phone", "+49 30 7654321", "--do-not-call")
	r.ok("contacts", "add", "--name", "Uwe Kraus", "--phone", "+49 89 555111", "--status", "customer")

	var q []map[string]any
	r.json(&q, "queue", "--city", "berlin")
	require.Len(t, q, 2)
	assert.Equal(t, []string{"city", "company", "company_id", "contact_id", "due", "lead_status", "name", "phone",
		"phone_e164", "skip", "task_id", "task_title"}, keysOf(q[0]), "the queue entry's JSON fields")
	assert.Equal(t, map[string]any{"contact_id": jana, "name": "Jana Kurz", "company_id": co, "company": "Spree Logistik",
		"lead_status": "new", "city": "Berlin", "phone": "+49 30 1234567", "phone_e164": "+49301234567",
		"task_id": "", "task_title": "", "due": nil, "skip": ""}, q[0])
	assert.Equal(t, tom, q[1]["contact_id"])
	assert.Equal(t, "do_not_call", q[1]["skip"])

	// The same filter three ways: flags, --filter, and a saved filter.
	r.json(&q, "queue", "--filter", "status=new,tag=vip,postal=10")
	require.Len(t, q, 1)
	assert.Equal(t, jana, q[0]["contact_id"])
	r.ok("queue", "save", "Berlin VIPs", "--status", "new", "--tag", "vip", "--postal", "10")
	var filters []map[string]any
	r.json(&filters, "queue", "filters")
	require.Len(t, filters, 1)
	assert.Equal(t, "Berlin VIPs", filters[0]["name"])
	assert.Equal(t, map[string]any{"lead_status": []any{"new"}, "tags": []any{"vip"}, "postal_prefix": "10"}, filters[0]["filter"])
	r.json(&q, "queue", "--saved", "berlin vips")
	require.Len(t, q, 1)
	assert.Equal(t, jana, q[0]["contact_id"])
	assert.Contains(t, r.ok("queue", "filters"), "status=new,tag=vip,postal=10")

	// queue next skips the do-not-call contact and says why.
	var next struct {
		Entry     map[string]any   `json:"entry"`
		Skipped   []map[string]any `json:"skipped"`
		Remaining int              `json:"remaining"`
	}
	r.json(&next, "queue", "next", "--city", "Berlin")
	assert.Equal(t, jana, next.Entry["contact_id"])
	assert.Equal(t, 1, next.Remaining)
	r.ok("queue", "log", jana, "--outcome", "connected")
	r.json(&next, "queue", "next", "--city", "Berlin")
	assert.Nil(t, next.Entry, "Jana was called today; Tom must not be called")
	require.Len(t, next.Skipped, 1)
	assert.Equal(t, "do_not_call", next.Skipped[0]["skip"])
	assert.Contains(t, r.ok("queue", "next", "--city", "Berlin"), "skipped Tom Berger ("+tom+"): do not call")

	for _, bad := range [][]string{
		{"queue", "--status", "hot"},
		{"queue", "--filter", "colour=red"},
		{"queue", "save"},
		{"queue", "log", jana, "--outcome", "callback"},
		{"queue", "log", jana},
	} {
		res := r.run(bad...)
		assert.Equal(t, 2, res.code, "%v: %s", bad, res.stderr)
	}
	res := r.run("queue", "--saved", "nope")
	assert.Equal(t, 1, res.code)
	assert.Contains(t, res.stderr, `saved filter "nope": not found`)
	r.ok("queue", "delete", "Berlin VIPs")
	r.json(&filters, "queue", "filters")
	assert.Empty(t, filters)
}

// repdesk log applies the same rules as the queue.
func TestLogAppliesTheFollowUpRules(t *testing.T) {
	r := newRD(t)
	id := r.ok("contacts", "add", "--name", "Jana Kurz", "--phone", "+49 30 1234567", "--phone", "mobile:0171 5550101")
	out := r.ok("log", id, "--kind", "call", "--outcome", "voicemail", "--note", "left a message")
	assert.Contains(t, out, "follow-up task")
	var tasks []map[string]any
	r.json(&tasks, "tasks", "list")
	require.Len(t, tasks, 1)
	assert.Equal(t, "Call Jana Kurz again", tasks[0]["title"])
	assert.Equal(t, "call", tasks[0]["kind"])
	due, err := time.Parse(time.RFC3339, tasks[0]["due"].(string))
	require.NoError(t, err)
	assert.Contains(t, []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}, due.Local().Weekday())
	assert.Equal(t, 9, due.Local().Hour())

	var act map[string]any
	r.json(&act, "log", id, "--kind", "call", "--outcome", "wrong_number", "--number", "0171 5550101")
	assert.Equal(t, "wrong_number", act["outcome"], "log --json still prints the activity")
	var c map[string]any
	r.json(&c, "contacts", "show", id)
	phones := c["phones"].([]any)
	assert.Nil(t, phones[0].(map[string]any)["flagged"])
	assert.Equal(t, true, phones[1].(map[string]any)["flagged"])

	r.ok("log", id, "--kind", "call", "--outcome", "not_interested")
	r.json(&c, "contacts", "show", id)
	assert.Equal(t, "unqualified", c["lead_status"])

	res := r.run("log", id, "--kind", "call", "--outcome", "callback")
	assert.Equal(t, 2, res.code)
	assert.Contains(t, res.stderr, "--outcome callback needs --callback-at")
	r.ok("log", id, "--kind", "call", "--outcome", "callback", "--callback-at", "2031-05-06 14:30")
	r.json(&tasks, "tasks", "list")
	require.Len(t, tasks, 2)
	assert.Equal(t, "Call back Jana Kurz", tasks[1]["title"])
	assert.Contains(t, r.ok("tasks", "list"), "2031-05-06 14:30")

	// A note or a call without outcome is logged as before.
	r.ok("log", id, "--kind", "note", "--note", "met at the fair")
	r.ok("log", id, "--kind", "call")
}

func TestCadencesAndQualifyCommands(t *testing.T) {
	r := newRD(t)
	id := r.ok("contacts", "add", "--name", "Jana Kurz", "--company", "Spree Logistik", "--phone", "+49 30 1234567")
	r.ok("cadences", "save", "New leads", "--steps", "0:call, 2:email:Send the brochure, 5:call")
	var cads []map[string]any
	r.json(&cads, "cadences", "list")
	require.Len(t, cads, 1)
	assert.Equal(t, []any{map[string]any{"day": 0.0, "kind": "call"}, map[string]any{"day": 2.0, "kind": "email", "title": "Send the brochure"},
		map[string]any{"day": 5.0, "kind": "call"}}, cads[0]["steps"])
	assert.Equal(t, 2, r.run("cadences", "save", "Broken", "--steps", "zero:call").code)

	var es, tasks []map[string]any
	r.json(&es, "cadences", "enroll", "new leads", id, "--start", "2031-05-05")
	require.Len(t, es, 1)
	assert.Len(t, es[0]["task_ids"], 3)
	out := r.ok("tasks", "list")
	assert.Contains(t, out, "2031-05-05 09:00")
	assert.Contains(t, out, "Send the brochure (New leads, step 2)")
	assert.Contains(t, out, "2031-05-07 09:00")
	res := r.run("cadences", "enroll", "New leads", id)
	assert.Equal(t, 1, res.code)
	assert.Contains(t, res.stderr, `already in the cadence "New leads"`)

	assert.Equal(t, "stopped 1", r.ok("cadences", "stop", id))
	r.json(&tasks, "tasks", "list")
	assert.Empty(t, tasks, "the open steps are removed")
	r.json(&es, "cadences", "enrollments", id)
	require.Len(t, es, 1)
	assert.Equal(t, "stopped", es[0]["status"])
	assert.Equal(t, "ended", es[0]["stop_reason"])

	var deal map[string]any
	res = r.run("qualify", id, "--budget", "40k", "--authority", "CFO", "--need", "Fleet tracking")
	assert.Equal(t, 1, res.code)
	assert.Contains(t, res.stderr, `timeline "": required to qualify a lead`)
	r.json(&deal, "qualify", id, "--budget", "40k", "--authority", "CFO", "--need", "Fleet tracking", "--timeline", "Q3", "--amount", "40000EUR")
	assert.Equal(t, "Qualified", deal["stage"])
	assert.Equal(t, "Spree Logistik: Fleet tracking", deal["title"])
	assert.Equal(t, 4_000_000.0, deal["amount"])
	var c map[string]any
	r.json(&c, "contacts", "show", id)
	assert.Equal(t, "qualified", c["lead_status"])
	assert.Equal(t, []any{"40k", "CFO", "Fleet tracking", "Q3"}, []any{c["budget"], c["authority"], c["need"], c["timeline"]})
	assert.Equal(t, 2, r.run("qualify", id, "--amount", "lots").code)
}
