package vcard_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb/vcard"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fullCard uses every field of Card, with text that needs escaping, long
// lines that need folding, and multi-byte characters at the fold points.
func fullCard(t *testing.T) vcard.Card {
	return vcard.Card{
		UID:        "urn:uuid:0190d5a8-6c4e-7b8a-9d2e-3f4a5b6c7d8e",
		FullName:   "Dr. Jürgen Müller-Lüdenscheidt, Jr.",
		GivenName:  "Jürgen",
		FamilyName: "Müller-Lüdenscheidt",
		Prefix:     "Dr.",
		Suffix:     "Jr.",
		Org:        "Bäckerei Müller; Söhne, GmbH",
		Department: "Vertrieb\\Süd",
		Title:      "Geschäftsführer",
		Role:       "Einkauf",
		Emails: []vcard.Email{
			{Address: "juergen@baeckerei.example", Type: "work", Primary: true},
			{Address: "j.m@privat.example", Type: "home"},
			{Address: "jm@golf.example", Type: "other", Label: "Golf Club"},
			{Address: "jm@other.example", Type: "other"},
		},
		Phones: []vcard.Phone{
			{Number: "+49 89 1234567", Type: "work"},
			{Number: "+49 171 2345678", Type: "mobile", Primary: true},
			{Number: "+49 89 1234568", Type: "fax"},
			{Number: "+49 89 7654321", Type: "home"},
			{Number: "+49 89 0000000", Type: "other"},
			{Number: "+49 89 1111111", Type: "work", Label: "Assistentin"},
		},
		Addresses: []vcard.Address{
			{Type: "work", Street: "Hauptstraße 5\nHinterhaus, 2. OG", PostalCode: "80331", City: "München", Region: "Bayern", Country: "Deutschland"},
			{Type: "home", Street: "Am Grünen Weg 3", PostalCode: "82166", City: "Gräfelfing", Country: "Deutschland"},
			{Type: "other", Label: "Ferienhaus", Street: "Strandweg 1", City: "Sylt"},
		},
		Birthday:  "1970-04-15",
		Website:   "https://www.bäckerei-müller.example/über-uns?a=1,b=2;c",
		Notes:     "Kunde seit 2015; bevorzugt Anrufe vormittags.\nGrößere Bestellungen über Herrn Müller, Preise in €.\n\n日本語のメモ：とても長い行を折り返すテストです。これは七十五オクテットを超えます。",
		Tags:      []string{"Kunden", "Groß, Handel", "VIP"},
		Photo:     testdata(t, "photo.jpg"),
		PhotoType: "image/jpeg",
	}
}

func TestWriteRoundTrip(t *testing.T) {
	noYear := fullCard(t)
	noYear.Birthday = "--02-29"
	noYear.Photo, noYear.PhotoType, noYear.PhotoURI = nil, "", "https://photos.example/j.jpg?size=large"
	minimal := vcard.Card{FullName: "Only A Name"}
	png := vcard.Card{FullName: "PNG", Photo: testdata(t, "photo.png"), PhotoType: "image/png", Department: "Only Dept"}
	for _, version := range []string{"3.0", "4.0"} {
		for _, tt := range []struct {
			name string
			card vcard.Card
		}{{"all fields", fullCard(t)}, {"birthday without year, photo link", noYear}, {"minimal", minimal}, {"png photo, department only", png}} {
			t.Run(version+"/"+tt.name, func(t *testing.T) {
				var buf bytes.Buffer
				cards := []vcard.Card{tt.card, tt.card}
				require.NoError(t, vcard.Write(&buf, cards, version))

				got, cardErrs := readAll(t, bytes.NewReader(buf.Bytes()))
				require.Empty(t, cardErrs)
				require.Len(t, got, 2)
				for i := range got {
					want := tt.card
					want.Number = i + 1
					want.Line = got[i].Line
					assert.Equal(t, want, got[i])
				}
				assert.Greater(t, got[1].Line, got[0].Line)
			})
		}
	}
}

