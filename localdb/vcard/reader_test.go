package vcard_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"

	"repdesk/localdb/vcard"
)

// crlf turns the LF line ends of a test literal into CRLF.
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

func encode(t *testing.T, s string, enc interface{ Bytes([]byte) ([]byte, error) }) string {
	t.Helper()
	b, err := enc.Bytes([]byte(s))
	require.NoError(t, err)
	return string(b)
}

func encodeBase64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func readOne(t *testing.T, input string) vcard.Card {
	t.Helper()
	cards, cardErrs := readAll(t, strings.NewReader(input))
	require.Empty(t, cardErrs)
	require.Len(t, cards, 1)
	return cards[0]
}

// TestReaderFixesGoVCardGaps covers, one by one, what plain go-vcard gets
// wrong on real files.
func TestReaderFixesGoVCardGaps(t *testing.T) {
	tests := []struct {
		name  string
		input string
		check func(t *testing.T, c vcard.Card)
	}{
		{
			name:  "quoted-printable with soft line breaks",
			input: crlf("BEGIN:VCARD\nVERSION:2.1\nFN:QP\nNOTE;ENCODING=QUOTED-PRINTABLE:Line one=0D=0ALine=\n two =3D done\nEND:VCARD\n"),
			check: func(t *testing.T, c vcard.Card) { assert.Equal(t, "Line one\nLine two = done", c.Notes) },
		},
		{
			name:  "quoted-printable UTF-8 split inside a character by a soft break",
			input: crlf("BEGIN:VCARD\nVERSION:2.1\nFN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=\n=BCrgen\nEND:VCARD\n"),
			check: func(t *testing.T, c vcard.Card) { assert.Equal(t, "Jürgen", c.FullName) },
		},
		{
			name:  "CHARSET=ISO-8859-1 raw bytes",
			input: "BEGIN:VCARD\nVERSION:2.1\nFN;CHARSET=ISO-8859-1:Fran\xe7ois M\xfcller\nEND:VCARD\n",
			check: func(t *testing.T, c vcard.Card) { assert.Equal(t, "François Müller", c.FullName) },
		},
		{
			name:  "CHARSET=Windows-1252 with quoted-printable (euro sign 0x80)",
			input: "BEGIN:VCARD\nVERSION:2.1\nFN:X\nNOTE;CHARSET=Windows-1252;ENCODING=QUOTED-PRINTABLE:=80 5 =96 Stra=DFe\nEND:VCARD\n",
			check: func(t *testing.T, c vcard.Card) { assert.Equal(t, "€ 5 – Straße", c.Notes) },
		},
		{
			name:  "CHARSET=KOI8-R (any charset x/text knows)",
			input: "BEGIN:VCARD\nVERSION:2.1\nFN;CHARSET=KOI8-R:" + encode(t, "Иван Петров", charmap.KOI8R.NewEncoder()) + "\nEND:VCARD\n",
			check: func(t *testing.T, c vcard.Card) { assert.Equal(t, "Иван Петров", c.FullName) },
		},
		{
			name:  "Shift_JIS decoded before unescaping: 0x5C inside a character",
			input: "BEGIN:VCARD\nVERSION:3.0\nFN;CHARSET=Shift_JIS:" + encode(t, "表ソ", japanese.ShiftJIS.NewEncoder()) + "\nN;CHARSET=Shift_JIS:" + encode(t, "十;能", japanese.ShiftJIS.NewEncoder()) + "\nEND:VCARD\n",
			check: func(t *testing.T, c vcard.Card) {
				assert.Equal(t, "表ソ", c.FullName)
				assert.Equal(t, "十", c.FamilyName)
				assert.Equal(t, "能", c.GivenName)
			},
		},
		{
			name:  "2.1 bare parameters",
			input: "BEGIN:VCARD\nVERSION:2.1\nFN:Bare\nTEL;WORK;VOICE:+1 555 0100\nTEL;CELL;PREF:+1 555 0101\nEMAIL;INTERNET;HOME:bare@example.com\n" + "PHOTO;JPEG;BASE64:/9j/4AAQ\nEND:VCARD\n",
			check: func(t *testing.T, c vcard.Card) {
				assert.Equal(t, []vcard.Phone{{Number: "+1 555 0100", Type: "work"}, {Number: "+1 555 0101", Type: "mobile", Primary: true}}, c.Phones)
				assert.Equal(t, []vcard.Email{{Address: "bare@example.com", Type: "home"}}, c.Emails)
				assert.Equal(t, []byte{0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10}, c.Photo)
				assert.Equal(t, "image/jpeg", c.PhotoType)
			},
		},
		{
			name:  "escaped semicolons and commas inside structured values",
			input: "BEGIN:VCARD\nVERSION:3.0\nN:O\\;Neil;Pat\\, Jr;;;\nORG:Smith\\; Sons\\, Ltd;R\\;D\nADR:;;Main St 1\\; Rear;Town;;;\nEND:VCARD\n",
			check: func(t *testing.T, c vcard.Card) {
				assert.Equal(t, "O;Neil", c.FamilyName)
				assert.Equal(t, "Pat, Jr", c.GivenName)
				assert.Equal(t, "Smith; Sons, Ltd", c.Org)
				assert.Equal(t, "R;D", c.Department)
				assert.Equal(t, "Main St 1; Rear", c.Addresses[0].Street)
				assert.Equal(t, "Town", c.Addresses[0].City)
			},
		},
		{
			name:  `\: and \N unescaped`,
			input: "BEGIN:VCARD\nVERSION:3.0\nFN:Esc\nURL:https\\://example.com/a\nNOTE:one\\Ntwo\\ntree \\\\n literal\nEND:VCARD\n",
			check: func(t *testing.T, c vcard.Card) {
				assert.Equal(t, "https://example.com/a", c.Website)
				assert.Equal(t, "one\ntwo\ntree \\n literal", c.Notes)
			},
		},
		{
			name:  "UTF-8 byte-order mark before the first card",
			input: "\xef\xbb\xbfBEGIN:VCARD\r\nVERSION:3.0\r\nFN:After BOM\r\nEND:VCARD\r\n",
			check: func(t *testing.T, c vcard.Card) { assert.Equal(t, "After BOM", c.FullName); assert.Equal(t, 1, c.Line) },
		},
		{
			name:  "bare CR line ends",
			input: "BEGIN:VCARD\rVERSION:3.0\rFN:Classic Mac\rTEL:123\rEND:VCARD\r",
			check: func(t *testing.T, c vcard.Card) {
				assert.Equal(t, "Classic Mac", c.FullName)
				assert.Equal(t, []vcard.Phone{{Number: "123", Type: "other"}}, c.Phones)
			},
		},
		{
			name:  "folded lines, space and tab, fold inside a UTF-8 sequence",
			input: "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:J\xc3\r\n \xbcrgen\r\nNOTE:a long\r\n\t note\r\nEND:VCARD\r\n",
			check: func(t *testing.T, c vcard.Card) {
				assert.Equal(t, "Jürgen", c.FullName)
				assert.Equal(t, "a long note", c.Notes)
			},
		},
		{
			name:  "grouped properties with Apple labels",
			input: "BEGIN:VCARD\nVERSION:3.0\nFN:G\nitem1.EMAIL;type=INTERNET:a@example.com\nitem1.X-ABLabel:_$!<Work>!$_\nITEM2.TEL:1\nitem2.x-ablabel:Boat\nEND:VCARD\n",
			check: func(t *testing.T, c vcard.Card) {
				assert.Equal(t, []vcard.Email{{Address: "a@example.com", Type: "work"}}, c.Emails)
				assert.Equal(t, []vcard.Phone{{Number: "1", Type: "other", Label: "Boat"}}, c.Phones)
			},
		},
		{
			name:  "last line without line end",
			input: "BEGIN:VCARD\nVERSION:3.0\nFN:No newline\nEND:VCARD",
			check: func(t *testing.T, c vcard.Card) { assert.Equal(t, "No newline", c.FullName) },
		},
		{
			name:  "UTF-16LE file with BOM",
			input: encode(t, "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoë UTF-16\r\nEND:VCARD\r\n", unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder()),
			check: func(t *testing.T, c vcard.Card) { assert.Equal(t, "Zoë UTF-16", c.FullName) },
		},
		{
			name:  "2.1 AGENT with an embedded card does not end the card",
			input: "BEGIN:VCARD\nVERSION:2.1\nFN:Boss\nAGENT:\nBEGIN:VCARD\nVERSION:2.1\nFN:Assistant\nEND:VCARD\nTEL:555\nEND:VCARD\n",
			check: func(t *testing.T, c vcard.Card) {
				assert.Equal(t, "Boss", c.FullName)
				assert.Equal(t, []vcard.Phone{{Number: "555", Type: "other"}}, c.Phones)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, readOne(t, tt.input))
		})
	}
}

