package importer

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/localdb/vcard"
)

var testFiles = []string{"testdata/team-3.0.vcf", "testdata/android-2.1.vcf"}

func TestImportFilesTwice(t *testing.T) {
	s := newStore(t)
	first := importFiles(t, s, Options{}, testFiles...)
	// team-3.0.vcf holds 6 cards, the last of them Jürgen Müller again (his
	// e-mail address in other case): he is merged, not duplicated.
	assert.Equal(t, counts{Files: 2, Cards: 8, Created: 7, Merged: 1}, tally(first))
	assert.Empty(t, first.Errors)
	contacts := allContacts(t, s)
	require.Len(t, contacts, 7)
	journal := journalLen(t, s)

	second := importFiles(t, s, Options{}, testFiles...)
	assert.Equal(t, counts{Files: 2, Cards: 8, Unchanged: 8}, tally(second))
	assert.Equal(t, journal, journalLen(t, s), "the second import wrote nothing to the journal")
	assert.Equal(t, contacts, allContacts(t, s), "the contacts are as they were")
}

func TestImportMapsCards(t *testing.T) {
	s := newStore(t)
	importFiles(t, s, Options{}, testFiles...)
	hits, err := s.ListContacts(context.Background(), localdb.ContactFilter{Query: "Jürgen Müller"})
	require.NoError(t, err)
	require.Len(t, hits, 1, "imported contacts are found by search")
	c := hits[0]
	assert.Equal(t, "urn:uuid:5b0c1c52-8a43-4c2f-9c1e-0d7f0e3a1001", c.UID)
	assert.Equal(t, "Dr.", c.Prefix)
	assert.Equal(t, "Alpen Logistik AG", c.Company)
	assert.Equal(t, "Einkauf", c.Department)
	assert.Equal(t, "Einkaufsleiter", c.Title)
	assert.Equal(t, "Entscheider", c.Role)
	assert.Equal(t, []localdb.Email{
		{Address: "j.mueller@alpen-logistik.example", Type: "work", Primary: true},
		{Address: "juergen.mueller@web.example", Type: "home"},
	}, c.Emails)
	assert.Equal(t, []localdb.Phone{
		{Number: "+49 89 4521 330", Type: "work", E164: "+49894521330", Primary: true},
		{Number: "0171 2345678", Type: "mobile", E164: "+491712345678"},
		{Number: "+49 89 4521 339", Type: "fax", E164: "+49894521339"}, // from his second card
	}, c.Phones)
	assert.Equal(t, []localdb.Address{{Type: "work", Street: "Landsberger Str. 110", PostalCode: "80339",
		City: "München", Region: "Bayern", Country: "Deutschland"}}, c.Addresses)
	assert.Equal(t, "1971-04-23", c.Birthday)
	assert.Equal(t, "https://www.alpen-logistik.example/", c.Website)
	assert.Equal(t, "Bestellt quartalsweise, ruft gern zurück.", c.Notes)
	assert.Equal(t, []string{"Kunde", "A-Kunde", "Messe 2026"}, c.Tags)
	assert.True(t, strings.HasPrefix(c.Photo, "data:image/png;base64,iVBORw0KGgo"), c.Photo)

	// One company per name, whatever the case, shared by its contacts.
	cos, err := s.ListCompanies(context.Background(), localdb.CompanyFilter{})
	require.NoError(t, err)
	var names []string
	for _, co := range cos {
		names = append(names, co.Name)
	}
	assert.Equal(t, []string{"Acme Corp", "Alpen Logistik AG", "Café de Flore SARL", "Nordwind AS"}, names)

	// Quoted-printable 2.1 with a soft break inside a UTF-8 sequence.
	hits, err = s.ListContacts(context.Background(), localdb.ContactFilter{Query: "Fernández"})
	require.NoError(t, err)
	require.Len(t, hits, 1)
	assert.Equal(t, "Prefiere llamadas por la mañana.\nSegunda línea.", hits[0].Notes)
}

