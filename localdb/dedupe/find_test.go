package dedupe_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/localdb/dedupe"
)

// pairNames renders found pairs as "keep + other: reason kinds".
func pairNames(ps []dedupe.Pair) []string {
	out := []string{}
	for _, p := range ps {
		s := p.Keep.Name + " + " + p.Other.Name + ":"
		for _, r := range p.Reasons {
			s += " " + r.Kind
		}
		out = append(out, s)
	}
	return out
}

func TestFindContacts(t *testing.T) {
	type person struct {
		name, company string
		emails        []string
		phones        []string
	}
	tests := []struct {
		name   string
		people []person
		want   []string
	}{
		{"e-mail differing in case", []person{
			{name: "Anna Schmidt", emails: []string{"Anna.Schmidt@Example.com"}},
			{name: "A. Schmidt", emails: []string{" anna.schmidt@example.COM"}},
		}, []string{"Anna Schmidt + A. Schmidt: email"}},
		{"phone in national and international format", []person{
			{name: "Jürgen Weber", phones: []string{"030 1234567"}},
			{name: "J. Weber", phones: []string{"+49 (30) 123-45-67"}},
		}, []string{"Jürgen Weber + J. Weber: phone"}},
		{"different phones and e-mails", []person{
			{name: "Jürgen Weber", phones: []string{"030 1234567"}, emails: []string{"jw@example.com"}},
			{name: "Jürgen Weber", phones: []string{"030 7654321"}, emails: []string{"weber@example.com"}},
		}, []string{}},
		{"Müller, Mueller and Muller in one company", []person{
			{name: "Hans Müller", company: "Acme"},
			{name: "Hans Mueller", company: "Acme"},
			{name: "Muller, Hans", company: "Acme"},
		}, []string{"Hans Mueller + Muller, Hans: name", "Hans Müller + Hans Mueller: name", "Hans Müller + Muller, Hans: name"}},
		{"Müller and Mueller in different companies", []person{
			{name: "Hans Müller", company: "Acme"},
			{name: "Hans Mueller", company: "Globex"},
		}, []string{}},
		{"a typo and a title in one company", []person{
			{name: "Dr. Katharina Schneider", company: "Acme"},
			{name: "Katharina Schnieder", company: "Acme"},
		}, []string{"Dr. Katharina Schneider + Katharina Schnieder: name"}},
		{"different people in one company", []person{
			{name: "Anna Schmidt", company: "Acme"},
			{name: "Jana Schmitz", company: "Acme"},
			{name: "Peter Schmidt", company: "Acme"},
		}, []string{}},
		{"e-mail, phone and name together score highest", []person{
			{name: "Eva Braun", company: "Acme", emails: []string{"eva@acme.example"}},
			{name: "Eva Braun", company: "Acme", emails: []string{"EVA@acme.example"}, phones: []string{"+49 89 555123"}},
			{name: "Eva Braun", company: "Acme", emails: []string{"eva@acme.example"}, phones: []string{"089 555123"}},
		}, []string{"Eva Braun + Eva Braun: email phone name", "Eva Braun + Eva Braun: email name", "Eva Braun + Eva Braun: email name"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openStore(t)
			companies := map[string]string{}
			for _, p := range tc.people {
				c := localdb.Contact{FullName: p.name, Emails: emails(p.emails...), Phones: phones(p.phones...)}
				if p.company != "" {
					if companies[p.company] == "" {
						companies[p.company] = company(t, s, localdb.Company{Name: p.company}).ID
					}
					c.CompanyID = companies[p.company]
				}
				contact(t, s, c)
			}
			got, err := dedupe.FindContacts(ctx, s)
			require.NoError(t, err)
			assert.Equal(t, tc.want, pairNames(got))
			for _, p := range got {
				assert.Greater(t, p.Score, 0.0)
				assert.LessOrEqual(t, p.Score, 1.0)
			}
		})
	}
}

