package cli

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// duplicatesOutput is the documented shape of repdesk duplicates --json.
type duplicatesOutput struct {
	Entity string `json:"entity"`
	Count  int    `json:"count"`
	Pairs  []struct {
		Entity string `json:"entity"`
		Keep   struct {
			ID     string `json:"id"`
			Name   string `json:"name"`
			Detail string `json:"detail"`
		} `json:"keep"`
		Other struct {
			ID     string `json:"id"`
			Name   string `json:"name"`
			Detail string `json:"detail"`
		} `json:"other"`
		Reasons []struct {
			Kind  string `json:"kind"`
			Value string `json:"value"`
		} `json:"reasons"`
		Score float64 `json:"score"`
	} `json:"pairs"`
}

func TestDuplicatesAndMerge(t *testing.T) {
	r := newRD(t)
	keep := r.ok("contacts", "add", "--name", "Hans Müller", "--email", "hans@alpen.example", "--title", "Einkauf",
		"--company", "Alpen Logistik AG")
	other := r.ok("contacts", "add", "--name", "Hans Mueller", "--email", "HANS@alpen.example", "--title", "Leiter Einkauf",
		"--notes", "Nur vormittags", "--company", "Alpen Logistik AG")
	r.ok("contacts", "add", "--name", "Eva Braun", "--company", "Alpen Logistik AG")
	deal := r.ok("deals", "add", "--title", "Rahmenvertrag", "--contact", other)
	r.ok("log", other, "--kind", "call", "--outcome", "connected")

	var dup duplicatesOutput
	r.json(&dup, "duplicates")
	assert.Equal(t, "contact", dup.Entity)
	require.Equal(t, 1, dup.Count)
	require.Len(t, dup.Pairs, 1)
	p := dup.Pairs[0]
	assert.Equal(t, "contact", p.Entity)
	assert.Equal(t, keep, p.Keep.ID, "the older contact is the one to keep")
	assert.Equal(t, "Hans Müller", p.Keep.Name)
	assert.Equal(t, "Alpen Logistik AG", p.Keep.Detail)
	assert.Equal(t, other, p.Other.ID)
	require.Len(t, p.Reasons, 2)
	assert.Equal(t, "email", p.Reasons[0].Kind)
	assert.Equal(t, "hans@alpen.example", p.Reasons[0].Value)
	assert.Equal(t, "name", p.Reasons[1].Kind)
	assert.InDelta(t, 0.99, p.Score, 0.001)

	text := r.ok("duplicates")
	assert.Contains(t, text, "SCORE")
	assert.Contains(t, text, "0.99")
	assert.Contains(t, text, "email, name")

	out := r.ok("merge", keep[:30], other, "--take", "title")
	assert.Contains(t, out, "Merged contact "+other+" into "+keep)
	assert.Contains(t, out, "Fields changed: title, notes")
	assert.Contains(t, out, "Re-pointed: 1 deal, 1 activity")

	var c map[string]any
	r.json(&c, "contacts", "show", keep)
	assert.Equal(t, "Hans Müller", c["full_name"])
	assert.Equal(t, "Leiter Einkauf", c["title"], "--take title took OTHER's title")
	assert.Equal(t, "Nur vormittags", c["notes"], "the empty notes were filled")
	var d map[string]any
	r.json(&d, "deals", "show", deal)
	assert.Equal(t, keep, d["contact_id"])

	res := r.run("contacts", "show", other)
	assert.Equal(t, 1, res.code, "the merged contact is gone")
	r.json(&dup, "duplicates")
	assert.Zero(t, dup.Count)
	assert.NotNil(t, dup.Pairs, "pairs is an empty list, not null")
}

func TestMergeJSONAndDistinct(t *testing.T) {
	r := newRD(t)
	a := r.ok("companies", "add", "--name", "Müller GmbH", "--city", "München")
	b := r.ok("companies", "add", "--name", "Mueller AG", "--city", "München", "--website", "mueller.example")
	c := r.ok("companies", "add", "--name", "Müller KG", "--city", "München")
	r.ok("contacts", "add", "--name", "Jana Berg", "--company", "Mueller AG")

	var dup duplicatesOutput
	r.json(&dup, "duplicates", "--companies")
	assert.Equal(t, "company", dup.Entity)
	assert.Equal(t, 3, dup.Count)

	assert.Contains(t, r.ok("duplicates", "distinct", a, c), "not duplicates")
	r.json(&dup, "duplicates", "--companies")
	assert.Equal(t, 2, dup.Count, "the pair marked distinct is not suggested again")

	var merged struct {
		Entity    string         `json:"entity"`
		KeepID    string         `json:"keep_id"`
		OtherID   string         `json:"other_id"`
		Fields    []string       `json:"fields"`
		Repointed map[string]int `json:"repointed"`
	}
	r.json(&merged, "merge", "--json", a, b)
	assert.Equal(t, "company", merged.Entity)
	assert.Equal(t, a, merged.KeepID)
	assert.Equal(t, b, merged.OtherID)
	assert.Equal(t, []string{"website"}, merged.Fields)
	assert.Equal(t, map[string]int{"contact": 1}, merged.Repointed)
}

func TestMergeMistakes(t *testing.T) {
	r := newRD(t)
	a := r.ok("contacts", "add", "--name", "Eva Braun")
	b := r.ok("contacts", "add", "--name", "Eva Braune")
	co := r.ok("companies", "add", "--name", "Acme")
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"merge", a}, 2, "missing argument"},
		{[]string{"merge", a, b, "--take", "titel"}, 2, `"titel"`},
		{[]string{"merge", a, co}, 2, "give two contacts or two companies"},
		{[]string{"merge", a, a}, 2, "two different records"},
		{[]string{"merge", a, "ffffffff"}, 1, "no contact, company with id ffffffff"},
		{[]string{"duplicates", "--limit", "-1"}, 2, "--limit"},
		{[]string{"duplicates", "extra"}, 2, "unexpected argument"},
	} {
		res := r.run(tc.args...)
		assert.Equal(t, tc.code, res.code, "%v: %s", tc.args, res.stderr)
		assert.Contains(t, res.stderr, tc.stderr, "%v", tc.args)
	}
	var c map[string]any
	r.json(&c, "contacts", "show", b)
	assert.Equal(t, "Eva Braune", c["full_name"], "nothing was merged")
}
