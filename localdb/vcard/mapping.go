package vcard

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// mapCard parses the collected lines of the current card and maps them to a
// Card.
func (r *Reader) mapCard(begin int) (*Card, error) {
	r.props = r.props[:0]
	for _, sp := range r.spans {
		p, err := parseProperty(r.buf[sp.start:sp.end], sp.line)
		if err != nil {
			return nil, r.cardError(begin, sp.line, "%v", err)
		}
		r.props = append(r.props, p)
	}
	d := r.dec
	d.version = '3'
	r.labels = r.labels[:0]
	var nEmail, nTel, nAdr int
	for i := range r.props {
		p := &r.props[i]
		switch p.kind {
		case propEmail:
			nEmail++
		case propTel:
			nTel++
		case propAdr:
			nAdr++
		case propVersion:
			if v := bytes.TrimSpace(p.value); len(v) > 0 {
				d.version = v[0]
			}
		}
	}
	// Labels are decoded once the version (and so the charset fallback) is
	// known, before the properties they label.
	for i := range r.props {
		p := &r.props[i]
		if p.kind != propLabel || len(p.group) == 0 {
			continue
		}
		v, err := d.raw(p)
		if err != nil {
			return nil, r.cardError(begin, p.line, "%s: %v", p.name, err)
		}
		r.labels = append(r.labels, groupLabel{group: p.group, label: d.text(v, false)})
	}

	d.fallback = false // a label's fallback is not worth a warning of its own
	c := &Card{Number: r.cardNo, Line: begin}
	if nEmail > 0 {
		c.Emails = make([]Email, 0, nEmail)
	}
	if nTel > 0 {
		c.Phones = make([]Phone, 0, nTel)
	}
	if nAdr > 0 {
		c.Addresses = make([]Address, 0, nAdr)
	}
	m := cardMapper{r: r, c: c}
	for i := range r.props {
		p := &r.props[i]
		if p.kind == propOther || p.kind == propVersion || p.kind == propLabel || p.kind == propAgent {
			continue
		}
		if err := m.add(p); err != nil {
			return nil, r.cardError(begin, p.line, "%s: %v", p.name, err)
		}
	}
	m.finish()
	if c.FullName == "" {
		return nil, r.cardError(begin, begin, "card has no name, organization, e-mail address or phone number")
	}
	return c, nil
}

// cardMapper accumulates one card's properties.
type cardMapper struct {
	r          *Reader
	c          *Card
	haveN      bool
	haveOrg    bool
	havePhoto  bool
	haveBday   bool
	middleName string
	notes      []string
	urlRank    int
	emailRanks []int
	phoneRanks []int
}

// rank orders preferred properties: lower is more preferred, 0 means not
// marked at all. 2.1 bare PREF and 3.0 TYPE=pref count as PREF=1.
func rank(p *property) int {
	if p.pref > 0 {
		return p.pref
	}
	if p.types&typePref != 0 {
		return 1
	}
	return 0
}

func (m *cardMapper) label(p *property) string {
	if len(p.group) == 0 {
		return ""
	}
	for _, gl := range m.r.labels {
		if bytes.EqualFold(gl.group, p.group) {
			return gl.label
		}
	}
	return ""
}

