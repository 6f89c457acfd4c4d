package importer

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"

	"repdesk/localdb/vcard"
)

// distinctCards writes n (< 1,000,000) cards of GenerateTestCards, made into
// n distinct people: the generator draws e-mail addresses from a few
// thousand combinations (initial, family name, company), so that most of its
// cards would share an address with another and be merged, and now and then
// two cards with the same family name draw the same phone number. Each
// address starts with the card's number, and each phone number
// ends in the card's number.
func distinctCards(w io.Writer, n int, version string, seed int64) error {
	var buf bytes.Buffer
	if err := vcard.GenerateTestCards(&buf, n, version, seed); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	sc := bufio.NewScanner(&buf)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	card, tel := 0, 0
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "BEGIN:VCARD"):
			card, tel = card+1, 0
		case isProperty(line, "TEL"):
			if sp := strings.LastIndexByte(line, ' '); sp > 0 {
				tel++
				line = fmt.Sprintf("%s %d%06d", line[:sp], tel, card)
			}
		case isProperty(line, "EMAIL"):
			// At the start of the value, which a quoted-printable line break
			// cannot have moved to the next line.
			colon := strings.IndexByte(line, ':')
			line = fmt.Sprintf("%s%d.%s", line[:colon+1], card, line[colon+1:])
		}
		bw.WriteString(line)
		bw.WriteString("\r\n")
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return bw.Flush()
}

// isProperty reports whether line is a property named name, grouped
// ("item1.EMAIL") or not.
func isProperty(line, name string) bool {
	prop, _, ok := strings.Cut(line, ":")
	prop, _, _ = strings.Cut(prop, ";")
	return ok && (prop == name || strings.HasSuffix(prop, "."+name))
}
