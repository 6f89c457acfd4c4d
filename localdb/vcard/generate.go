package vcard

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
)

// Pools for GenerateTestCards: a mix of plain ASCII and accented names so
// that charset and quoted-printable paths are exercised.
var (
	genGiven = []string{"Anna", "Jürgen", "María José", "Łukasz", "Chloé", "John", "Søren", "Ayşe", "Peter",
		"Sophie", "Mateo", "Eleni", "Ólafur", "Zoë", "Hiroshi", "Fatima", "Liam", "Małgorzata", "Noah", "Ines"}
	genFamily = []string{"Müller", "García", "Smith", "Żyła", "Dubois", "Jensen", "Yılmaz", "Rossi", "Nowak",
		"Papadopoulos", "O'Brien", "Schmidt", "Fernández", "Kowalski", "Svensson", "Tanaka", "Meier", "Brown"}
	genCompany = []string{"Bäckerei Müller GmbH", "Acme Corp", "Nordwind AS", "Café de Flore SARL", "Initech",
		"Globex, Inc.", "Umbrella Logistics", "Stark Industries", "Öko-Handel KG", "Vandelay Industries"}
	genDept   = []string{"", "", "Sales", "Purchasing", "Vertrieb", "Einkauf", "Logistics", "R&D"}
	genTitle  = []string{"Head of Purchasing", "Geschäftsführer", "Sales Manager", "Buyer", "CTO", "Directora Comercial", "Office Manager"}
	genCity   = []string{"München", "Madrid", "Kraków", "Lyon", "København", "İzmir", "Berlin", "Zürich", "Wien", "Porto"}
	genStreet = []string{"Hauptstraße", "Calle Mayor", "ul. Floriańska", "Rue de la Paix", "Nørregade", "Bahnhofstr.", "Main Street"}
	genCtry   = []string{"Deutschland", "España", "Polska", "France", "Danmark", "Türkiye", "Schweiz", "Österreich", "Portugal"}
	genTags   = []string{"Kunde", "VIP", "Lieferant", "Messe 2024", "A-Kunde", "Prospect", "Newsletter"}
	genNotes  = []string{
		"Prefers calls in the morning; orders quarterly.",
		"Met at the trade fair in Hannover, interested in the new catalogue, send samples.",
		"Zahlt per Überweisung, Skonto 2 %.\nAnsprechpartner für Reklamationen.",
		"Décideur final pour les commandes > 10 000 €, aime le café.",
		"Birthday card every year. Loves football, supports the local club, has two kids.",
	}
)

// GenerateTestCards writes n realistic, pseudo-random cards of the given
// version ("2.1", "3.0" or "4.0") to w; the same seed gives the same
// output. Each card has 15 properties besides BEGIN and END (VERSION, UID,
// FN, N, ORG, TITLE, two EMAIL, two TEL, ADR, BDAY, URL, NOTE, CATEGORIES;
// in 3.0 and 4.0 one card in ten adds an X-ABLabel for a labelled e-mail),
// many with non-ASCII text; 2.1 cards are written like Android does,
// quoted-printable UTF-8 with soft line breaks and bare parameters.
// It is meant for benchmarks and tests of the importer.
func GenerateTestCards(w io.Writer, n int, version string, seed int64) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	var enc *Encoder
	if version != "2.1" {
		var err error
		if enc, err = NewEncoder(bw, version); err != nil {
			return fmt.Errorf("generate test cards: %w", err)
		}
	}
	var buf []byte
	for i := range n {
		c := randomCard(rng, i)
		if enc != nil {
			if err := enc.Encode(&c); err != nil {
				return fmt.Errorf("generate test cards: %w", err)
			}
			continue
		}
		buf = appendCard21(buf[:0], &c)
		if _, err := bw.Write(buf); err != nil {
			return fmt.Errorf("generate test cards: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("generate test cards: %w", err)
	}
	return nil
}

func pick(rng *rand.Rand, list []string) string { return list[rng.IntN(len(list))] }

func randomCard(rng *rand.Rand, i int) Card {
	given, family := pick(rng, genGiven), pick(rng, genFamily)
	company := pick(rng, genCompany)
	login := hostLabel(asciiFold(given))[:1] + "." + hostLabel(asciiFold(family))
	domain := hostLabel(asciiFold(company)) + ".example"
	bday := fmt.Sprintf("%04d-%02d-%02d", 1950+rng.IntN(55), 1+rng.IntN(12), 1+rng.IntN(28))
	if rng.IntN(5) == 0 {
		bday = "--" + bday[5:]
	}
	c := Card{
		UID:        fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", rng.Uint32(), i&0xffff, rng.IntN(0x1000), rng.IntN(0x1000), rng.Uint64()&0xffffffffffff),
		FullName:   given + " " + family,
		GivenName:  given,
		FamilyName: family,
		Org:        company,
		Department: pick(rng, genDept),
		Title:      pick(rng, genTitle),
		// Every card is another person: its e-mail addresses and phone
		// numbers are its own (a card's number i picks them), so that an
		// import of n cards creates n contacts instead of merging the cards
		// that drew the same address or number.
		Emails: []Email{
			{Address: fmt.Sprintf("%s%d@%s", login, i, domain), Type: TypeWork, Primary: true},
			{Address: fmt.Sprintf("%s.%d@mail.example", login, i), Type: TypeHome},
		},
		Phones: []Phone{
			{Number: fmt.Sprintf("+49 89 %07d", distinctNumber(i, 7_919, 1_234_567)), Type: TypeWork, Primary: true},
			{Number: fmt.Sprintf("+49 17%d %07d", rng.IntN(10), distinctNumber(i, 104_729, 7_654_321)), Type: TypeMobile},
		},
		Addresses: []Address{{
			Type:       TypeWork,
			Street:     fmt.Sprintf("%s %d", pick(rng, genStreet), 1+rng.IntN(200)),
			PostalCode: fmt.Sprintf("%05d", rng.IntN(100_000)),
			City:       pick(rng, genCity),
			Country:    pick(rng, genCtry),
		}},
		Birthday: bday,
		Website:  "https://www." + domain + "/",
		Notes:    pick(rng, genNotes),
		Tags:     []string{pick(rng, genTags)},
	}
	if rng.IntN(10) == 0 {
		c.Emails[1].Label = "Golf Club"
		c.Emails[1].Type = TypeOther
	}
	if t := pick(rng, genTags); t != c.Tags[0] {
		c.Tags = append(c.Tags, t)
	}
	return c
}

// distinctNumber maps card number i (< 10,000,000) to a seven-digit number
// that no other card number maps to: step is prime to 10,000,000, so i*step
// runs through every residue once.
func distinctNumber(i, step, start int) int { return (i*step + start) % 10_000_000 }

// hostLabel makes s (ASCII-folded) a lowercase DNS label: letters and digits,
// other runs (spaces, commas, dots, apostrophes) as one hyphen, none at the
// ends; "Globex, Inc." becomes "globex-inc".
func hostLabel(s string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			hyphen = false
			continue
		}
		hyphen = true
	}
	return b.String()
}

