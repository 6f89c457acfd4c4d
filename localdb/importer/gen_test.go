package importer

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"

	"repdesk/localdb/vcard"
)

// distinctCards writes n cards of GenerateTestCards, made into n distinct
// people: the generator draws e-mail addresses from a few thousand
// combinations (initial, family name, company), so that most of its cards
// would share an address with another and be merged. Each address gets the
// card's number in its local part.
func distinctCards(w io.Writer, n int, version string, seed int64) error {
	var buf bytes.Buffer
	if err := vcard.GenerateTestCards(&buf, n, version, seed); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	sc := bufio.NewScanner(&buf)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	card := 0
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "BEGIN:VCARD"):
			card++
		case isEmailLine(line):
			if at := strings.LastIndexByte(line, '@'); at > 0 {
				line = fmt.Sprintf("%s.%d%s", line[:at], card, line[at:])
			}
		}
		bw.WriteString(line)
		bw.WriteString("\r\n")
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return bw.Flush()
}

// isEmailLine reports whether line is an EMAIL property, grouped
// ("item1.EMAIL") or not.
func isEmailLine(line string) bool {
	name, _, ok := strings.Cut(line, ":")
	name, _, _ = strings.Cut(name, ";")
	return ok && (name == "EMAIL" || strings.HasSuffix(name, ".EMAIL"))
}