func (m *cardMapper) add(p *property) error {
	d := m.r.dec
	c := m.c
	raw, err := d.raw(p)
	if err != nil {
		return err
	}
	if d.fallback {
		d.fallback = false
		m.warn(p, "%s is not UTF-8 and has no CHARSET; read as Windows-1252", p.name)
	}
	switch p.kind {
	case propFN:
		if c.FullName == "" {
			c.FullName = d.text(raw, false)
		}
	case propN:
		if m.haveN {
			return nil
		}
		m.haveN = true
		var n [5]string
		for i, part := range d.split(raw, ';', len(n)) {
			n[i] = d.text(part, true)
		}
		c.FamilyName, c.GivenName, c.Prefix, c.Suffix = n[0], n[1], n[3], n[4]
		m.middleName = n[2] // Card has no field for it; it goes into a derived FullName
	case propOrg:
		if m.haveOrg {
			return nil
		}
		parts := d.split(raw, ';', -1)
		org := d.text(parts[0], false)
		var dept []string
		for _, part := range parts[1:] {
			if t := d.text(part, false); t != "" {
				dept = append(dept, t)
			}
		}
		if org != "" || len(dept) > 0 {
			m.haveOrg = true
			c.Org, c.Department = org, strings.Join(dept, ", ")
		}
	case propTitle:
		if c.Title == "" {
			c.Title = d.text(raw, false)
		}
	case propRole:
		if c.Role == "" {
			c.Role = d.text(raw, false)
		}
	case propEmail:
		addr := d.text(raw, false)
		if p.uri || hasPrefixFold(addr, "mailto:") {
			addr = strings.TrimSpace(addr[strings.IndexByte(addr, ':')+1:])
		}
		if addr == "" {
			return nil
		}
		typ, label := m.typeAndLabel(p, emailType)
		c.Emails = append(c.Emails, Email{Address: addr, Type: typ, Label: label})
		m.emailRanks = append(m.emailRanks, rank(p))
	case propTel:
		num := d.text(raw, false)
		if p.uri && hasPrefixFold(num, "tel:") {
			num = strings.TrimSpace(strings.Replace(num[4:], ";ext=", " ext. ", 1))
		}
		if num == "" {
			return nil
		}
		typ, label := m.typeAndLabel(p, phoneType)
		c.Phones = append(c.Phones, Phone{Number: num, Type: typ, Label: label})
		m.phoneRanks = append(m.phoneRanks, rank(p))
	case propAdr:
		var a [7]string
		for i, part := range d.split(raw, ';', len(a)) {
			a[i] = d.text(part, false)
		}
		street := joinNonEmpty("\n", a[2], a[1], a[0])
		if street == "" && a[3] == "" && a[4] == "" && a[5] == "" && a[6] == "" {
			return nil
		}
		typ, label := m.typeAndLabel(p, addressType)
		c.Addresses = append(c.Addresses, Address{
			Type: typ, Label: label, Street: street,
			City: a[3], Region: a[4], PostalCode: a[5], Country: a[6],
		})
	case propBday:
		if m.haveBday {
			return nil
		}
		v := d.text(raw, false)
		if bd, ok := parseBirthday(v, p.omitYr); ok {
			c.Birthday = bd
			m.haveBday = true
		} else if v != "" {
			m.warn(p, "BDAY %q is not a full date; ignored", v)
		}
	case propNote:
		if t := d.text(raw, false); t != "" {
			m.notes = append(m.notes, t)
		}
	case propURL:
		u := sanitizeURI(d.text(raw, false))
		if u == "" {
			return nil
		}
		rk := rank(p)
		if c.Website == "" || rk > 0 && (m.urlRank == 0 || rk < m.urlRank) {
			c.Website, m.urlRank = u, rk
		}
	case propUID:
		if c.UID == "" {
			c.UID = d.text(raw, false)
		}
	case propCategories:
		for _, part := range d.split(raw, ',', -1) {
			t := d.text(part, false)
			if t != "" && !containsFold(c.Tags, t) && !strings.EqualFold(t, "myContacts") {
				c.Tags = append(c.Tags, t)
			}
		}
	case propPhoto:
		if !m.havePhoto {
			return m.photo(p, raw)
		}
	}
	return nil
}

func (m *cardMapper) warn(p *property, format string, args ...any) {
	m.c.Warnings = append(m.c.Warnings, fmt.Sprintf("line %d: ", p.line)+fmt.Sprintf(format, args...))
}

// finish applies what needs all properties: the preferred entries, notes
// and the name fallbacks.
func (m *cardMapper) finish() {
	c := m.c
	// Lists preallocated for properties that turned out empty stay nil.
	if len(c.Emails) == 0 {
		c.Emails = nil
	}
	if len(c.Phones) == 0 {
		c.Phones = nil
	}
	if len(c.Addresses) == 0 {
		c.Addresses = nil
	}
	markPrimary(m.emailRanks, func(i int) { c.Emails[i].Primary = true })
	markPrimary(m.phoneRanks, func(i int) { c.Phones[i].Primary = true })
	c.Notes = strings.Join(m.notes, "\n\n")
	if c.FullName == "" {
		c.FullName = joinNonEmpty(" ", c.Prefix, c.GivenName, m.middleName, c.FamilyName, c.Suffix)
	}
	if c.FullName == "" {
		c.FullName = c.Org
	}
	if c.FullName == "" && len(c.Emails) > 0 {
		c.FullName = c.Emails[0].Address
	}
	if c.FullName == "" && len(c.Phones) > 0 {
		c.FullName = c.Phones[0].Number
	}
}

