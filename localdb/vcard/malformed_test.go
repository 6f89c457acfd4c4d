package vcard_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb/vcard"
)

func goodCard(name string) string {
	return "BEGIN:VCARD\nVERSION:3.0\nFN:" + name + "\nEND:VCARD\n"
}

// TestMalformedCardsFailAlone checks that each kind of broken card yields
// one *CardError naming the card and the line, and that the cards around
// it are still read.
func TestMalformedCardsFailAlone(t *testing.T) {
	tests := []struct {
		name      string
		input     string
		opts      []vcard.Option
		wantErr   string
		wantCards []string // full names of the cards read around the bad one
	}{
		{
			name:      "missing END (file)",
			input:     string(testdata(t, "malformed-missing-end.vcf")),
			wantErr:   "card 2 at line 6: line 10: BEGIN:VCARD before this card's END:VCARD (missing END:VCARD or a nested card); the card is skipped",
			wantCards: []string{"Good 1", "Good 3"},
		},
		{
			name:      "nested BEGIN (file): the inner card is read on its own",
			input:     string(testdata(t, "malformed-nested-begin.vcf")),
			wantErr:   "card 2 at line 6: line 9: BEGIN:VCARD before this card's END:VCARD (missing END:VCARD or a nested card); the card is skipped",
			wantCards: []string{"Good 1", "Good Inner", "Good 4"},
		},
		{
			name:      "broken line without colon (file)",
			input:     string(testdata(t, "malformed-broken-line.vcf")),
			wantErr:   `card 2 at line 6: line 9: broken line: no ':' between property name and value in "this line has no colon"`,
			wantCards: []string{"Good 1", "Good 3"},
		},
		{
			name:      "bad base64 photo (file)",
			input:     string(testdata(t, "malformed-bad-base64.vcf")),
			wantErr:   "card 2 at line 6: line 9: PHOTO: invalid base64 data at byte 8",
			wantCards: []string{"Good 1", "Good 3"},
		},
		{
			name:      "unknown charset (file)",
			input:     string(testdata(t, "malformed-bad-charset.vcf")),
			wantErr:   `card 2 at line 6: line 8: N: unknown charset "X-KLINGON"`,
			wantCards: []string{"Good 1", "Good 3"},
		},
		{
			name:      "missing END at the end of the file",
			input:     goodCard("A") + "BEGIN:VCARD\nVERSION:3.0\nFN:Cut off\nTEL:1\n",
			wantErr:   "card 2 at line 5: missing END:VCARD: the file ends inside this card",
			wantCards: []string{"A"},
		},
		{
			name:      "invalid quoted-printable",
			input:     goodCard("A") + "BEGIN:VCARD\nVERSION:2.1\nFN;ENCODING=QUOTED-PRINTABLE:Bad =ZZ here\nEND:VCARD\n" + goodCard("C"),
			wantErr:   `card 2 at line 5: line 7: FN: invalid quoted-printable sequence "=ZZ"`,
			wantCards: []string{"A", "C"},
		},
		{
			name:      "invalid UTF-8 in a 3.0 card without CHARSET",
			input:     goodCard("A") + "BEGIN:VCARD\nVERSION:3.0\nFN:Bad \xff\xfe bytes\nEND:VCARD\n" + goodCard("C"),
			wantErr:   "card 2 at line 5: line 7: FN: invalid UTF-8 and no CHARSET parameter",
			wantCards: []string{"A", "C"},
		},
		{
			name:      "invalid UTF-8 despite CHARSET=UTF-8",
			input:     goodCard("A") + "BEGIN:VCARD\nVERSION:2.1\nFN;CHARSET=UTF-8:Bad \xc3\x28\nEND:VCARD\n" + goodCard("C"),
			wantErr:   "card 2 at line 5: line 7: FN: invalid UTF-8 although CHARSET=UTF-8",
			wantCards: []string{"A", "C"},
		},
		{
			name:      "unterminated quoted parameter",
			input:     goodCard("A") + "BEGIN:VCARD\nVERSION:4.0\nFN:B\nTEL;TYPE=\"cell:123\nEND:VCARD\n" + goodCard("C"),
			wantErr:   "card 2 at line 5: line 8: broken line: unterminated quoted value of parameter TYPE in TEL",
			wantCards: []string{"A", "C"},
		},
		{
			name:      "invalid property name",
			input:     goodCard("A") + "BEGIN:VCARD\nVERSION:3.0\nFN:B\nNO TE:x\nEND:VCARD\n" + goodCard("C"),
			wantErr:   `card 2 at line 5: line 8: broken line: invalid property name in "NO TE:x"`,
			wantCards: []string{"A", "C"},
		},
		{
			name:      "nothing usable",
			input:     goodCard("A") + "BEGIN:VCARD\nVERSION:3.0\nN:;;;;\nNOTE:just a note\nEND:VCARD\n" + goodCard("C"),
			wantErr:   "card 2 at line 5: card has no name, organization, e-mail address or phone number",
			wantCards: []string{"A", "C"},
		},
		{
			name:      "line longer than the limit",
			input:     goodCard("A") + "BEGIN:VCARD\nVERSION:3.0\nFN:B\nNOTE:" + strings.Repeat("x", 5000) + "\nTEL:1\nEND:VCARD\n" + goodCard("C"),
			opts:      []vcard.Option{vcard.WithMaxLineLength(4096)},
			wantErr:   "card 2 at line 5: line 8: line longer than the limit of 4 KiB",
			wantCards: []string{"A", "C"},
		},
		{
			name:      "card larger than the limit (folded lines)",
			input:     goodCard("A") + "BEGIN:VCARD\nVERSION:3.0\nFN:B\nNOTE:" + strings.Repeat("0123456789\n ", 1000) + "\nEND:VCARD\n" + goodCard("C"),
			opts:      []vcard.Option{vcard.WithMaxCardSize(8 << 10)},
			wantErr:   "card 2 at line 5: line 825: card larger than the limit of 8 KiB",
			wantCards: []string{"A", "C"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cards, cardErrs := readAll(t, strings.NewReader(tt.input), tt.opts...)
			require.Len(t, cardErrs, 1)
			assert.EqualError(t, cardErrs[0], tt.wantErr)
			assert.Equal(t, 2, cardErrs[0].Card)
			var names []string
			for _, c := range cards {
				names = append(names, c.FullName)
			}
			assert.Equal(t, tt.wantCards, names)
		})
	}
}

// TestOversizeCardDefaultLimit feeds a card over the default 4 MiB limit.
func TestOversizeCardDefaultLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString(goodCard("Before"))
	b.WriteString("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Huge\r\n")
	line := "NOTE:" + strings.Repeat("x", 70) + "\r\n"
	for b.Len() < 5<<20 {
		b.WriteString(line)
	}
	b.WriteString("END:VCARD\r\n")
	b.WriteString(goodCard("After"))

	cards, cardErrs := readAll(t, strings.NewReader(b.String()))
	require.Len(t, cardErrs, 1)
	ce := cardErrs[0]
	assert.Equal(t, 2, ce.Card)
	assert.Equal(t, 5, ce.BeginLine)
	assert.Greater(t, ce.Line, 50_000)
	assert.Contains(t, ce.Error(), "card larger than the limit of 4 MiB")
	require.Len(t, cards, 2)
	assert.Equal(t, "Before", cards[0].FullName)
	assert.Equal(t, "After", cards[1].FullName)
	assert.Equal(t, 3, cards[1].Number)
}
