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

// comparable strips what a database gives a contact of its own (id,
// timestamps, version, owner, company id), leaving what the contact says.
func comparable(cs []localdb.Contact) map[string]localdb.Contact {
	out := map[string]localdb.Contact{}
	for _, c := range cs {
		c.Meta = localdb.Meta{}
		c.CompanyID = ""
		out[c.FullName] = c
	}
	return out
}

func TestExportImportRoundTrip(t *testing.T) {
	ctx := context.Background()
	src := newStore(t)
	importFiles(t, src, Options{}, testFiles...)
	// A contact typed in by the rep, with what imports do not produce.
	require.NoError(t, src.CreateContact(ctx, &localdb.Contact{FullName: "Zoë Brown", Suffix: "Jr.",
		Emails: []localdb.Email{{Address: "zoe@brown.example", Primary: true}, {Address: "zb@home.example", Type: "home"}},
		Phones: []localdb.Phone{{Number: "+44 20 7946 0958", Type: "work"}, {Number: "+44 20 7946 0959", Type: "fax"}},
		Addresses: []localdb.Address{{Street: "221b Baker Street\nFlat 2", PostalCode: "NW1 6XE", City: "London",
			Country: "United Kingdom"}},
		Notes: "Line one; line two, with comma\nand a second line: \\ backslash",
		Tags:  []string{"VIP", "Tee, Kaffee"}, Photo: "https://photos.example/zoe.jpg", Birthday: "--12-24"}))
	want := comparable(allContacts(t, src))
	require.Len(t, want, 8)

	for _, version := range []string{vcard.Version30, vcard.Version40} {
		t.Run(version, func(t *testing.T) {
			var out bytes.Buffer
			n, err := Export(ctx, src, &out, ExportOptions{Version: version})
			require.NoError(t, err)
			assert.Equal(t, 8, n)
			assert.Equal(t, 8, strings.Count(out.String(), "VERSION:"+version+"\r\n"))

			dst := newStore(t)
			rep := importText(t, dst, Options{}, out.String())
			assert.Equal(t, counts{Files: 1, Cards: 8, Created: 8}, tally(rep))
			assert.Empty(t, rep.Warnings)
			got := comparable(allContacts(t, dst))
			require.Len(t, got, len(want))
			for name, w := range want {
				assert.Equal(t, w, got[name], name)
			}

			again := importText(t, src, Options{}, out.String())
			assert.Equal(t, counts{Files: 1, Cards: 8, Unchanged: 8}, tally(again), "its own export changes nothing in the source")
			assert.Empty(t, again.Conflicts)
		})
	}
}

func TestExportQuery(t *testing.T) {
	s := newStore(t)
	importFiles(t, s, Options{}, testFiles...)
	var out bytes.Buffer
	n, err := Export(context.Background(), s, &out, ExportOptions{Query: "Nordwind"})
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Contains(t, out.String(), "FN:Sven Jensen\r\n")
	assert.Equal(t, 1, strings.Count(out.String(), "BEGIN:VCARD"))

	_, err = Export(context.Background(), s, &out, ExportOptions{Version: "2.1"})
	assert.ErrorContains(t, err, `unsupported version "2.1"`)
}

func TestExportPagesThroughAllContacts(t *testing.T) {
	var file bytes.Buffer
	require.NoError(t, vcard.GenerateTestCards(&file, exportPage+5, "3.0", 3))
	s := newStore(t)
	rep := importText(t, s, Options{}, file.String())
	require.Equal(t, exportPage+5, rep.Created)
	var out bytes.Buffer
	n, err := Export(context.Background(), s, &out, ExportOptions{})
	require.NoError(t, err)
	assert.Equal(t, exportPage+5, n)
	uids := map[string]bool{}
	for _, line := range strings.Split(out.String(), "\r\n") {
		if uid, ok := strings.CutPrefix(line, "UID:"); ok {
			uids[uid] = true
		}
	}
	assert.Len(t, uids, exportPage+5, "every contact once")
}
