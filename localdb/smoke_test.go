package localdb

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSmoke(t *testing.T) {
	ctx := context.Background()
	s, err := OpenTemp(t.TempDir())
	require.NoError(t, err)
	defer s.Close()
	co := &Company{Name: "Müller GmbH", City: "München"}
	require.NoError(t, s.Create(ctx, co))
	c := &Contact{FullName: "Jürgen Müller", CompanyID: co.ID, Emails: []Email{{Address: "j@mueller.de"}},
		Phones: []Phone{{Number: "+49 171 2345678", Type: PhoneMobile}}}
	require.NoError(t, s.CreateContact(ctx, c))
	require.Equal(t, "+491712345678", c.Phones[0].E164)
	for _, q := range []string{"muller", "mueller", "Müller", "0171 234", "jürg", "j@mue"} {
		hits, err := s.Search(ctx, q, SearchOptions{})
		require.NoError(t, err, q)
		require.NotEmpty(t, hits, q)
		t.Logf("%s -> %+v", q, hits)
	}
	c.Phones[0].Number = "+49 171 9999999"
	require.NoError(t, s.UpdateContact(ctx, c))
	j, err := s.JournalFor(ctx, EntityContact, c.ID)
	require.NoError(t, err)
	require.Len(t, j, 2)
	t.Logf("%s %s", j[1].Op, j[1].Fields)
	d := &Deal{Title: "Rollout", CompanyID: co.ID, Amount: 100000}
	require.NoError(t, s.Create(ctx, d))
	require.EqualValues(t, 10, d.Probability)
	d2, err := s.MoveDeal(ctx, d.ID, "won")
	require.NoError(t, err)
	t.Logf("%+v", d2)
	err = s.CreateContact(ctx, &Contact{FullName: "X", Emails: []Email{{Address: "max@"}}})
	t.Log(err)
}