func TestFindContactsScoresAndSides(t *testing.T) {
	s := openStore(t)
	acme := company(t, s, localdb.Company{Name: "Acme GmbH"})
	older := contact(t, s, localdb.Contact{FullName: "Eva Braun", CompanyID: acme.ID, Emails: emails("eva@acme.example")})
	newer := contact(t, s, localdb.Contact{FullName: "Eva Braun", CompanyID: acme.ID, Emails: emails("Eva@Acme.example")})
	nameOnly := contact(t, s, localdb.Contact{FullName: "Eva Braune", CompanyID: acme.ID})
	got, err := dedupe.FindContacts(ctx, s)
	require.NoError(t, err)
	require.Len(t, got, 3)
	best := got[0]
	assert.Equal(t, older.ID, best.Keep.ID, "the older record is the one to keep")
	assert.Equal(t, newer.ID, best.Other.ID)
	assert.Equal(t, "Acme GmbH", best.Keep.Detail)
	assert.Equal(t, []dedupe.Reason{{Kind: dedupe.ReasonEmail, Value: "eva@acme.example"},
		{Kind: dedupe.ReasonName, Value: "Eva Braun / Eva Braun"}}, best.Reasons)
	assert.InDelta(t, 0.99, best.Score, 0.001, "e-mail 0.95 and equal names 0.8 add up")
	for _, p := range got[1:] {
		assert.Equal(t, nameOnly.ID, p.Other.ID)
		assert.Less(t, p.Score, best.Score, "a similar name alone is weaker evidence than an e-mail")
	}
}

func TestFindCompanies(t *testing.T) {
	tests := []struct {
		name      string
		companies []localdb.Company
		want      []string
	}{
		{"legal forms in the same city", []localdb.Company{
			{Name: "Müller GmbH", City: "München"},
			{Name: "Mueller AG", City: "München"},
			{Name: "Müller GmbH & Co. KG", City: "münchen"},
		}, []string{"Mueller AG + Müller GmbH & Co. KG: name_city", "Müller GmbH + Mueller AG: name_city", "Müller GmbH + Müller GmbH & Co. KG: name_city"}},
		{"same name in different cities", []localdb.Company{
			{Name: "Müller GmbH", City: "München"},
			{Name: "Müller GmbH", City: "Hamburg"},
		}, []string{}},
		{"same name and website in different cities", []localdb.Company{
			{Name: "Acme Inc.", City: "Boston", Website: "https://www.acme.example/about"},
			{Name: "ACME Ltd", City: "London", Website: "acme.example"},
		}, []string{"Acme Inc. + ACME Ltd: name_website"}},
		{"same website, other names", []localdb.Company{
			{Name: "Globex", Website: "http://globex.example"},
			{Name: "Globex Vertrieb Süd", Website: "www.globex.example"},
		}, []string{"Globex + Globex Vertrieb Süd: website"}},
		{"different companies", []localdb.Company{
			{Name: "Schäfer Logistik GmbH", City: "Köln", Website: "schaefer-logistik.example"},
			{Name: "Schäfer Bau GmbH", City: "Köln", Website: "schaefer-bau.example"},
		}, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openStore(t)
			for _, c := range tc.companies {
				company(t, s, c)
			}
			got, err := dedupe.FindCompanies(ctx, s)
			require.NoError(t, err)
			assert.Equal(t, tc.want, pairNames(got))
		})
	}
}

func TestNotADuplicateSticks(t *testing.T) {
	dir := t.TempDir()
	s, err := localdb.OpenTemp(dir)
	require.NoError(t, err)
	a := contact(t, s, localdb.Contact{FullName: "Eva Braun", Emails: emails("team@acme.example")})
	b := contact(t, s, localdb.Contact{FullName: "Max Braun", Emails: emails("team@acme.example")})
	require.NoError(t, dedupe.MarkDistinct(ctx, s, localdb.EntityContact, b.ID, a.ID))
	require.NoError(t, dedupe.MarkDistinct(ctx, s, localdb.EntityContact, a.ID, b.ID), "deciding again is harmless")
	require.NoError(t, s.Close())

	s, err = localdb.OpenTemp(dir)
	require.NoError(t, err)
	defer s.Close()
	got, err := dedupe.FindContacts(ctx, s)
	require.NoError(t, err)
	assert.Empty(t, got, "the pair is not suggested again after a restart")
	contact(t, s, localdb.Contact{FullName: "Eva B.", Emails: emails("TEAM@acme.example")})
	got, err = dedupe.FindContacts(ctx, s)
	require.NoError(t, err)
	assert.Equal(t, []string{"Eva Braun + Eva B.: email", "Max Braun + Eva B.: email"}, pairNames(got),
		"a third record still pairs with both")

	pending, err := s.PendingChanges(ctx, 0)
	require.NoError(t, err)
	var decisions int
	for _, ch := range pending {
		if ch.Entity == localdb.EntityDedupeDecision {
			decisions++
		}
	}
	assert.Equal(t, 1, decisions, "one decision is journaled, so it syncs")
}
