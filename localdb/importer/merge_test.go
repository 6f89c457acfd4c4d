package importer

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
)

func TestMergeRules(t *testing.T) {
	tests := []struct {
		name      string
		existing  localdb.Contact
		company   string // the existing contact's company
		card      string
		want      counts
		conflicts []Conflict // ContactID is filled in with the existing contact's id
		check     func(t *testing.T, cs []localdb.Contact)
	}{
		{
			name:     "match by UID",
			existing: localdb.Contact{FullName: "Anna Schmidt", UID: "uid-1", Emails: []localdb.Email{{Address: "anna@work.example"}}},
			card:     card("UID:uid-1", "FN:Anna Schmidt", "EMAIL:anna@home.example"),
			want:     counts{Files: 1, Cards: 1, Merged: 1},
			check: func(t *testing.T, cs []localdb.Contact) {
				require.Len(t, cs, 1)
				assert.Equal(t, []string{"anna@work.example", "anna@home.example"}, emailsOf(cs[0]))
			},
		},
		{
			name:     "match by e-mail, case-insensitively",
			existing: localdb.Contact{FullName: "Anna Schmidt", Emails: []localdb.Email{{Address: "Anna.Schmidt@Example.org"}}},
			card:     card("FN:Anna Schmidt", "EMAIL:anna.schmidt@example.ORG", "TITLE:Buyer"),
			want:     counts{Files: 1, Cards: 1, Merged: 1},
			check: func(t *testing.T, cs []localdb.Contact) {
				require.Len(t, cs, 1)
				assert.Equal(t, "Buyer", cs[0].Title, "the empty title is filled")
				assert.Equal(t, []string{"Anna.Schmidt@Example.org"}, emailsOf(cs[0]), "the same address is not added again")
			},
		},
		{
			name:     "match by E.164 phone plus family name",
			existing: localdb.Contact{FullName: "Peter Meier", Phones: []localdb.Phone{{Number: "+41 44 123 45 67", Type: "work"}}},
			card:     card("FN:P. Meier", "N:Meier;P.;;;", "TEL;TYPE=CELL:+41441234567", "ROLE:Decision maker"),
			want:     counts{Files: 1, Cards: 1, Merged: 1},
			conflicts: []Conflict{
				{Field: "full_name", Kept: "Peter Meier", Incoming: "P. Meier"},
				{Field: "given_name", Kept: "Peter", Incoming: "P."},
			},
			check: func(t *testing.T, cs []localdb.Contact) {
				require.Len(t, cs, 1)
				assert.Equal(t, "Peter Meier", cs[0].FullName, "the rep's name is kept")
				assert.Equal(t, "Decision maker", cs[0].Role)
				assert.Equal(t, []string{"+41441234567"}, phonesOf(cs[0]), "the same number in another format is not added")
			},
		},
		{
			name:     "same phone, other family name: no match",
			existing: localdb.Contact{FullName: "Peter Meier", Phones: []localdb.Phone{{Number: "+41 44 123 45 67"}}},
			card:     card("FN:Petra Huber", "TEL:+41 44 123 45 67"),
			want:     counts{Files: 1, Cards: 1, Created: 1},
			check: func(t *testing.T, cs []localdb.Contact) {
				require.Len(t, cs, 2)
				assert.Equal(t, "Peter Meier", cs[0].FullName)
				assert.Equal(t, "Petra Huber", cs[1].FullName)
			},
		},
		{
			name:     "no match creates a contact",
			existing: localdb.Contact{FullName: "Anna Schmidt", UID: "uid-1", Emails: []localdb.Email{{Address: "anna@work.example"}}},
			card:     card("UID:uid-2", "FN:Anna Schmidt", "EMAIL:other.anna@work.example"),
			want:     counts{Files: 1, Cards: 1, Created: 1},
			check: func(t *testing.T, cs []localdb.Contact) {
				require.Len(t, cs, 2, "a namesake with other keys is another person")
			},
		},
		{
			name: "e-mails, phones, addresses and tags are united",
			existing: localdb.Contact{FullName: "Jürgen Müller", UID: "u",
				Emails:    []localdb.Email{{Address: "j.mueller@alpen.example", Primary: true}},
				Phones:    []localdb.Phone{{Number: "089 4521330", Type: "work"}},
				Addresses: []localdb.Address{{Street: "Landsberger Str. 110", PostalCode: "80339", City: "München"}},
				Tags:      []string{"Kunde"}},
			card: card("UID:u", "FN:Jürgen Müller",
				"EMAIL;TYPE=INTERNET,pref:J.Mueller@Alpen.example", "EMAIL;TYPE=HOME:jm@web.example",
				"TEL;TYPE=WORK:+49 89 4521330", "TEL;TYPE=CELL:0171 2345678",
				"ADR;TYPE=WORK:;;landsberger str.  110;MÜNCHEN;;80339;", "ADR;TYPE=HOME:;;Hauptstr. 1;Dachau;;85221;",
				"CATEGORIES:kunde,VIP"),
			want: counts{Files: 1, Cards: 1, Merged: 1},
			check: func(t *testing.T, cs []localdb.Contact) {
				require.Len(t, cs, 1)
				c := cs[0]
				assert.Equal(t, []string{"j.mueller@alpen.example", "jm@web.example"}, emailsOf(c))
				assert.True(t, c.Emails[0].Primary)
				assert.False(t, c.Emails[1].Primary)
				assert.Equal(t, []string{"+49894521330", "+491712345678"}, phonesOf(c))
				require.Len(t, c.Addresses, 2)
				assert.Equal(t, "Landsberger Str. 110", c.Addresses[0].Street, "the rep's spelling of the same address stays")
				assert.Equal(t, "Dachau", c.Addresses[1].City)
				assert.Equal(t, []string{"Kunde", "VIP"}, c.Tags)
			},
		},
		{
			name:     "empty fields are filled",
			existing: localdb.Contact{FullName: "Chloé Dubois", UID: "u"},
			card: card("UID:u", "FN:Chloé Dubois", "ORG:Café de Flore SARL;Ventes", "TITLE:Directrice", "ROLE:Buyer",
				"BDAY:1980-06-14", "NOTE:Aime le café.", "URL:https://flore.example/", "N:Dubois;Chloé;;Mme;"),
			want: counts{Files: 1, Cards: 1, Merged: 1},
			check: func(t *testing.T, cs []localdb.Contact) {
				require.Len(t, cs, 1)
				c := cs[0]
				assert.Equal(t, "Café de Flore SARL", c.Company)
				assert.Equal(t, "Ventes", c.Department)
				assert.Equal(t, "Directrice", c.Title)
				assert.Equal(t, "Buyer", c.Role)
				assert.Equal(t, "1980-06-14", c.Birthday)
				assert.Equal(t, "Aime le café.", c.Notes)
				assert.Equal(t, "https://flore.example/", c.Website)
				assert.Equal(t, "Mme", c.Prefix)
			},
		},
		{
			name:     "a differing field keeps the rep's value and is reported",
			existing: localdb.Contact{FullName: "Sven Jensen", UID: "u", Title: "CTO", Birthday: "1970-01-02"},
			company:  "Nordwind AS",
			card:     card("UID:u", "FN:Sven Jensen", "TITLE:Chief Technology Officer", "ORG:Globex", "BDAY:1970-02-01"),
			want:     counts{Files: 1, Cards: 1, Unchanged: 1},
			conflicts: []Conflict{
				{Field: "title", Kept: "CTO", Incoming: "Chief Technology Officer"},
				{Field: "company", Kept: "Nordwind AS", Incoming: "Globex"},
				{Field: "birthday", Kept: "1970-01-02", Incoming: "1970-02-01"},
			},
			check: func(t *testing.T, cs []localdb.Contact) {
				require.Len(t, cs, 1)
				assert.Equal(t, "CTO", cs[0].Title)
				assert.Equal(t, "Nordwind AS", cs[0].Company)
				assert.Equal(t, "1970-01-02", cs[0].Birthday)
			},
		},
		{
			name:     "the same values in other case are no conflict",
			existing: localdb.Contact{FullName: "Sven Jensen", UID: "u", Title: "CTO"},
			company:  "Nordwind AS",
			card:     card("UID:u", "FN:sven jensen", "TITLE:cto", "ORG:NORDWIND AS"),
			want:     counts{Files: 1, Cards: 1, Unchanged: 1},
		},
		{
			name:     "a card without UID, e-mail and phone matches by name and company",
			existing: localdb.Contact{FullName: "Empfang"},
			company:  "Alpen Logistik AG",
			card:     card("FN:Empfang", "ORG:alpen logistik ag", "NOTE:Mo–Fr 8–17 Uhr"),
			want:     counts{Files: 1, Cards: 1, Merged: 1},
			check: func(t *testing.T, cs []localdb.Contact) {
				require.Len(t, cs, 1)
				assert.Equal(t, "Mo–Fr 8–17 Uhr", cs[0].Notes)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := newStore(t)
			existing := tt.existing
			require.NoError(t, s.Update(ctx, func(tx *localdb.Tx) error {
				if tt.company != "" {
					co := &localdb.Company{Name: tt.company}
					if err := tx.Create(co); err != nil {
						return err
					}
					existing.CompanyID = co.ID
				}
				return tx.CreateContact(&existing)
			}))
			before := journalLen(t, s)

			rep := importText(t, s, Options{}, tt.card)
			assert.Equal(t, tt.want, tally(rep))
			assert.Empty(t, rep.Errors)
			want := []Conflict{}
			for _, c := range tt.conflicts {
				c.ContactID = existing.ID
				want = append(want, c)
			}
			assert.Equal(t, want, rep.Conflicts)
			gained := journalLen(t, s) - before
			switch {
			case tt.want.Unchanged == 1:
				assert.Zero(t, gained, "an unchanged contact is not written")
			default:
				assert.Positive(t, gained, "the change is journaled for sync")
			}
			if tt.check != nil {
				tt.check(t, allContactsByAge(t, s))
			}
		})
	}
}

