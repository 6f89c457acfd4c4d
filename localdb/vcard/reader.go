package vcard

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Reader reads cards one at a time from a stream. Memory use is bounded by
// the card and line limits, whatever the size of the input. A Reader is not
// safe for concurrent use.
type Reader struct {
	cfg       config
	sc        *lineScanner
	err       error // sticky: io.EOF, ErrNotVCard or a read error
	seenBegin bool
	cardNo    int

	// The current card: its logical (unfolded) lines, one span each.
	buf   []byte
	spans []span
	props []property
	dec   *valueDecoder
	// labels maps X-ABLabel groups to their label for the current card.
	labels []groupLabel
}

type span struct{ start, end, line int }

type groupLabel struct {
	group []byte
	label string
}

// junkLineLimit bounds the lines kept outside of cards; only BEGIN:VCARD
// (a short line) matters there.
const junkLineLimit = 1024

// NewReader returns a Reader for r. It does not read from r until Next.
func NewReader(r io.Reader, opts ...Option) *Reader {
	cfg := config{maxCardSize: DefaultMaxCardSize, maxLineLength: DefaultMaxLineLength, maxPhotoSize: DefaultMaxPhotoSize}
	for _, o := range opts {
		o(&cfg)
	}
	cfg.maxCardSize = max(cfg.maxCardSize, 64)
	cfg.maxLineLength = max(cfg.maxLineLength, 64)
	cfg.maxPhotoSize = max(cfg.maxPhotoSize, 0)
	return &Reader{
		cfg: cfg,
		sc:  newLineScanner(r, max(cfg.maxLineLength, notVCardProbeSize)),
		dec: newValueDecoder(),
	}
}

// Next returns the next card. A card that cannot be read yields a
// *CardError, after which Next goes on with the following card. At the end
// of the input Next returns io.EOF; input without any BEGIN:VCARD near its
// start yields an error wrapping ErrNotVCard. Both, and read errors from
// the underlying reader, are returned again by every later call.
func (r *Reader) Next() (*Card, error) {
	if r.err != nil {
		return nil, r.err
	}
	if err := r.findBegin(); err != nil {
		r.err = err
		return nil, err
	}
	r.cardNo++
	begin := r.sc.line
	if err := r.readCard(begin); err != nil {
		return nil, err
	}
	return r.mapCard(begin)
}

// findBegin skips to the line after the next BEGIN:VCARD.
func (r *Reader) findBegin() error {
	for {
		limit := junkLineLimit
		if !r.seenBegin {
			limit = notVCardProbeSize
		}
		line, err := r.sc.next(limit)
		switch {
		case err == nil:
			if isCardLine(line, "BEGIN") {
				r.seenBegin = true
				return nil
			}
		case errors.Is(err, errLineTooLong):
			if !r.seenBegin {
				return r.notVCardProbe()
			}
		case errors.Is(err, io.EOF):
			if r.seenBegin {
				return io.EOF
			}
			if r.sc.consumed == 0 {
				return fmt.Errorf("%w: the file is empty", ErrNotVCard)
			}
			return fmt.Errorf("%w: no BEGIN:VCARD line found", ErrNotVCard)
		default:
			return fmt.Errorf("read vCard: %w", err)
		}
		if !r.seenBegin && r.sc.consumed > notVCardProbeSize {
			return r.notVCardProbe()
		}
	}
}

func (r *Reader) notVCardProbe() error {
	return fmt.Errorf("%w: no BEGIN:VCARD found in the first %d KiB", ErrNotVCard, notVCardProbeSize>>10)
}

func (r *Reader) cardError(begin, line int, format string, args ...any) *CardError {
	return &CardError{Card: r.cardNo, BeginLine: begin, Line: line, Message: fmt.Sprintf(format, args...)}
}

