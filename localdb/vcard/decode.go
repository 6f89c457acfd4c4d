package vcard

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// charsetInfo is a resolved CHARSET parameter.
type charsetInfo struct {
	dec       *encoding.Decoder
	utf8      bool
	asciiSafe bool // pure ASCII input decodes to itself, so it can skip the decoder
}

// valueDecoder turns raw property values into UTF-8 text: quoted-printable
// first (it works on bytes), then the charset, then the backslash escapes,
// in that order because a Shift_JIS character may contain the byte '\'.
type valueDecoder struct {
	version  byte // '2', '3' or '4'
	charsets map[string]*charsetInfo
	cp1252   *charsetInfo
	fallback bool // the last value was 2.1 text that is not UTF-8, read as Windows-1252; the caller warns and clears it
	qpBuf    []byte
	csBuf    []byte
	textBuf  []byte
	parts    [][]byte
}

func newValueDecoder() *valueDecoder {
	return &valueDecoder{
		charsets: map[string]*charsetInfo{},
		cp1252:   newCharsetInfo(charmap.Windows1252),
	}
}

func newCharsetInfo(enc encoding.Encoding) *charsetInfo {
	ci := &charsetInfo{dec: enc.NewDecoder(), utf8: enc == unicode.UTF8}
	const probe = "\t\n !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"
	out, err := enc.NewDecoder().String(probe)
	ci.asciiSafe = err == nil && out == probe
	return ci
}

// charset resolves a CHARSET name with the WHATWG index (which also knows
// the many aliases producers use), then the IANA index.
func (d *valueDecoder) charset(name []byte) (*charsetInfo, error) {
	if ci, ok := d.charsets[string(name)]; ok {
		return ci, nil
	}
	enc, err := htmlindex.Get(string(name))
	if err != nil {
		enc, err = ianaindex.IANA.Encoding(string(name))
	}
	if err != nil || enc == nil {
		return nil, fmt.Errorf("unknown charset %q", name)
	}
	ci := newCharsetInfo(enc)
	d.charsets[string(name)] = ci
	return ci, nil
}

// raw returns the value of p as UTF-8 bytes with its backslash escapes
// still in place. The result is valid until the next call.
func (d *valueDecoder) raw(p *property) ([]byte, error) {
	v := p.value
	if p.enc == encQP {
		var err error
		if d.qpBuf, err = decodeQP(d.qpBuf[:0], v); err != nil {
			return nil, err
		}
		v = d.qpBuf
	}
	if len(p.charset) > 0 {
		ci, err := d.charset(p.charset)
		if err != nil {
			return nil, err
		}
		switch {
		case ci.utf8:
			if !utf8.Valid(v) {
				return nil, fmt.Errorf("invalid UTF-8 although CHARSET=%s", p.charset)
			}
			return v, nil
		case ci.asciiSafe && isASCII(v):
			return v, nil
		}
		return d.transcode(ci, v)
	}
	if utf8.Valid(v) {
		return v, nil
	}
	if d.version == '2' {
		// vCard 2.1 has no default charset; without CHARSET, Outlook and
		// other Windows programs write their ANSI code page.
		d.fallback = true
		return d.transcode(d.cp1252, v)
	}
	return nil, errors.New("invalid UTF-8 and no CHARSET parameter")
}

func (d *valueDecoder) transcode(ci *charsetInfo, src []byte) ([]byte, error) {
	dec := ci.dec
	dec.Reset()
	dst := d.csBuf[:0]
	if cap(dst) < 2*len(src)+16 {
		dst = make([]byte, 0, 2*len(src)+16)
	}
	for {
		n, nSrc, err := dec.Transform(dst[len(dst):cap(dst)], src, true)
		dst = dst[:len(dst)+n]
		src = src[nSrc:]
		if err == transform.ErrShortDst {
			dst = append(dst, make([]byte, cap(dst))...)[:len(dst)]
			continue
		}
		d.csBuf = dst
		if err != nil {
			return nil, fmt.Errorf("cannot decode charset: %w", err)
		}
		return dst, nil
	}
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// decodeQP decodes quoted-printable text. Soft line breaks were already
// joined by the reader; a '=' left at the very end is one more of them.
func decodeQP(dst, src []byte) ([]byte, error) {
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c != '=' {
			dst = append(dst, c)
			continue
		}
		if i+1 == len(src) {
			break
		}
		if i+2 < len(src) {
			hi, ok1 := unhex(src[i+1])
			lo, ok2 := unhex(src[i+2])
			if ok1 && ok2 {
				dst = append(dst, hi<<4|lo)
				i += 2
				continue
			}
		}
		end := min(i+3, len(src))
		return nil, fmt.Errorf("invalid quoted-printable sequence %q", src[i:end])
	}
	return dst, nil
}