func TestReaderManyCardsAndJunk(t *testing.T) {
	input := "Exported contacts\r\n\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:One\r\nX-CUSTOM;X-PARAM=1:ignored\r\nEND:VCARD\r\n" +
		"some junk between cards\r\nEND:VCARD\r\n" +
		"begin:vcard\nversion:3.0\nfn:Two\nend:vcard\n" +
		"BEGIN:VCARD\nVERSION:3.0\nFN:Three\nEND:VCARD\n-- end --"
	// One byte per Read: line ends, BOM checks and folds across reads.
	cards, cardErrs := readAll(t, iotest.OneByteReader(strings.NewReader(input)))
	require.Empty(t, cardErrs)
	require.Len(t, cards, 3)
	for i, want := range []struct {
		name string
		line int
	}{{"One", 3}, {"Two", 10}, {"Three", 14}} {
		assert.Equal(t, want.name, cards[i].FullName)
		assert.Equal(t, i+1, cards[i].Number)
		assert.Equal(t, want.line, cards[i].Line)
	}
}

func TestReaderBirthdays(t *testing.T) {
	tests := []struct {
		bday    string
		want    string
		warning bool
	}{
		{"BDAY:19850312", "1985-03-12", false},
		{"BDAY:1985-03-12", "1985-03-12", false},
		{"BDAY:--0312", "--03-12", false},
		{"BDAY:--03-12", "--03-12", false},
		{"BDAY;VALUE=date:1985-03-12T10:00:00Z", "1985-03-12", false},
		{"BDAY:19850312T000000", "1985-03-12", false},
		{"BDAY:--0229", "--02-29", false},
		{"BDAY;X-APPLE-OMIT-YEAR=1604:1604-12-24", "--12-24", false},
		{"BDAY:1985-02-30", "", true},
		{"BDAY:1985-13-01", "", true},
		{"BDAY:1985", "", true},
		{"BDAY:--03", "", true},
		{"BDAY;VALUE=text:circa 1800", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.bday, func(t *testing.T) {
			c := readOne(t, "BEGIN:VCARD\nVERSION:4.0\nFN:B\n"+tt.bday+"\nEND:VCARD\n")
			assert.Equal(t, tt.want, c.Birthday)
			if tt.warning {
				require.Len(t, c.Warnings, 1)
				assert.Contains(t, c.Warnings[0], "line 4: BDAY")
			} else {
				assert.Empty(t, c.Warnings)
			}
		})
	}
}