// markPrimary marks the entry with the lowest non-zero rank (the first of
// equals).
func markPrimary(ranks []int, mark func(int)) {
	best, bestRank := -1, 0
	for i, rk := range ranks {
		if rk > 0 && (best < 0 || rk < bestRank) {
			best, bestRank = i, rk
		}
	}
	if best >= 0 {
		mark(best)
	}
}

// typeAndLabel returns the normalised type of p from its TYPE parameters,
// or from the Apple standard label of its group when that label names a
// type that fits (fax and mobile only fit phones); any other label is kept
// as a custom label.
func (m *cardMapper) typeAndLabel(p *property, fromBits func(uint16) string) (typ, label string) {
	typ = fromBits(p.types)
	label = m.label(p)
	for {
		std, ok := appleLabel(label)
		if !ok {
			return typ, label
		}
		std = strings.TrimSpace(std)
		t, known := appleLabelTypes[strings.ToLower(std)]
		if known && (p.kind == propTel || t == TypeWork || t == TypeHome || t == TypeOther) {
			return t, ""
		}
		label = std
	}
}

// appleLabel unwraps Apple's "_$!<Mobile>!$_" form of a standard label.
func appleLabel(s string) (string, bool) {
	if strings.HasPrefix(s, "_$!<") && strings.HasSuffix(s, ">!$_") && len(s) >= 8 {
		return s[4 : len(s)-4], true
	}
	return s, false
}

var appleLabelTypes = map[string]string{
	"work": TypeWork, "home": TypeHome, "other": TypeOther, "main": TypeWork,
	"mobile": TypeMobile, "iphone": TypeMobile,
	"homefax": TypeFax, "workfax": TypeFax, "otherfax": TypeFax,
}

func phoneType(t uint16) string {
	switch {
	case t&typeFax != 0:
		return TypeFax
	case t&typeCell != 0:
		return TypeMobile
	case t&typeWork != 0:
		return TypeWork
	case t&typeHome != 0:
		return TypeHome
	}
	return TypeOther
}

func emailType(t uint16) string {
	switch {
	case t&typeWork != 0:
		return TypeWork
	case t&typeHome != 0:
		return TypeHome
	}
	return TypeOther
}

func addressType(t uint16) string { return emailType(t) }

// photo takes an inline (base64 or data: URI) or linked photo.
func (m *cardMapper) photo(p *property, raw []byte) error {
	c := m.c
	mediaType := photoMediaType(p)
	data := raw
	inline := p.enc == encBase64
	if !inline && hasPrefixFold(string(bytes.TrimSpace(raw[:min(len(raw), 16)])), "data:") {
		// RFC 2397 data URI (4.0): data:[<mediatype>][;base64],<data>
		v := bytes.TrimSpace(raw)
		comma := bytes.IndexByte(v, ',')
		if comma < 0 {
			return fmt.Errorf("data URI without ','")
		}
		meta := string(v[len("data:"):comma])
		data = v[comma+1:]
		if mt, _, _ := strings.Cut(meta, ";"); mt != "" {
			mediaType = normalizeMediaType(mt)
		}
		if !strings.HasSuffix(strings.ToLower(meta), ";base64") {
			dec, err := url.PathUnescape(string(data))
			if err != nil {
				return fmt.Errorf("data URI: %v", err)
			}
			data = []byte(dec)
			return m.setPhoto(p, data, mediaType)
		}
		inline = true
	}
	if !inline {
		uri := sanitizeURI(m.r.dec.text(raw, false))
		if uri == "" {
			return nil
		}
		if !p.uri && !looksLikeURI(uri) {
			m.warn(p, "PHOTO is neither inline data nor a link; ignored")
			return nil
		}
		c.PhotoURI = uri
		m.havePhoto = true
		return nil
	}
	clean := stripSpace(data)
	if size := len(bytes.TrimRight(clean, "=")) * 3 / 4; size > m.r.cfg.maxPhotoSize {
		m.photoTooLarge(p, size)
		return nil
	}
	img, err := decodeBase64(clean)
	if err != nil {
		return err
	}
	return m.setPhoto(p, img, mediaType)
}