// allContactsByAge lists the contacts oldest first (UUIDv7 ids sort by
// creation).
func allContactsByAge(t *testing.T, s *localdb.Store) []localdb.Contact {
	cs := allContacts(t, s)
	slices.SortFunc(cs, func(a, b localdb.Contact) int { return strings.Compare(a.ID, b.ID) })
	return cs
}

func TestMatchContactWithIDFromElsewhere(t *testing.T) {
	// The hub may send records whose ids are not UUIDs.
	s := newStore(t)
	require.NoError(t, s.Update(context.Background(), func(tx *localdb.Tx) error {
		return tx.ApplyRemote(localdb.RemoteChange{Entity: localdb.EntityContact, ID: "crm-4711", Op: localdb.RemoteUpsert,
			Fields: map[string]json.RawMessage{"full_name": json.RawMessage(`"Anna Schmidt"`),
				"emails": json.RawMessage(`[{"address":"anna@example.org"}]`)}})
	}))
	rep := importText(t, s, Options{}, card("FN:Anna Schmidt", "EMAIL:ANNA@example.org", "TITLE:Buyer"))
	assert.Equal(t, counts{Files: 1, Cards: 1, Merged: 1}, tally(rep))
	c, err := s.GetContact(context.Background(), "crm-4711")
	require.NoError(t, err)
	assert.Equal(t, "Buyer", c.Title)
}
