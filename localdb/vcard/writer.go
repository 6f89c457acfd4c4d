package vcard

import (
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Versions the Encoder writes.
const (
	Version30 = "3.0"
	Version40 = "4.0"
)

// maxLineOctets is the longest line RFC 2425 and RFC 6350 allow, CRLF excluded.
const maxLineOctets = 75

// Encoder writes cards as vCard 3.0 or 4.0: CRLF line ends, lines folded at
// 75 octets without splitting a UTF-8 sequence, text escaped. Each card is
// built in memory and written with a single Write, so a failed card leaves
// nothing half-written.
type Encoder struct {
	w       io.Writer
	version string
	line    []byte // the content line being built
	out     []byte // the folded card
	item    int    // counter for itemN groups of labelled properties
}

// NewEncoder returns an Encoder writing vCard version "3.0" or "4.0".
func NewEncoder(w io.Writer, version string) (*Encoder, error) {
	if version != Version30 && version != Version40 {
		return nil, fmt.Errorf("vcard: new encoder: unsupported version %q (want %q or %q)", version, Version30, Version40)
	}
	return &Encoder{w: w, version: version}, nil
}

// Write writes cards to w as vCard version "3.0" or "4.0".
func Write(w io.Writer, cards []Card, version string) error {
	enc, err := NewEncoder(w, version)
	if err != nil {
		return err
	}
	for i := range cards {
		if err := enc.Encode(&cards[i]); err != nil {
			return err
		}
	}
	return nil
}

// Encode writes one card. Number, Line and Warnings are not written, nor
// are e-mail addresses, phone numbers and tags that are empty.
func (e *Encoder) Encode(c *Card) error {
	v4 := e.version == Version40
	birthday := ""
	if c.Birthday != "" {
		bd, ok := parseBirthday(c.Birthday, nil)
		if !ok || bd != c.Birthday {
			return fmt.Errorf("vcard: encode card %q: invalid Birthday %q (want YYYY-MM-DD or --MM-DD)", c.FullName, c.Birthday)
		}
		birthday = bd
		if v4 {
			birthday = strings.ReplaceAll(bd, "-", "")
			if strings.HasPrefix(bd, "--") {
				birthday = "--" + birthday
			}
		}
	}
	fullName := c.FullName
	if fullName == "" {
		fullName = joinNonEmpty(" ", c.Prefix, c.GivenName, c.FamilyName, c.Suffix)
	}
	if fullName == "" {
		fullName = c.Org
	}
	if fullName == "" {
		return fmt.Errorf("vcard: encode card: it has no name or organization")
	}
	e.out = e.out[:0]
	e.item = 0
	e.raw("BEGIN:VCARD")
	e.raw("VERSION:" + e.version)
	if c.UID != "" {
		e.text("", "UID", "", c.UID)
	}
	e.text("", "FN", "", fullName)
	e.structured("", "N", "", c.FamilyName, c.GivenName, "", c.Prefix, c.Suffix)
	if c.Org != "" || c.Department != "" {
		if c.Department != "" {
			e.structured("", "ORG", "", c.Org, c.Department)
		} else {
			e.structured("", "ORG", "", c.Org)
		}
	}
	if c.Title != "" {
		e.text("", "TITLE", "", c.Title)
	}
	if c.Role != "" {
		e.text("", "ROLE", "", c.Role)
	}
	for _, em := range c.Emails {
		if isBlank(em.Address) {
			continue
		}
		types := ""
		if !v4 {
			types = "INTERNET"
		}
		if em.Type == TypeWork || em.Type == TypeHome {
			types = joinNonEmpty(",", types, e.typeName(em.Type))
		}
		group := e.group(em.Label)
		e.text(group, "EMAIL", e.params(types, em.Primary), em.Address)
		e.label(group, em.Label)
	}
	for _, ph := range c.Phones {
		if isBlank(ph.Number) {
			continue
		}
		group := e.group(ph.Label)
		e.text(group, "TEL", e.params(e.phoneTypes(ph.Type), ph.Primary), ph.Number)
		e.label(group, ph.Label)
	}
	for _, a := range c.Addresses {
		types := ""
		if a.Type == TypeWork || a.Type == TypeHome {
			types = e.typeName(a.Type)
		}
		group := e.group(a.Label)
		e.structured(group, "ADR", e.params(types, false), "", "", a.Street, a.City, a.Region, a.PostalCode, a.Country)
		e.label(group, a.Label)
	}
	if birthday != "" {
		e.raw("BDAY:" + birthday)
	}
	if c.Website != "" {
		e.text("", "URL", "", c.Website)
	}
	if c.Notes != "" {
		e.text("", "NOTE", "", c.Notes)
	}
	if len(c.Tags) > 0 {
		e.list("CATEGORIES", c.Tags)
	}
	switch {
	case len(c.Photo) > 0:
		e.photo(c.Photo, c.PhotoType)
	case c.PhotoURI != "":
		if v4 {
			e.raw("PHOTO:" + c.PhotoURI)
		} else {
			e.raw("PHOTO;VALUE=uri:" + c.PhotoURI)
		}
	}
	e.raw("END:VCARD")
	if _, err := e.w.Write(e.out); err != nil {
		return fmt.Errorf("vcard: encode card %q: %w", fullName, err)
	}
	return nil
}

func (e *Encoder) typeName(t string) string {
	if e.version == Version40 {
		return t
	}
	return strings.ToUpper(t)
}

func (e *Encoder) phoneTypes(t string) string {
	switch t {
	case TypeMobile:
		return e.typeName("cell")
	case TypeWork, TypeHome, TypeFax:
		return e.typeName(t)
	}
	return ""
}

// params builds ";TYPE=…" with the preference mark of the version.
func (e *Encoder) params(types string, primary bool) string {
	if primary {
		if e.version == Version40 {
			return joinNonEmpty(";", typeParam(types), "PREF=1")
		}
		types = joinNonEmpty(",", types, "PREF")
	}
	return typeParam(types)
}

func typeParam(types string) string {
	if types == "" {
		return ""
	}
	return "TYPE=" + types
}

// group returns a fresh itemN group for a labelled property.
func (e *Encoder) group(label string) string {
	if label == "" {
		return ""
	}
	e.item++
	return "item" + strconv.Itoa(e.item)
}

func (e *Encoder) label(group, label string) {
	if group != "" {
		e.text(group, "X-ABLabel", "", label)
	}
}

func (e *Encoder) start(group, name, params string) {
	e.line = e.line[:0]
	if group != "" {
		e.line = append(e.line, group...)
		e.line = append(e.line, '.')
	}
	e.line = append(e.line, name...)
	if params != "" {
		e.line = append(e.line, ';')
		e.line = append(e.line, params...)
	}
	e.line = append(e.line, ':')
}

func (e *Encoder) text(group, name, params, value string) {
	e.start(group, name, params)
	e.line = appendEscaped(e.line, value)
	e.fold()
}

func (e *Encoder) structured(group, name, params string, parts ...string) {
	e.start(group, name, params)
	for i, p := range parts {
		if i > 0 {
			e.line = append(e.line, ';')
		}
		e.line = appendEscaped(e.line, p)
	}
	e.fold()
}

func (e *Encoder) list(name string, values []string) {
	e.start("", name, "")
	first := true
	for _, v := range values {
		if isBlank(v) {
			continue
		}
		if !first {
			e.line = append(e.line, ',')
		}
		first = false
		e.line = appendEscaped(e.line, v)
	}
	e.fold()
}

func (e *Encoder) raw(line string) {
	e.line = append(e.line[:0], line...)
	e.fold()
}

func (e *Encoder) photo(img []byte, mediaType string) {
	if e.version == Version40 {
		e.start("", "PHOTO", "")
		e.line = append(e.line, "data:"+mediaType+";base64,"...)
	} else {
		params := "ENCODING=b"
		if sub, ok := strings.CutPrefix(mediaType, "image/"); ok {
			params += ";TYPE=" + strings.ToUpper(sub)
		} else if mediaType != "" {
			params += ";TYPE=" + mediaType
		}
		e.start("", "PHOTO", params)
	}
	e.line = base64.StdEncoding.AppendEncode(e.line, img)
	e.fold()
}

// appendEscaped escapes text for a content line: backslash, comma,
// semicolon and newline (a CRLF or a lone CR counts as one newline). Other
// control characters, which vCard does not allow, are dropped.
func appendEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', ',', ';':
			dst = append(dst, '\\', c)
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			dst = append(dst, '\\', 'n')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\t':
			dst = append(dst, c)
		default:
			if c < 0x20 {
				continue
			}
			dst = append(dst, c)
		}
	}
	return dst
}

// fold appends e.line to the card, folded at 75 octets with CRLF and a
// space, never inside a UTF-8 sequence.
func (e *Encoder) fold() {
	line := e.line
	limit := maxLineOctets
	for len(line) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		e.out = append(e.out, line[:cut]...)
		e.out = append(e.out, "\r\n "...)
		line = line[cut:]
		limit = maxLineOctets - 1 // the leading space counts
	}
	e.out = append(e.out, line...)
	e.out = append(e.out, "\r\n"...)
}

// isBlank reports whether s holds nothing but ASCII blanks and line breaks,
// which the reader drops.
func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isSpace(s[i]) {
			return false
		}
	}
	return true
}
