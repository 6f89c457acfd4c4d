package vcard_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb/vcard"
)

func TestGenerateTestCards(t *testing.T) {
	for _, version := range []string{"2.1", "3.0", "4.0"} {
		t.Run(version, func(t *testing.T) {
			var a, b, other bytes.Buffer
			require.NoError(t, vcard.GenerateTestCards(&a, 300, version, 1))
			require.NoError(t, vcard.GenerateTestCards(&b, 300, version, 1))
			require.NoError(t, vcard.GenerateTestCards(&other, 300, version, 2))
			assert.Equal(t, a.Bytes(), b.Bytes(), "same seed, same cards")
			assert.NotEqual(t, a.Bytes(), other.Bytes(), "another seed, other cards")
			assert.Contains(t, a.String(), "VERSION:"+version+"\r\n")
			if version == "2.1" {
				assert.Contains(t, a.String(), ";CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:")
				assert.Contains(t, a.String(), "=\r\n", "soft line breaks")
			}

			cards, cardErrs := readAll(t, &a)
			require.Empty(t, cardErrs)
			require.Len(t, cards, 300)
			nonASCII := 0
			seen := map[string]bool{}
			for _, c := range cards {
				// Each card is another person: no two share an address or
				// number, and addresses are plain ASCII with a host name.
				for _, e := range c.Emails {
					assert.False(t, seen[e.Address], "e-mail %s twice", e.Address)
					seen[e.Address] = true
					assert.Regexp(t, `^[a-z]\.[a-z0-9-]+\.?[0-9]+@[a-z0-9]+(-[a-z0-9]+)*\.example$`, e.Address)
				}
				for _, p := range c.Phones {
					assert.False(t, seen[p.Number], "phone %s twice", p.Number)
					seen[p.Number] = true
				}
				assert.Regexp(t, `^https://www\.[a-z0-9]+(-[a-z0-9]+)*\.example/$`, c.Website)
				assert.NotEmpty(t, c.UID)
				assert.NotEmpty(t, c.FullName)
				assert.NotEmpty(t, c.Org)
				assert.Len(t, c.Emails, 2)
				assert.Len(t, c.Phones, 2)
				assert.Len(t, c.Addresses, 1)
				assert.NotEmpty(t, c.Birthday)
				assert.NotEmpty(t, c.Notes)
				assert.NotEmpty(t, c.Tags)
				assert.Empty(t, c.Warnings)
				if strings.ContainsFunc(c.FullName, func(r rune) bool { return r > 127 }) {
					nonASCII++
				}
			}
			assert.Greater(t, nonASCII, 50, "names with accents")
		})
	}
	require.Error(t, vcard.GenerateTestCards(&bytes.Buffer{}, 1, "5.0", 1))
}