// asciiFold maps the accented letters of the pools to ASCII for e-mail
// addresses.
var asciiFolder = strings.NewReplacer("ü", "ue", "ö", "oe", "ä", "ae", "Ü", "Ue", "Ö", "Oe", "Ä", "Ae", "ß", "ss", "é", "e", "á", "a", "í", "i",
	"ó", "o", "Ó", "O", "ø", "o", "Ø", "O", "ł", "l", "Ł", "L", "ż", "z", "Ż", "Z", "ş", "s", "ı", "i", "ë", "e", "İ", "I", "ñ", "n", "ń", "n")

func asciiFold(s string) string { return asciiFolder.Replace(s) }

// appendCard21 writes c the way Android writes vCard 2.1.
func appendCard21(b []byte, c *Card) []byte {
	b = append(b, "BEGIN:VCARD\r\nVERSION:2.1\r\n"...)
	b = appendProp21(b, "UID", c.UID)
	b = appendProp21(b, "N", esc21(c.FamilyName)+";"+esc21(c.GivenName)+";;;")
	b = appendProp21(b, "FN", esc21(c.FullName))
	b = appendProp21(b, "ORG", joinNonEmpty(";", esc21(c.Org), esc21(c.Department)))
	b = appendProp21(b, "TITLE", esc21(c.Title))
	for _, e := range c.Emails {
		name := "EMAIL;INTERNET"
		switch e.Type {
		case TypeWork:
			name += ";WORK"
		case TypeHome:
			name += ";HOME"
		}
		if e.Primary {
			name += ";PREF"
		}
		b = appendProp21(b, name, e.Address)
	}
	for _, p := range c.Phones {
		name := "TEL;VOICE"
		switch p.Type {
		case TypeMobile:
			name = "TEL;CELL"
		case TypeWork:
			name = "TEL;WORK;VOICE"
		case TypeHome:
			name = "TEL;HOME;VOICE"
		}
		if p.Primary {
			name += ";PREF"
		}
		b = appendProp21(b, name, p.Number)
	}
	for _, a := range c.Addresses {
		b = appendProp21(b, "ADR;WORK", ";;"+esc21(a.Street)+";"+esc21(a.City)+";"+esc21(a.Region)+";"+esc21(a.PostalCode)+";"+esc21(a.Country))
	}
	if md, ok := strings.CutPrefix(c.Birthday, "--"); ok {
		b = appendProp21(b, "BDAY", "--"+strings.ReplaceAll(md, "-", ""))
	} else {
		b = appendProp21(b, "BDAY", strings.ReplaceAll(c.Birthday, "-", ""))
	}
	b = appendProp21(b, "URL", c.Website)
	b = appendProp21(b, "NOTE", esc21(c.Notes))
	b = appendProp21(b, "CATEGORIES", strings.Join(c.Tags, ","))
	return append(b, "END:VCARD\r\n"...)
}

func esc21(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), ";", `\;`) }

// appendProp21 writes a 2.1 property, as quoted-printable UTF-8 with soft
// line breaks at 76 columns when the value is not plain ASCII.
func appendProp21(b []byte, name, value string) []byte {
	plain := true
	for i := 0; i < len(value); i++ {
		if value[i] >= 0x80 || value[i] < 0x20 {
			plain = false
			break
		}
	}
	if plain {
		b = append(b, name...)
		b = append(b, ':')
		b = append(b, value...)
		return append(b, "\r\n"...)
	}
	b = append(b, name...)
	b = append(b, ";CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:"...)
	col := len(name) + len(";CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:")
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(value); i++ {
		var chunk [3]byte
		n := 1
		c := value[i]
		if c == '\n' {
			chunk, n = [3]byte{'=', '0', 'D'}, 3
			b = append(b, chunk[:n]...)
			col += n
			chunk = [3]byte{'=', '0', 'A'}
		} else if c >= 0x80 || c < 0x20 || c == '=' {
			chunk, n = [3]byte{'=', hexDigits[c>>4], hexDigits[c&15]}, 3
		} else {
			chunk[0] = c
		}
		if col+n > 75 {
			b = append(b, "=\r\n"...)
			col = 0
		}
		b = append(b, chunk[:n]...)
		col += n
	}
	return append(b, "\r\n"...)
}