// photoTooLarge warns in KiB, rounded up, so that a photo just over the
// limit does not read as being at the limit.
func (m *cardMapper) photoTooLarge(p *property, size int) {
	m.warn(p, "PHOTO of %d KiB is larger than the limit of %d KiB; skipped", (size+1023)/1024, (m.r.cfg.maxPhotoSize+1023)/1024)
}

func (m *cardMapper) setPhoto(p *property, img []byte, mediaType string) error {
	if len(img) == 0 {
		return nil
	}
	if len(img) > m.r.cfg.maxPhotoSize {
		m.photoTooLarge(p, len(img))
		return nil
	}
	if mediaType == "" {
		if sniffed := http.DetectContentType(img); strings.HasPrefix(sniffed, "image/") {
			mediaType = sniffed
		}
	}
	m.c.Photo, m.c.PhotoType = img, mediaType
	m.havePhoto = true
	return nil
}

// photoMediaType derives the media type from MEDIATYPE (4.0) or TYPE
// (2.1/3.0: JPEG, PNG, GIF, or a full media type).
func photoMediaType(p *property) string {
	if len(p.media) > 0 {
		return normalizeMediaType(string(p.media))
	}
	return normalizeMediaType(string(p.typeVal))
}

// normalizeMediaType lower-cases a media type and completes a bare subtype
// ("JPEG") to an image type. Anything that is not a plain token (RFC 6838)
// yields "", so that the type is sniffed from the data instead.
func normalizeMediaType(t string) string {
	t = strings.ToLower(strings.TrimSpace(t))
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&-^_.+/", c) >= 0) {
			return ""
		}
	}
	switch {
	case t == "" || strings.Count(t, "/") > 1 || t[0] == '/' || t[len(t)-1] == '/':
		return ""
	case strings.ContainsRune(t, '/'):
		return t
	case t == "jpg":
		return "image/jpeg"
	}
	return "image/" + t
}

func looksLikeURI(s string) bool {
	i := strings.IndexByte(s, ':')
	if i <= 0 {
		return false
	}
	for j, r := range s[:i] {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || j > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.')) {
			return false
		}
	}
	return true
}

// parseBirthday accepts 19850312, 1985-03-12, --0312, --03-12 and the same
// followed by a time, and Apple's X-APPLE-OMIT-YEAR convention. It returns
// "YYYY-MM-DD" or "--MM-DD".
func parseBirthday(v string, omitYear []byte) (string, bool) {
	if i := strings.IndexAny(v, "Tt"); i >= 0 {
		v = v[:i]
	}
	v = strings.TrimSpace(v)
	year := ""
	switch {
	case strings.HasPrefix(v, "--"):
		v = v[2:]
	case len(v) == 8:
		year, v = v[:4], v[4:]
	case len(v) == 10 && v[4] == '-':
		year, v = v[:4], v[5:]
	default:
		return "", false
	}
	var month, day string
	switch {
	case len(v) == 4:
		month, day = v[:2], v[2:]
	case len(v) == 5 && v[2] == '-':
		month, day = v[:2], v[3:]
	default:
		return "", false
	}
	mo, err1 := strconv.Atoi(month)
	dd, err2 := strconv.Atoi(day)
	if err1 != nil || err2 != nil || !allDigits(month) || !allDigits(day) || mo < 1 || mo > 12 || dd < 1 {
		return "", false
	}
	if year != "" && len(omitYear) > 0 && year == string(omitYear) {
		year = ""
	}
	if year == "" {
		// 2000 is a leap year, so 29 February stays valid without a year.
		if dd > time.Date(2000, time.Month(mo)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
			return "", false
		}
		return "--" + month + "-" + day, true
	}
	y, err := strconv.Atoi(year)
	if err != nil || !allDigits(year) || y < 1 {
		return "", false
	}
	if dd > time.Date(y, time.Month(mo)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return "", false
	}
	return year + "-" + month + "-" + day, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func containsFold(list []string, s string) bool {
	for _, t := range list {
		if strings.EqualFold(t, s) {
			return true
		}
	}
	return false
}

func joinNonEmpty(sep string, parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(p)
	}
	return b.String()
}
