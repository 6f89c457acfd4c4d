package dedupe_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"repdesk/localdb"
)

var ctx = context.Background()

// openStore opens a fresh database in the test's temp dir, phones read as
// German numbers.
func openStore(t *testing.T) *localdb.Store {
	t.Helper()
	s, err := localdb.OpenTemp(t.TempDir(), localdb.WithRegion("DE"), localdb.WithOwner("anna"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func company(t *testing.T, s *localdb.Store, c localdb.Company) *localdb.Company {
	t.Helper()
	require.NoError(t, s.Create(ctx, &c))
	return &c
}

func contact(t *testing.T, s *localdb.Store, c localdb.Contact) *localdb.Contact {
	t.Helper()
	require.NoError(t, s.CreateContact(ctx, &c))
	return &c
}

func emails(addrs ...string) []localdb.Email {
	out := make([]localdb.Email, len(addrs))
	for i, a := range addrs {
		out[i] = localdb.Email{Address: a}
	}
	return out
}

func phones(numbers ...string) []localdb.Phone {
	out := make([]localdb.Phone, len(numbers))
	for i, n := range numbers {
		out[i] = localdb.Phone{Number: n, Type: localdb.PhoneWork}
	}
	return out
}
