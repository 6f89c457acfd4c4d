package localdb

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/norm"
)

// searchFixture is a small address book with the cases search must handle.
func searchFixture(t *testing.T) *Store {
	t.Helper()
	ctx := context.Background()
	s, _ := openTestStore(t)
	mb := &Company{Name: "Müller Maschinenbau GmbH", City: "München", PostalCode: "80331", Industry: "Maschinenbau",
		Phone: "089 1234567", Tags: []string{"A-Kunde"}}
	require.NoError(t, s.Create(ctx, mb))
	for _, c := range []*Contact{
		{FullName: "Jürgen Müller", CompanyID: mb.ID, Title: "Einkauf",
			Emails:    []Email{{Address: "j.mueller@mueller-mb.de"}},
			Phones:    []Phone{{Number: "+49 171 2345678", Type: PhoneMobile}},
			Addresses: []Address{{City: "München", PostalCode: "80331"}},
			Tags:      []string{"Messe"}, Notes: "Kennt Schneider von der Hannover Messe."},
		{FullName: "Anna Schneider", Phones: []Phone{{Number: "030 98765432", Type: PhoneWork}},
			Addresses: []Address{{City: "Berlin", PostalCode: "10115"}}, Emails: []Email{{Address: "anna@schneider-consulting.de"}}},
		{FullName: "Peter Mueller", Addresses: []Address{{City: "Köln"}}},
		{FullName: "Ömer Yılmaz", Phones: []Phone{{Number: "+44 20 7946 0958", Type: PhoneWork}}},
		{FullName: "Frank Weiß", Tags: []string{"VIP"}},
	} {
		require.NoError(t, s.CreateContact(ctx, c))
	}
	require.NoError(t, s.Create(ctx, &Deal{Title: "Rollout Fräsen", CompanyID: mb.ID, NextStep: "Angebot an Einkauf"}))
	return s
}

func TestSearchFinds(t *testing.T) {
	s := searchFixture(t)
	tests := []struct {
		query string
		want  []string // titles that must be found
		not   []string // titles that must not
	}{
		{"muller", []string{"Jürgen Müller", "Müller Maschinenbau GmbH"}, nil},
		{"mueller", []string{"Jürgen Müller", "Peter Mueller", "Müller Maschinenbau GmbH"}, []string{"Anna Schneider"}},
		{"Müller", []string{"Jürgen Müller", "Peter Mueller"}, nil},
		{"MÜLLER", []string{"Jürgen Müller"}, nil},
		{"m", []string{"Jürgen Müller", "Peter Mueller", "Müller Maschinenbau GmbH"}, []string{"Anna Schneider"}},
		{"mü", []string{"Jürgen Müller"}, []string{"Anna Schneider"}},
		{"mül", []string{"Jürgen Müller"}, nil},
		{"jür", []string{"Jürgen Müller"}, []string{"Peter Mueller"}},
		{"jurgen", []string{"Jürgen Müller"}, nil},
		{"juergen muell", []string{"Jürgen Müller"}, []string{"Peter Mueller"}},
		{"0171 234", []string{"Jürgen Müller"}, nil},
		{"01712345678", []string{"Jürgen Müller"}, nil},
		{"+49 171 2345", []string{"Jürgen Müller"}, nil},
		{"171 2345", []string{"Jürgen Müller"}, nil},
		{"030 987", []string{"Anna Schneider"}, []string{"Jürgen Müller"}},
		{"020 7946", []string{"Ömer Yılmaz"}, nil},
		{"089 123", []string{"Müller Maschinenbau GmbH"}, nil},
		{"münchen", []string{"Jürgen Müller", "Müller Maschinenbau GmbH"}, []string{"Anna Schneider"}},
		{"muenchen", []string{"Jürgen Müller", "Müller Maschinenbau GmbH"}, nil},
		{"berl", []string{"Anna Schneider"}, []string{"Jürgen Müller"}},
		{"10115", []string{"Anna Schneider"}, nil},
		{"messe", []string{"Jürgen Müller"}, []string{"Anna Schneider"}},
		{"vip", []string{"Frank Weiß"}, nil},
		{"hannover", []string{"Jürgen Müller"}, nil},
		{"schneider-consulting", []string{"Anna Schneider"}, nil},
		{"j.mueller@mueller-mb.de", []string{"Jürgen Müller"}, nil},
		{"maschinenbau", []string{"Müller Maschinenbau GmbH", "Jürgen Müller"}, nil},
		{"einkauf", []string{"Jürgen Müller", "Rollout Fräsen"}, nil},
		{"rollout", []string{"Rollout Fräsen"}, nil},
		{"fraesen", []string{"Rollout Fräsen"}, nil},
		{"weiss", []string{"Frank Weiß"}, nil},
		{"ömer", []string{"Ömer Yılmaz"}, nil},
		{"omer", []string{"Ömer Yılmaz"}, nil},
		{"yıl", []string{"Ömer Yılmaz"}, nil},
		{"nobody", nil, []string{"Jürgen Müller"}},
	}
	for _, tc := range tests {
		got := searchTitles(t, s, tc.query, SearchOptions{})
		for _, w := range tc.want {
			assert.Contains(t, got, w, "search %q", tc.query)
		}
		for _, n := range tc.not {
			assert.NotContains(t, got, n, "search %q", tc.query)
		}
		if tc.want == nil {
			assert.Empty(t, got, "search %q", tc.query)
		}
	}
}

