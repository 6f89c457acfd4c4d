package vcard

import (
	"bytes"
	"fmt"
	"strconv"

	govcard "github.com/emersion/go-vcard"
)

// propKind identifies the properties the mapping uses; all others are
// parsed (so that broken lines are found) and then ignored.
type propKind uint8

const (
	propOther propKind = iota
	propVersion
	propFN
	propN
	propOrg
	propTitle
	propRole
	propEmail
	propTel
	propAdr
	propBday
	propNote
	propURL
	propUID
	propCategories
	propPhoto
	propLabel // X-ABLabel (Apple, Google): label of the grouped property
	propAgent // 2.1 AGENT, whose value may be a whole embedded vCard
)

var propKinds = map[string]propKind{
	govcard.FieldVersion:       propVersion,
	govcard.FieldFormattedName: propFN,
	govcard.FieldName:          propN,
	govcard.FieldOrganization:  propOrg,
	govcard.FieldTitle:         propTitle,
	govcard.FieldRole:          propRole,
	govcard.FieldEmail:         propEmail,
	govcard.FieldTelephone:     propTel,
	govcard.FieldAddress:       propAdr,
	govcard.FieldBirthday:      propBday,
	govcard.FieldNote:          propNote,
	govcard.FieldURL:           propURL,
	govcard.FieldUID:           propUID,
	govcard.FieldCategories:    propCategories,
	govcard.FieldPhoto:         propPhoto,
	"X-ABLABEL":                propLabel,
	"AGENT":                    propAgent,
}

// Bits for the TYPE values that matter to the mapping.
const (
	typeWork uint16 = 1 << iota
	typeHome
	typeCell
	typeFax
	typePref
	typeVoice
	typeOtherKnown // "other", "internet", "x400" …: known, but no bit of their own
)

var typeBits = map[string]uint16{
	"WORK": typeWork, "HOME": typeHome,
	"CELL": typeCell, "MOBILE": typeCell, "IPHONE": typeCell,
	"FAX": typeFax, "PREF": typePref, "VOICE": typeVoice,
	"OTHER": typeOtherKnown, "INTERNET": typeOtherKnown, "X400": typeOtherKnown,
	"MSG": typeOtherKnown, "TEXT": typeOtherKnown, "MAIN": typeOtherKnown,
	"POSTAL": typeOtherKnown, "PARCEL": typeOtherKnown, "DOM": typeOtherKnown, "INTL": typeOtherKnown,
}

type encodingKind uint8

const (
	encNone encodingKind = iota
	encQP
	encBase64
)

// property is one parsed content line. Its byte slices point into the
// reader's per-card buffer.
type property struct {
	kind    propKind
	line    int
	name    []byte // upper-case
	group   []byte
	value   []byte // raw: still folded-free but quoted-printable/charset/escapes intact
	enc     encodingKind
	charset []byte
	types   uint16
	typeVal []byte // first TYPE value without a bit (e.g. JPEG for PHOTO)
	pref    int    // PREF=n (4.0); 0 when absent
	uri     bool   // VALUE=uri or VALUE=url
	media   []byte // MEDIATYPE (4.0)
	omitYr  []byte // X-APPLE-OMIT-YEAR
}