func TestReaderPreferred(t *testing.T) {
	tests := []struct {
		name   string
		emails string
		want   []bool
	}{
		{"2.1 bare PREF", "EMAIL;INTERNET:a@x\nEMAIL;PREF;INTERNET:b@x\n", []bool{false, true}},
		{"3.0 TYPE=pref", "EMAIL;TYPE=INTERNET:a@x\nEMAIL;TYPE=INTERNET,pref:b@x\n", []bool{false, true}},
		{"3.0 repeated type", "EMAIL;type=INTERNET;type=pref:a@x\nEMAIL:b@x\n", []bool{true, false}},
		{"4.0 lowest PREF wins", "EMAIL;PREF=3:a@x\nEMAIL;PREF=1:b@x\nEMAIL;PREF=2:c@x\n", []bool{false, true, false}},
		{"none marked", "EMAIL:a@x\nEMAIL:b@x\n", []bool{false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := readOne(t, "BEGIN:VCARD\nVERSION:3.0\nFN:P\n"+tt.emails+"END:VCARD\n")
			var got []bool
			for _, e := range c.Emails {
				got = append(got, e.Primary)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestReaderNameFallbacks(t *testing.T) {
	tests := []struct {
		name  string
		props string
		want  string
	}{
		{"FN wins", "FN:Formatted\nN:Family;Given;;;\nORG:Org\n", "Formatted"},
		{"N when FN is missing", "N:Curie;Marie;Salomea;Mme;\n", "Mme Marie Salomea Curie"},
		{"ORG when FN and N are missing", "ORG:Acme;Sales\nEMAIL:info@acme.example\n", "Acme"},
		{"e-mail when there is no name or ORG", "N:;;;;\nEMAIL:info@acme.example\n", "info@acme.example"},
		{"phone as a last resort", "TEL:+1 555 0100\n", "+1 555 0100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := readOne(t, "BEGIN:VCARD\nVERSION:3.0\n"+tt.props+"END:VCARD\n")
			assert.Equal(t, tt.want, c.FullName)
		})
	}
}

func TestReaderPhotos(t *testing.T) {
	jpeg := testdata(t, "photo.jpg")
	b64 := encodeBase64(jpeg)
	t.Run("3.0 inline, type sniffed when missing", func(t *testing.T) {
		c := readOne(t, "BEGIN:VCARD\nVERSION:3.0\nFN:P\nPHOTO;ENCODING=b:"+b64+"\nEND:VCARD\n")
		assert.Equal(t, jpeg, c.Photo)
		assert.Equal(t, "image/jpeg", c.PhotoType)
	})
	t.Run("2.1 link", func(t *testing.T) {
		c := readOne(t, "BEGIN:VCARD\nVERSION:2.1\nFN:P\nPHOTO;VALUE=URL;TYPE=JPEG:http://example.com/p.jpg\nEND:VCARD\n")
		assert.Empty(t, c.Photo)
		assert.Equal(t, "http://example.com/p.jpg", c.PhotoURI)
	})
	t.Run("over the limit: skipped with a warning, card kept", func(t *testing.T) {
		big := bytes.Repeat([]byte{0xAB}, 1<<20+1)
		c := readOne(t, "BEGIN:VCARD\nVERSION:3.0\nFN:Big Photo\nPHOTO;ENCODING=b;TYPE=JPEG:"+encodeBase64(big)+"\nTEL:1\nEND:VCARD\n")
		assert.Equal(t, "Big Photo", c.FullName)
		assert.Empty(t, c.Photo)
		assert.Empty(t, c.PhotoType)
		assert.Equal(t, []string{"line 4: PHOTO of 1025 KiB is larger than the limit of 1024 KiB; skipped"}, c.Warnings)
		assert.Len(t, c.Phones, 1)
	})
	t.Run("exactly at the limit is kept", func(t *testing.T) {
		c := readOne(t, "BEGIN:VCARD\nVERSION:4.0\nFN:P\nPHOTO:data:image/jpeg;base64,"+encodeBase64(make([]byte, 1<<20))+"\nEND:VCARD\n")
		assert.Len(t, c.Photo, 1<<20)
		assert.Empty(t, c.Warnings)
	})
}

func TestReaderNotVCard(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{"empty", "", "not a vCard file: the file is empty"},
		{"CSV", string(testdata(t, "not-a-vcard.csv")), "not a vCard file: no BEGIN:VCARD line found"},
		{"binary without line ends", strings.Repeat("\x00\x01\xff", 100_000), "not a vCard file: no BEGIN:VCARD found in the first 64 KiB"},
		{"card after 64 KiB of text", strings.Repeat("some text line\n", 5000) + "BEGIN:VCARD\nFN:Late\nEND:VCARD\n", "not a vCard file: no BEGIN:VCARD found in the first 64 KiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rd := vcard.NewReader(strings.NewReader(tt.input))
			c, err := rd.Next()
			assert.Nil(t, c)
			require.ErrorIs(t, err, vcard.ErrNotVCard)
			assert.EqualError(t, err, tt.want)
			_, err = rd.Next()
			require.ErrorIs(t, err, vcard.ErrNotVCard, "the error is sticky")
		})
	}
}

func TestReaderReadErrorIsFatal(t *testing.T) {
	boom := errors.New("disk on fire")
	r := io.MultiReader(strings.NewReader("BEGIN:VCARD\nVERSION:3.0\nFN:One\nEND:VCARD\nBEGIN:VCARD\nFN:Tw"), iotest.ErrReader(boom))
	rd := vcard.NewReader(r)
	c, err := rd.Next()
	require.NoError(t, err)
	assert.Equal(t, "One", c.FullName)
	_, err = rd.Next()
	require.ErrorIs(t, err, boom)
	assert.Contains(t, err.Error(), "read vCard")
	var ce *vcard.CardError
	assert.False(t, errors.As(err, &ce), "a read error is not a per-card error")
	_, err = rd.Next()
	require.ErrorIs(t, err, boom)
}