func TestSearchEdgeInput(t *testing.T) {
	s := searchFixture(t)
	for _, q := range []string{"", "   ", "+", "()", `"`, "*", "-", "AND", "OR NOT", `mül"ler`, "NEAR(a b)"} {
		_, err := s.Search(context.Background(), q, SearchOptions{})
		assert.NoError(t, err, "%q is no syntax error", q)
	}
	assert.Contains(t, searchTitles(t, s, `"müller"`, SearchOptions{}), "Jürgen Müller", "quotes are ignored")
	decomposed := norm.NFD.String("Müller")
	require.NotEqual(t, "Müller", decomposed)
	assert.Contains(t, searchTitles(t, s, decomposed, SearchOptions{}), "Jürgen Müller", "a decomposed ü is an ü")

	ctx := context.Background()
	nfd := &Contact{FullName: norm.NFD.String("Björn Jäger")}
	require.NoError(t, s.CreateContact(ctx, nfd))
	assert.Contains(t, searchTitles(t, s, "jäger", SearchOptions{}), nfd.FullName, "decomposed names are indexed composed")
	assert.Contains(t, searchTitles(t, s, "jaeger", SearchOptions{}), nfd.FullName)
}

func TestSearchHits(t *testing.T) {
	s := searchFixture(t)
	hits, err := s.Search(context.Background(), "jürgen müller", SearchOptions{})
	require.NoError(t, err)
	require.NotEmpty(t, hits)
	h := hits[0]
	assert.Equal(t, EntityContact, h.Kind)
	assert.Equal(t, "Jürgen Müller", h.Title)
	assert.Equal(t, "Müller Maschinenbau GmbH Einkauf · 80331 München", h.Subtitle)
	assert.Equal(t, "j.mueller@mueller-mb.de", h.Email)
	c, err := s.GetContact(context.Background(), h.ID)
	require.NoError(t, err)
	assert.Equal(t, "Jürgen Müller", c.FullName)
}

func TestSearchRanking(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	// Notes mention Weber, in records made before the one named Weber.
	for i := range 5 {
		require.NoError(t, s.CreateContact(ctx, &Contact{FullName: fmt.Sprintf("Kunde %02d", i), Notes: "Empfohlen von Weber"}))
	}
	for _, c := range []*Contact{
		{FullName: "Webermann Lisa"},
		{FullName: "Hans Weber"},
		{FullName: "Uwe Berg", Emails: []Email{{Address: "weber@firma.de"}}},
		{FullName: "Frankie Lang"},
		{FullName: "Frank Schulz"},
	} {
		require.NoError(t, s.CreateContact(ctx, c))
	}
	assert.Equal(t, []string{"Hans Weber", "Webermann Lisa", "Uwe Berg", "Kunde 00", "Kunde 01", "Kunde 02", "Kunde 03", "Kunde 04"},
		searchTitles(t, s, "weber", SearchOptions{}),
		"the exact name first, then the name starting with it, then the e-mail, then the notes")
	assert.Equal(t, []string{"Frank Schulz", "Frankie Lang"}, searchTitles(t, s, "frank", SearchOptions{}), "a whole word beats a longer one")

	hits, err := s.Search(ctx, "weber", SearchOptions{})
	require.NoError(t, err)
	for i := 1; i < len(hits); i++ {
		assert.LessOrEqual(t, hits[i-1].Rank, hits[i].Rank, "ranks ascend")
	}

	// However many notes mention a name, the one with that name comes first.
	for i := range 200 {
		require.NoError(t, s.CreateContact(ctx, &Contact{FullName: fmt.Sprintf("Notiz %03d", i), Notes: "Schulz anrufen"}))
	}
	assert.Equal(t, "Frank Schulz", searchTitles(t, s, "schulz", SearchOptions{Limit: 5})[0])
}