// nameChar reports whether c may appear in a property, group or parameter name.
func nameChar(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// upperASCII upper-cases b in place and returns it.
func upperASCII(b []byte) []byte {
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return b
}

// parseProperty splits a logical (unfolded) line into group, name,
// parameters and raw value. It upper-cases names in place.
func parseProperty(b []byte, line int) (property, error) {
	p := property{line: line}
	b = trimBlankLeft(b)
	i := 0
	for i < len(b) && nameChar(b[i]) {
		i++
	}
	if i < len(b) && b[i] == '.' {
		p.group = b[:i]
		b = b[i+1:]
		i = 0
		for i < len(b) && nameChar(b[i]) {
			i++
		}
	}
	if i == 0 || i == len(b) || b[i] != ':' && b[i] != ';' && b[i] != ' ' && b[i] != '\t' {
		return p, brokenLine(b)
	}
	rest := trimBlankLeft(b[i:])
	if len(rest) == 0 || rest[0] != ':' && rest[0] != ';' {
		return p, brokenLine(b)
	}
	p.name = upperASCII(b[:i])
	p.kind = propKinds[string(p.name)]
	for len(rest) > 0 && rest[0] == ';' {
		var err error
		rest, err = p.parseParam(rest[1:])
		if err != nil {
			return p, err
		}
	}
	if len(rest) == 0 || rest[0] != ':' {
		return p, brokenLine(b)
	}
	p.value = rest[1:]
	return p, nil
}

func brokenLine(b []byte) error {
	const show = 40
	s := b
	if len(s) > show {
		s = s[:show]
	}
	if bytes.IndexByte(b, ':') < 0 {
		return fmt.Errorf("broken line: no ':' between property name and value in %q", s)
	}
	return fmt.Errorf("broken line: invalid property name in %q", s)
}

// parseParam parses one parameter (after its ';') and returns the rest of
// the line, which starts with ';' or ':'.
func (p *property) parseParam(b []byte) ([]byte, error) {
	i := 0
	for i < len(b) && b[i] != '=' && b[i] != ';' && b[i] != ':' {
		i++
	}
	name := bytes.TrimSpace(b[:i])
	if i == len(b) {
		return nil, fmt.Errorf("broken line: no ':' after parameters of %s", p.name)
	}
	if b[i] != '=' {
		// vCard 2.1 bare parameter: a type, or an encoding.
		p.bareParam(name)
		return b[i:], nil
	}
	name = upperASCII(name)
	b = b[i+1:]
	for {
		var val []byte
		if len(b) > 0 && b[0] == '"' {
			end := bytes.IndexByte(b[1:], '"')
			if end < 0 {
				return nil, fmt.Errorf("broken line: unterminated quoted value of parameter %s in %s", name, p.name)
			}
			val, b = b[1:1+end], b[end+2:]
		} else {
			j := 0
			for j < len(b) && b[j] != ';' && b[j] != ':' && b[j] != ',' {
				j++
			}
			val, b = b[:j], b[j:]
		}
		p.setParam(name, val)
		if len(b) == 0 || b[0] != ',' {
			break
		}
		b = b[1:]
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("broken line: no ':' after parameters of %s", p.name)
	}
	if b[0] != ';' && b[0] != ':' {
		return nil, fmt.Errorf("broken line: unexpected %q after parameter %s of %s", b[0], name, p.name)
	}
	return b, nil
}

func (p *property) bareParam(v []byte) {
	switch {
	case bytes.EqualFold(v, []byte("QUOTED-PRINTABLE")):
		p.enc = encQP
	case bytes.EqualFold(v, []byte("BASE64")), bytes.EqualFold(v, []byte("B")):
		p.enc = encBase64
	case bytes.EqualFold(v, []byte("8BIT")), bytes.EqualFold(v, []byte("7BIT")):
	default:
		p.addType(v)
	}
}

func (p *property) setParam(name, v []byte) {
	v = bytes.TrimSpace(v)
	switch string(name) {
	case govcard.ParamType:
		for len(v) > 0 { // a quoted 4.0 list: TYPE="work,voice"
			t := v
			if i := bytes.IndexByte(v, ','); i >= 0 {
				t, v = v[:i], v[i+1:]
			} else {
				v = nil
			}
			p.addType(bytes.TrimSpace(t))
		}
	case "ENCODING":
		p.bareParam(v)
	case "CHARSET":
		p.charset = v
	case govcard.ParamPreferred:
		if n, err := strconv.Atoi(string(v)); err == nil && n > 0 {
			p.pref = n
		} else {
			p.pref = 1
		}
	case govcard.ParamValue:
		p.uri = bytes.EqualFold(v, []byte("uri")) || bytes.EqualFold(v, []byte("url"))
	case govcard.ParamMediaType:
		p.media = v
	case "X-APPLE-OMIT-YEAR":
		p.omitYr = v
	}
}

func (p *property) addType(v []byte) {
	if len(v) == 0 {
		return
	}
	var up [16]byte
	if len(v) <= len(up) {
		u := upperASCII(append(up[:0], v...))
		if bit, ok := typeBits[string(u)]; ok {
			p.types |= bit
			return
		}
	}
	if p.typeVal == nil {
		p.typeVal = v
	}
}

func trimBlankLeft(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

// isCardLine reports whether line is BEGIN:VCARD or END:VCARD (kw is
// "BEGIN" or "END"), ignoring case and surrounding blanks.
func isCardLine(line []byte, kw string) bool {
	line = bytes.TrimSpace(line)
	if len(line) != len(kw)+6 || line[len(kw)] != ':' {
		return false
	}
	return bytes.EqualFold(line[:len(kw)], []byte(kw)) && bytes.EqualFold(line[len(kw)+1:], []byte("VCARD"))
}