// appendText unescapes vCard text (\\ \n \N \, \; \:), turns CR and CRLF
// into LF and drops other control characters. With commaToSpace, an
// unescaped comma (a list separator) becomes a space.
func appendText(dst, src []byte, commaToSpace bool) []byte {
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '\\' && i+1 < len(src):
			i++
			switch e := src[i]; e {
			case 'n', 'N':
				dst = append(dst, '\n')
			case '\\', ',', ';', ':':
				dst = append(dst, e)
			default:
				i-- // not an escape: keep the backslash
				dst = append(dst, c)
			}
		case c == ',' && commaToSpace:
			dst = append(dst, ' ')
		case c == '\r':
			if i+1 < len(src) && src[i+1] == '\n' {
				continue
			}
			dst = append(dst, '\n')
		case c < 0x20 && c != '\t' && c != '\n':
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// plainText reports whether b needs no unescaping, control filtering or
// trimming, so that it can be used as it is.
func plainText(b []byte) bool {
	if len(b) > 0 && (isSpace(b[0]) || isSpace(b[len(b)-1])) {
		return false
	}
	for _, c := range b {
		if c < 0x20 || c == '\\' {
			return false
		}
	}
	return true
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// text decodes b (UTF-8, escapes in place) to a trimmed string.
func (d *valueDecoder) text(b []byte, commaToSpace bool) string {
	if plainText(b) && !(commaToSpace && bytes.IndexByte(b, ',') >= 0) {
		return string(b)
	}
	d.textBuf = appendText(d.textBuf[:0], b, commaToSpace)
	return string(trimASCIISpace(d.textBuf))
}

// trimASCIISpace trims blanks and line breaks; unlike bytes.TrimSpace it
// leaves Unicode spaces alone, as the fast path in text does.
func trimASCIISpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// split cuts b at each unescaped sep, at most max parts (max < 0: no limit;
// the last part keeps the rest).
func (d *valueDecoder) split(b []byte, sep byte, max int) [][]byte {
	parts := d.parts[:0]
	start := 0
	for i := 0; i < len(b) && (max < 0 || len(parts) < max-1); i++ {
		switch b[i] {
		case '\\':
			i++
		case sep:
			parts = append(parts, b[start:i])
			start = i + 1
		}
	}
	parts = append(parts, b[start:])
	d.parts = parts
	return parts
}

// decodeBase64 decodes base64 data, ignoring whitespace and tolerating
// missing padding.
func decodeBase64(s []byte) ([]byte, error) {
	clean := stripSpace(s)
	clean = bytes.TrimRight(clean, "=")
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
	n, err := base64.RawStdEncoding.Decode(out, clean)
	if err != nil {
		var ce base64.CorruptInputError
		if errors.As(err, &ce) {
			return nil, fmt.Errorf("invalid base64 data at byte %d", int64(ce))
		}
		return nil, fmt.Errorf("invalid base64 data: %w", err)
	}
	return out[:n], nil
}

// stripSpace returns s without blanks and line breaks (copying only when
// there are any).
func stripSpace(s []byte) []byte {
	if !bytes.ContainsAny(s, " \t\r\n") {
		return s
	}
	out := make([]byte, 0, len(s))
	for _, c := range s {
		if !isSpace(c) {
			out = append(out, c)
		}
	}
	return out
}

// sanitizeURI removes control characters and surrounding blanks from a
// URI taken from text.
func sanitizeURI(s string) string {
	s = strings.TrimSpace(s)
	if strings.IndexFunc(s, func(r rune) bool { return r < 0x20 }) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 {
			return -1
		}
		return r
	}, s)
}
