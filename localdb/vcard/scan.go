package vcard

import (
	"bytes"
	"errors"
	"io"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// errLineTooLong is returned by lineScanner.next for a line over the limit.
// The scanner then discards the rest of that line by itself.
var errLineTooLong = errors.New("line too long")

// lineScanner splits a byte stream into physical lines ended by CRLF, LF or
// a bare CR, keeping only one line (plus read-ahead) in memory. It removes a
// UTF-8 byte-order mark and transcodes UTF-16 input (recognised by its BOM).
type lineScanner struct {
	rd       io.Reader
	buf      []byte
	r, w     int // unread data is buf[r:w]
	maxBuf   int
	eof      bool
	err      error // sticky read error other than io.EOF
	started  bool  // BOM check done
	line     int   // number of the last line returned (or reported too long)
	consumed int64 // bytes consumed so far (in the possibly transcoded stream)
	skipping bool  // discarding the rest of an over-long line

	pending     []byte // a line handed back with unread
	hasPending  bool
	pendingLine int
}

const scanBufSize = 64 << 10

func newLineScanner(rd io.Reader, maxLine int) *lineScanner {
	size := scanBufSize
	if maxLine+2 < size {
		size = maxLine + 2
	}
	return &lineScanner{rd: rd, buf: make([]byte, size), maxBuf: maxLine + 2}
}

// fill reads more data, compacting and growing the buffer as needed. It
// returns false when no new data arrived: at the end of the input, after a
// read error, or when the buffer is full at its limit.
func (s *lineScanner) fill() bool {
	if s.eof || s.err != nil {
		return false
	}
	if s.r > 0 {
		n := copy(s.buf, s.buf[s.r:s.w])
		s.r, s.w = 0, n
	}
	if s.w == len(s.buf) {
		if len(s.buf) >= s.maxBuf {
			return false
		}
		nb := make([]byte, min(2*len(s.buf), s.maxBuf))
		copy(nb, s.buf[:s.w])
		s.buf = nb
	}
	before := s.w
	s.read()
	if !s.started {
		s.started = true
		s.checkBOM()
		return s.w > s.r
	}
	return s.w > before
}

// read does one Read into the free part of the buffer, retrying a reader
// that returns no data and no error a few times.
func (s *lineScanner) read() {
	for range 100 {
		n, err := s.rd.Read(s.buf[s.w:])
		s.w += n
		if err == io.EOF {
			s.eof = true
		} else if err != nil {
			s.err = err
		}
		if n > 0 || s.eof || s.err != nil {
			return
		}
	}
	s.err = io.ErrNoProgress
}

// checkBOM drops a UTF-8 BOM and switches to transcoding on a UTF-16 BOM.
func (s *lineScanner) checkBOM() {
	for s.w-s.r < 3 && !s.eof && s.err == nil {
		s.read() // a BOM split over tiny reads
	}
	data := s.buf[s.r:s.w]
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		s.r += 3
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		rest := append([]byte(nil), data...)
		dec := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
		s.rd = transform.NewReader(io.MultiReader(bytes.NewReader(rest), s.rd), dec)
		s.r, s.w = 0, 0
		if s.err == nil {
			s.eof = false
			s.read()
		}
	}
}

// findTerminator returns the length of the line at the start of seg and of
// its terminator, or -1 if seg holds no complete line yet.
func (s *lineScanner) findTerminator(seg []byte) (lineLen, termLen int) {
	nl := bytes.IndexByte(seg, '\n')
	head := seg
	if nl >= 0 {
		head = seg[:nl]
	}
	if cr := bytes.IndexByte(head, '\r'); cr >= 0 {
		if cr+1 < len(seg) {
			if seg[cr+1] == '\n' {
				return cr, 2
			}
			return cr, 1
		}
		if s.eof || s.err != nil {
			return cr, 1
		}
		return -1, 0 // a CR at the end of the buffer: need the next byte
	}
	if nl >= 0 {
		return nl, 1
	}
	return -1, 0
}

// next returns the next physical line without its terminator. The slice is
// valid until the next call of next or peekByte. A line longer than limit
// (which must not exceed the scanner's maximum) yields errLineTooLong; the
// following call continues after that line.
func (s *lineScanner) next(limit int) ([]byte, error) {
	if s.hasPending {
		s.hasPending = false
		s.line = s.pendingLine
		return s.pending, nil
	}
	for {
		seg := s.buf[s.r:s.w]
		n, term := s.findTerminator(seg)
		if s.skipping {
			if n >= 0 {
				s.r += n + term
				s.consumed += int64(n + term)
				s.skipping = false
				continue
			}
			s.consumed += int64(len(seg))
			s.r, s.w = 0, 0
			if !s.fill() {
				s.skipping = false
				return nil, s.endErr()
			}
			continue
		}
		if n > limit || n < 0 && len(seg) > limit {
			s.line++
			s.skipping = true
			return nil, errLineTooLong
		}
		if n >= 0 {
			s.r += n + term
			s.consumed += int64(n + term)
			s.line++
			return seg[:n], nil
		}
		if !s.fill() {
			seg = s.buf[s.r:s.w]
			if len(seg) == 0 {
				return nil, s.endErr()
			}
			if !s.eof && s.err == nil { // the buffer is full at its limit
				s.line++
				s.skipping = true
				return nil, errLineTooLong
			}
			// The last line has no terminator.
			s.r = s.w
			s.consumed += int64(len(seg))
			s.line++
			return seg, nil
		}
	}
}

func (s *lineScanner) endErr() error {
	if s.err != nil {
		return s.err
	}
	return io.EOF
}

// peekByte returns the first byte of the next line without consuming it.
func (s *lineScanner) peekByte() (byte, bool) {
	if s.hasPending {
		if len(s.pending) == 0 {
			return 0, true
		}
		return s.pending[0], true
	}
	if s.skipping {
		return 0, false
	}
	for s.r == s.w {
		if !s.fill() {
			return 0, false
		}
	}
	return s.buf[s.r], true
}

// unread hands line (the last one returned by next) back, so that the next
// call of next returns it again.
func (s *lineScanner) unread(line []byte) {
	s.pending = append(s.pending[:0], line...)
	s.hasPending = true
	s.pendingLine = s.line
	s.line--
}
