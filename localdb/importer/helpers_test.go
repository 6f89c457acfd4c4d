package importer

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"repdesk/localdb"
)

func newStore(t testing.TB) *localdb.Store {
	t.Helper()
	s, err := localdb.OpenTemp(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// card builds a vCard 3.0 from its property lines.
func card(lines ...string) string {
	return "BEGIN:VCARD\r\nVERSION:3.0\r\n" + strings.Join(lines, "\r\n") + "\r\nEND:VCARD\r\n"
}

func importText(t testing.TB, s *localdb.Store, opts Options, vcf string) *Report {
	t.Helper()
	rep, err := New(s, opts).Import(context.Background(), []Source{{Name: "test.vcf", R: strings.NewReader(vcf)}})
	require.NoError(t, err)
	return rep
}

func importFiles(t testing.TB, s *localdb.Store, opts Options, paths ...string) *Report {
	t.Helper()
	var srcs []Source
	for _, p := range paths {
		f, err := os.Open(p)
		require.NoError(t, err)
		t.Cleanup(func() { f.Close() })
		srcs = append(srcs, Source{Name: p, R: f})
	}
	rep, err := New(s, opts).Import(context.Background(), srcs)
	require.NoError(t, err)
	return rep
}

func allContacts(t testing.TB, s *localdb.Store) []localdb.Contact {
	t.Helper()
	cs, err := s.ListContacts(context.Background(), localdb.ContactFilter{})
	require.NoError(t, err)
	return cs
}

func journalLen(t testing.TB, s *localdb.Store) int {
	t.Helper()
	n, err := s.PendingCount(context.Background())
	require.NoError(t, err)
	return n
}

// counts is the tally of a report, for comparing in one assertion.
type counts struct{ Files, Cards, Created, Merged, Unchanged, Failed int }

func tally(r *Report) counts {
	return counts{r.Files, r.Cards, r.Created, r.Merged, r.Unchanged, r.Failed}
}

func emailsOf(c localdb.Contact) []string {
	var out []string
	for _, e := range c.Emails {
		out = append(out, e.Address)
	}
	return out
}

func phonesOf(c localdb.Contact) []string {
	var out []string
	for _, p := range c.Phones {
		out = append(out, p.E164)
	}
	return out
}