// readCard collects the logical lines of the card up to END:VCARD. On a
// structural error it skips the rest of the card and returns a *CardError;
// a read error of the underlying reader becomes sticky.
func (r *Reader) readCard(begin int) error {
	r.buf = r.buf[:0]
	r.spans = r.spans[:0]
	agentOpen := false // the previous line was "AGENT:" introducing an embedded card
	for {
		line, err := r.sc.next(r.cfg.maxLineLength)
		if err != nil {
			return r.readError(begin, err)
		}
		if isCardLine(line, "END") {
			return nil
		}
		if isCardLine(line, "BEGIN") {
			if agentOpen {
				if err := r.skipEmbedded(begin); err != nil {
					return err
				}
				agentOpen = false
				continue
			}
			r.sc.unread(line)
			return r.cardError(begin, r.sc.line+1, "BEGIN:VCARD before this card's END:VCARD (missing END:VCARD or a nested card); the card is skipped")
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		start, lineNo := len(r.buf), r.sc.line
		r.buf = append(r.buf, line...)
		if err := r.continuation(begin, start); err != nil {
			return err
		}
		if len(r.buf) > r.cfg.maxCardSize {
			return r.skipRest(r.cardError(begin, lineNo, "card larger than the limit of %s", sizeString(r.cfg.maxCardSize)))
		}
		r.spans = append(r.spans, span{start, len(r.buf), lineNo})
		agentOpen = isAgentIntro(r.buf[start:])
	}
}

func (r *Reader) readError(begin int, err error) error {
	switch {
	case errors.Is(err, errLineTooLong):
		return r.skipRest(r.cardError(begin, r.sc.line, "line longer than the limit of %s", sizeString(r.cfg.maxLineLength)))
	case errors.Is(err, io.EOF):
		return r.cardError(begin, begin, "missing END:VCARD: the file ends inside this card")
	default:
		r.err = fmt.Errorf("read vCard: %w", err)
		return r.err
	}
}

// continuation appends the lines that continue the logical line starting at
// start: folded lines (leading blank), quoted-printable soft line breaks
// (trailing '='), and 2.1 base64 data lines written without a leading blank.
func (r *Reader) continuation(begin, start int) error {
	for {
		c, ok := r.sc.peekByte()
		if !ok {
			return nil
		}
		cur := r.buf[start:]
		qpSoft := cur[len(cur)-1] == '=' && headHas(cur, "QUOTED-PRINTABLE")
		if !qpSoft && c != ' ' && c != '\t' && !(isB64Char(c) && headHas(cur, "BASE64")) {
			return nil
		}
		next, err := r.sc.next(r.cfg.maxLineLength)
		if err != nil {
			return r.readError(begin, err)
		}
		switch {
		case qpSoft && !isCardLine(next, "END") && !isCardLine(next, "BEGIN"):
			// The soft break's '=' goes; the next line is taken whole.
			r.buf = append(r.buf[:len(r.buf)-1], next...)
		case !qpSoft && (c == ' ' || c == '\t'):
			// A folded line: never a card boundary, even if it reads like one.
			r.buf = append(r.buf, next[1:]...)
		case !qpSoft && isB64Line(next):
			r.buf = append(r.buf, next...)
		default:
			r.sc.unread(next)
			return nil
		}
		if len(r.buf) > r.cfg.maxCardSize {
			return r.skipRest(r.cardError(begin, r.sc.line, "card larger than the limit of %s", sizeString(r.cfg.maxCardSize)))
		}
	}
}

// skipRest discards the rest of a failed card (up to its END:VCARD, or up to
// a BEGIN:VCARD, which is left for the next card) and returns cerr.
func (r *Reader) skipRest(cerr *CardError) error {
	for {
		line, err := r.sc.next(junkLineLimit)
		switch {
		case errors.Is(err, errLineTooLong):
			continue
		case errors.Is(err, io.EOF):
			return cerr
		case err != nil:
			r.err = fmt.Errorf("read vCard: %w", err)
			return cerr
		}
		if isCardLine(line, "END") {
			return cerr
		}
		if isCardLine(line, "BEGIN") {
			r.sc.unread(line)
			return cerr
		}
	}
}

// skipEmbedded skips a vCard embedded in a 2.1 AGENT property.
func (r *Reader) skipEmbedded(begin int) error {
	depth := 1
	for depth > 0 {
		line, err := r.sc.next(junkLineLimit)
		switch {
		case errors.Is(err, errLineTooLong):
			continue
		case err != nil:
			return r.readError(begin, err)
		case isCardLine(line, "BEGIN"):
			depth++
		case isCardLine(line, "END"):
			depth--
		}
	}
	return nil
}

// headHas reports whether the part of a content line before its first ':'
// contains word (upper case), ignoring case.
func headHas(line []byte, word string) bool {
	head := line
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		head = line[:i]
	}
	// Cheap rejection first: this runs for most lines of a card.
	if bytes.IndexByte(head, word[len(word)-1]) < 0 && bytes.IndexByte(head, word[len(word)-1]|0x20) < 0 {
		return false
	}
	for i := 0; i+len(word) <= len(head); i++ {
		if bytes.EqualFold(head[i:i+len(word)], []byte(word)) {
			return true
		}
	}
	return false
}

func isB64Char(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '='
}

func isB64Line(b []byte) bool {
	for _, c := range b {
		if !isB64Char(c) {
			return false
		}
	}
	return len(b) > 0
}

func isAgentIntro(line []byte) bool {
	line = bytes.TrimSpace(line)
	return len(line) >= 6 && line[len(line)-1] == ':' && bytes.EqualFold(line[:5], []byte("AGENT"))
}

func sizeString(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