func TestWriteFormat(t *testing.T) {
	for _, version := range []string{"3.0", "4.0"} {
		t.Run(version, func(t *testing.T) {
			var buf bytes.Buffer
			c := fullCard(t)
			require.NoError(t, vcard.Write(&buf, []vcard.Card{c}, version))
			out := buf.String()

			golden := filepath.Join("testdata", "writer-"+version+".golden.vcf")
			if *update {
				require.NoError(t, os.WriteFile(golden, buf.Bytes(), 0o644))
			}
			assert.Equal(t, string(testdata(t, filepath.Base(golden))), out, "golden file; go test -run TestWriteFormat -update to rewrite")

			require.True(t, strings.HasSuffix(out, "\r\n"))
			lines := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
			for _, l := range lines {
				assert.NotContains(t, l, "\n", "only CRLF line ends")
				assert.LessOrEqual(t, len(l), 75, "line %q is over 75 octets", l)
				assert.True(t, utf8.ValidString(l), "fold splits a UTF-8 sequence: %q", l)
			}
			assert.Equal(t, "BEGIN:VCARD", lines[0])
			assert.Equal(t, "VERSION:"+version, lines[1])
			assert.Equal(t, "END:VCARD", lines[len(lines)-1])
			unfolded := strings.ReplaceAll(out, "\r\n ", "")
			assert.Contains(t, unfolded, `ORG:Bäckerei Müller\; Söhne\, GmbH;Vertrieb\\Süd`+"\r\n")
			assert.Contains(t, unfolded, `CATEGORIES:Kunden,Groß\, Handel,VIP`+"\r\n")
			assert.Contains(t, unfolded, `ADR;TYPE=`)
			assert.Contains(t, unfolded, `Hauptstraße 5\nHinterhaus\, 2. OG;München;Bayern;80331;Deutschland`)
			assert.Contains(t, unfolded, "item1.X-ABLabel:Golf Club\r\n")
			if version == "3.0" {
				assert.Contains(t, unfolded, "BDAY:1970-04-15\r\n")
				assert.Contains(t, unfolded, "PHOTO;ENCODING=b;TYPE=JPEG:/9j/")
				assert.Contains(t, unfolded, "EMAIL;TYPE=INTERNET,WORK,PREF:juergen@baeckerei.example\r\n")
			} else {
				assert.Contains(t, unfolded, "BDAY:19700415\r\n")
				assert.Contains(t, unfolded, "PHOTO:data:image/jpeg;base64,/9j/")
				assert.Contains(t, unfolded, "EMAIL;TYPE=work;PREF=1:juergen@baeckerei.example\r\n")
			}
		})
	}
}

func TestWriteBirthdayWithoutYear(t *testing.T) {
	for version, want := range map[string]string{"3.0": "BDAY:--03-12\r\n", "4.0": "BDAY:--0312\r\n"} {
		var buf bytes.Buffer
		require.NoError(t, vcard.Write(&buf, []vcard.Card{{FullName: "B", Birthday: "--03-12"}}, version))
		assert.Contains(t, buf.String(), want, version)
	}
}

type failingWriter struct{ writes int }

func (w *failingWriter) Write(p []byte) (int, error) {
	w.writes++
	return 0, errors.New("disk full")
}

func TestWriteErrors(t *testing.T) {
	_, err := vcard.NewEncoder(&bytes.Buffer{}, "2.1")
	require.EqualError(t, err, `vcard: new encoder: unsupported version "2.1" (want "3.0" or "4.0")`)

	var buf bytes.Buffer
	err = vcard.Write(&buf, []vcard.Card{{FullName: "Ok"}, {FullName: "Bad", Birthday: "1985-02-30"}}, "3.0")
	require.EqualError(t, err, `vcard: encode card "Bad": invalid Birthday "1985-02-30" (want YYYY-MM-DD or --MM-DD)`)
	cards, cardErrs := readAll(t, &buf)
	require.Empty(t, cardErrs)
	require.Len(t, cards, 1, "the bad card is not half-written")

	err = vcard.Write(&bytes.Buffer{}, []vcard.Card{{}}, "4.0")
	require.EqualError(t, err, "vcard: encode card: it has no name or organization")

	fw := &failingWriter{}
	err = vcard.Write(fw, []vcard.Card{{FullName: "A"}}, "4.0")
	require.ErrorContains(t, err, "disk full")
	assert.Equal(t, 1, fw.writes, "one Write per card")
}