func TestImportedContactsSync(t *testing.T) {
	s := newStore(t)
	importText(t, s, Options{}, card("UID:u-1", "FN:Anna Schmidt", "EMAIL:anna@example.org", "ORG:Acme Corp")+
		card("UID:u-1", "FN:Anna Schmidt", "TITLE:Buyer"))
	changes, err := s.PendingChanges(context.Background(), 100)
	require.NoError(t, err)
	require.Len(t, changes, 3, "the company, the contact and the second card's merge")
	assert.Equal(t, []string{"company/create", "contact/create", "contact/patch"},
		[]string{changes[0].Entity + "/" + changes[0].Op, changes[1].Entity + "/" + changes[1].Op, changes[2].Entity + "/" + changes[2].Op})
	assert.JSONEq(t, `"Anna Schmidt"`, string(changes[1].Fields["full_name"]))
	assert.JSONEq(t, `"u-1"`, string(changes[1].Fields["uid"]))
	assert.JSONEq(t, `[{"address":"anna@example.org"}]`, string(changes[1].Fields["emails"]))
	assert.JSONEq(t, `"Buyer"`, string(changes[2].Fields["title"]))
	assert.Len(t, changes[2].Fields, 1, "the merge journals only the field it changed")
}

func TestMalformedCardAmongGoodOnes(t *testing.T) {
	s := newStore(t)
	rep := importFiles(t, s, Options{}, "testdata/one-broken-3.0.vcf")
	assert.Equal(t, counts{Files: 1, Cards: 3, Created: 2, Failed: 1}, tally(rep))
	assert.Equal(t, []Problem{{File: "testdata/one-broken-3.0.vcf", Card: 2, Line: 11,
		Message: "PHOTO: invalid base64 data at byte 0"}}, rep.Errors)
	var names []string
	for _, c := range allContacts(t, s) {
		names = append(names, c.FullName)
	}
	assert.Equal(t, []string{"Anna Schmidt", "Peter Meier"}, names)
}

func TestNotAVCard(t *testing.T) {
	s := newStore(t)
	rep := importFiles(t, s, Options{}, "testdata/contacts.csv", "testdata/android-2.1.vcf")
	assert.Equal(t, counts{Files: 2, Cards: 2, Created: 2}, tally(rep), "the next file is still imported")
	require.Len(t, rep.Errors, 1)
	assert.Equal(t, "testdata/contacts.csv", rep.Errors[0].File)
	assert.Zero(t, rep.Errors[0].Card)
	assert.Contains(t, rep.Errors[0].Message, "not a vCard file")
}

func TestValuesTheStoreWouldRejectAreDroppedWithAWarning(t *testing.T) {
	s := newStore(t)
	rep := importText(t, s, Options{MaxPhotoSize: 10},
		card("FN:Max Muster", "EMAIL:max@", "EMAIL:max@muster.example", "TEL:call me", "TEL:+49 30 1234567",
			"PHOTO;ENCODING=b;TYPE=PNG:iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgAAIAAAEA4iG8MwAAAABJRU5ErkJggg=="))
	assert.Equal(t, counts{Files: 1, Cards: 1, Created: 1}, tally(rep))
	var msgs []string
	for _, w := range rep.Warnings {
		assert.Equal(t, "test.vcf", w.File)
		assert.Equal(t, 1, w.Card)
		msgs = append(msgs, w.Message)
	}
	require.Len(t, msgs, 3)
	assert.Contains(t, msgs[0], "larger than the limit")
	assert.Equal(t, 8, rep.Warnings[0].Line, "the photo's own line")
	assert.Equal(t, `e-mail dropped: email "max@": missing domain`, msgs[1])
	assert.Equal(t, `phone dropped: phone "call me": contains letters`, msgs[2])
	c := allContacts(t, s)[0]
	assert.Equal(t, []string{"max@muster.example"}, emailsOf(c))
	assert.Equal(t, []string{"+49301234567"}, phonesOf(c))
	assert.Empty(t, c.Photo)
}

func TestRegionOfNumbersWithoutCountryCode(t *testing.T) {
	s := newStore(t) // the store reads numbers as German
	importText(t, s, Options{Region: "AT"}, card("FN:Franz Huber", "TEL:01 5879 900", "TEL:+49 30 1234567"))
	c := allContacts(t, s)[0]
	assert.Equal(t, []localdb.Phone{
		{Number: "+43 1 5879900", Type: "other", E164: "+4315879900"},
		{Number: "+49 30 1234567", Type: "other", E164: "+49301234567"},
	}, c.Phones, "a Viennese number stays Viennese in a German database")
}