func TestSearchShortQueriesMatchNamesOnly(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	for _, c := range []*Contact{
		{FullName: "Zora Alt", Notes: "bei Berlin"},
		{FullName: "Berta Zeh"},
		{FullName: "Bernd Amsel"},
	} {
		require.NoError(t, s.CreateContact(ctx, c))
	}
	assert.Equal(t, []string{"Bernd Amsel", "Berta Zeh"}, searchTitles(t, s, "be", SearchOptions{}), "names only, by title")
	assert.Equal(t, []string{"Zora Alt"}, searchTitles(t, s, "berlin", SearchOptions{}), "from three letters on all fields")
	assert.Equal(t, []string{"Bernd Amsel", "Zora Alt"}, searchTitles(t, s, "a", SearchOptions{}))
}

func TestSearchKindsAndLimit(t *testing.T) {
	ctx := context.Background()
	s := searchFixture(t)
	kinds := func(hits []SearchHit, err error) map[string]int {
		require.NoError(t, err)
		out := map[string]int{}
		for _, h := range hits {
			out[h.Kind]++
		}
		return out
	}
	assert.Equal(t, map[string]int{EntityCompany: 1}, kinds(s.Search(ctx, "müller", SearchOptions{Kinds: []string{EntityCompany}})))
	assert.Equal(t, map[string]int{EntityContact: 2}, kinds(s.Search(ctx, "müller", SearchOptions{Kinds: []string{EntityContact}})))
	assert.Equal(t, map[string]int{EntityCompany: 1, EntityDeal: 1},
		kinds(s.Search(ctx, "maschinenbau", SearchOptions{Kinds: []string{EntityDeal, EntityCompany}})))
	_, err := s.Search(ctx, "x", SearchOptions{Kinds: []string{EntityTask}})
	assert.EqualError(t, err, `search: "task" is not searchable; search finds company, contact and deal`)

	// Many companies must not crowd out the contacts.
	for i := range 80 {
		require.NoError(t, s.Create(ctx, &Company{Name: fmt.Sprintf("Müller Filiale %02d", i)}))
	}
	got := kinds(s.Search(ctx, "müller", SearchOptions{Limit: 30}))
	assert.Equal(t, 30, got[EntityCompany]+got[EntityContact]+got[EntityDeal])
	got = kinds(s.Search(ctx, "müller", SearchOptions{Limit: 100}))
	assert.Equal(t, map[string]int{EntityCompany: 81, EntityContact: 2, EntityDeal: 1}, got, "the deal of Müller Maschinenbau too")
	assert.Len(t, searchTitles(t, s, "mül", SearchOptions{Limit: 5}), 5)
	contacts, err := s.ListContacts(ctx, ContactFilter{Query: "müller"})
	require.NoError(t, err)
	assert.Len(t, contacts, 2)
}

func TestSearchFollowsChanges(t *testing.T) {
	ctx := context.Background()
	s := searchFixture(t)

	// A renamed company re-indexes its contacts and deals.
	co, err := s.FindCompanyByName(ctx, "Müller Maschinenbau GmbH")
	require.NoError(t, err)
	co.Name = "Zahnrad Werke AG"
	require.NoError(t, s.Save(ctx, co))
	assert.ElementsMatch(t, []string{"Zahnrad Werke AG", "Jürgen Müller", "Rollout Fräsen"}, searchTitles(t, s, "zahnrad", SearchOptions{}))
	assert.Equal(t, []string{"Zahnrad Werke AG"}, searchTitles(t, s, "maschinenbau", SearchOptions{}),
		"the old name is gone from the contact and the deal; the company keeps its industry")

	// An edited contact is found by its new name only.
	cs, err := s.ListContacts(ctx, ContactFilter{Query: "anna"})
	require.NoError(t, err)
	require.Len(t, cs, 1)
	anna := cs[0]
	anna.FullName, anna.GivenName, anna.FamilyName = "Anna Vogel", "", ""
	anna.Emails = []Email{{Address: "anna@vogel.de"}}
	require.NoError(t, s.UpdateContact(ctx, &anna))
	assert.Equal(t, []string{"Anna Vogel"}, searchTitles(t, s, "vogel", SearchOptions{}))
	assert.NotContains(t, searchTitles(t, s, "schneider", SearchOptions{}), "Anna Vogel")

	// Deleted records are not found.
	require.NoError(t, s.Delete(ctx, EntityContact, anna.ID))
	assert.Empty(t, searchTitles(t, s, "vogel", SearchOptions{}))
	assert.Empty(t, searchTitles(t, s, "anna", SearchOptions{}))

	// A deleted company disappears, and so does its name from its contacts.
	require.NoError(t, s.Delete(ctx, EntityCompany, co.ID))
	assert.Empty(t, searchTitles(t, s, "zahnrad", SearchOptions{}))
}