func TestDryRunWritesNothing(t *testing.T) {
	s := newStore(t)
	importText(t, s, Options{}, card("UID:u-1", "FN:Anna Schmidt", "TITLE:Buyer"))
	contacts, journal := allContacts(t, s), journalLen(t, s)

	vcf := card("UID:u-1", "FN:Anna Schmidt", "TITLE:Head of Purchasing", "EMAIL:anna@example.org") +
		card("UID:u-2", "FN:Peter Meier", "ORG:Neue Firma GmbH") + card("FN:Peter Meier", "UID:u-2", "NOTE:again")
	dry := importText(t, s, Options{DryRun: true, BatchSize: 2}, vcf)
	assert.True(t, dry.DryRun)
	assert.Equal(t, contacts, allContacts(t, s), "no contact was written")
	assert.Equal(t, journal, journalLen(t, s), "nothing was journaled")
	cos, err := s.ListCompanies(context.Background(), localdb.CompanyFilter{})
	require.NoError(t, err)
	assert.Empty(t, cos, "not even the company")

	real := importText(t, s, Options{BatchSize: 2}, vcf)
	assert.Equal(t, tally(real), tally(dry), "the dry run reported what the import then did")
	assert.Equal(t, counts{Files: 1, Cards: 3, Created: 1, Merged: 2}, tally(real))
	require.Len(t, dry.Conflicts, 1)
	assert.Equal(t, Conflict{ContactID: contacts[0].ID, Field: "title", Kept: "Buyer", Incoming: "Head of Purchasing"}, dry.Conflicts[0])
}

func TestCancelStopsAfterTheCurrentBatch(t *testing.T) {
	var file bytes.Buffer
	require.NoError(t, vcard.GenerateTestCards(&file, 50, "3.0", 7))
	s := newStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var seen []Progress
	im := New(s, Options{BatchSize: 10, Progress: func(p Progress) {
		seen = append(seen, p)
		if p.Done == 20 {
			cancel()
		}
	}})
	rep, err := im.Import(ctx, []Source{{Name: "gen.vcf", R: bytes.NewReader(file.Bytes())}})
	require.NoError(t, err)
	assert.True(t, rep.Cancelled)
	assert.Equal(t, counts{Files: 1, Cards: 20, Created: 20}, tally(rep))
	assert.Len(t, allContacts(t, s), 20, "the committed batches stay")
	require.GreaterOrEqual(t, len(seen), 2)
	assert.Equal(t, 10, seen[0].Done, "progress is reported after every batch")

	rest, err := New(s, Options{BatchSize: 10}).Import(context.Background(), []Source{{Name: "gen.vcf", R: bytes.NewReader(file.Bytes())}})
	require.NoError(t, err)
	assert.Equal(t, counts{Files: 1, Cards: 50, Created: 30, Unchanged: 20}, tally(rest))
	assert.Len(t, allContacts(t, s), 50)
}

func TestCardMergesIntoContactCreatedEarlierInItsBatch(t *testing.T) {
	s := newStore(t)
	vcf := card("FN:Anna Schmidt", "EMAIL:anna@example.org") + card("FN:Peter Meier", "EMAIL:peter@example.org") +
		card("FN:Anna Schmidt", "EMAIL:ANNA@example.org", "TITLE:Buyer") + card("FN:Eva Roth")
	rep := importText(t, s, Options{}, vcf) // one batch
	assert.Equal(t, counts{Files: 1, Cards: 4, Created: 3, Merged: 1}, tally(rep))
	cs := allContacts(t, s)
	require.Len(t, cs, 3, "the third card is not a fourth contact")
	assert.Equal(t, "Anna Schmidt", cs[0].FullName)
	assert.Equal(t, "Buyer", cs[0].Title)
	changes, err := s.JournalFor(context.Background(), localdb.EntityContact, cs[0].ID)
	require.NoError(t, err)
	require.Len(t, changes, 2)
	assert.Equal(t, []string{localdb.OpCreate, localdb.OpPatch}, []string{changes[0].Op, changes[1].Op})
	hits, err := s.Search(context.Background(), "Eva", localdb.SearchOptions{})
	require.NoError(t, err)
	require.Len(t, hits, 1, "contacts created after the merge are written too")
}
