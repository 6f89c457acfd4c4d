// Package vcard reads and writes vCard files (versions 2.1, 3.0 and 4.0) and
// maps each card to a neutral Card value that the importer merges into the
// store.
//
// The vocabulary (property, parameter and type names) is that of
// github.com/emersion/go-vcard, but its Decoder is not used for reading: it
// has no quoted-printable or charset decoding, turns 2.1 bare parameters
// into empty values, splits structured values on escaped semicolons, loses
// the first card after a byte-order mark, fails on bare-CR files, merges an
// unclosed card into its neighbour and reports errors without line numbers.
// Each of those lives in its line and value parser, so Reader parses the
// lines itself, streaming, with line numbers and per-card errors.
package vcard

import (
	"errors"
	"fmt"
)

// Card is one contact as read from, or written to, a vCard.
type Card struct {
	Number int // 1-based index of the card in its file (every BEGIN:VCARD counts)
	Line   int // line on which BEGIN:VCARD stood

	UID        string
	FullName   string // FN; derived from N, ORG, e-mail or phone when FN is missing
	GivenName  string
	FamilyName string
	Prefix     string
	Suffix     string
	Org        string
	Department string // second ORG component (further components joined with ", ")
	Title      string
	Role       string

	Emails    []Email
	Phones    []Phone
	Addresses []Address

	Birthday string // "YYYY-MM-DD", or "--MM-DD" when the year is unknown
	Website  string
	Notes    string
	Tags     []string // CATEGORIES

	Photo     []byte // decoded inline photo (at most the configured limit)
	PhotoType string // media type, e.g. "image/jpeg"
	PhotoURI  string // photo given as a link instead of inline data

	Warnings []string // things that were read but dropped or guessed, with their line
}

// Email is one EMAIL property.
type Email struct {
	Address string
	Type    string // TypeWork, TypeHome or TypeOther
	Label   string // custom label (Apple/Google X-ABLabel), if any
	Primary bool
}

// Phone is one TEL property.
type Phone struct {
	Number  string
	Type    string // TypeWork, TypeMobile, TypeHome, TypeFax or TypeOther
	Label   string // custom label (Apple/Google X-ABLabel), if any
	Primary bool
}

// Address is one ADR property. Street holds the street, extended address
// and post office box components joined by newlines.
type Address struct {
	Type       string // TypeWork, TypeHome or TypeOther
	Label      string // custom label (Apple/Google X-ABLabel), if any
	Street     string
	PostalCode string
	City       string
	Region     string
	Country    string
}

// Normalised type values of Email, Phone and Address.
const (
	TypeWork   = "work"
	TypeHome   = "home"
	TypeMobile = "mobile"
	TypeFax    = "fax"
	TypeOther  = "other"
)

// ErrNotVCard is returned (wrapped, with the reason) when the input is not a
// vCard file at all.
var ErrNotVCard = errors.New("not a vCard file")

// CardError reports a card that could not be read. The reader has already
// skipped past it: calling Next again returns the following card.
type CardError struct {
	Card      int // 1-based number of the card in the file
	BeginLine int // line on which the card's BEGIN:VCARD stood
	Line      int // line on which the problem was found
	Message   string
}

func (e *CardError) Error() string {
	if e.Line == e.BeginLine {
		return fmt.Sprintf("card %d at line %d: %s", e.Card, e.BeginLine, e.Message)
	}
	return fmt.Sprintf("card %d at line %d: line %d: %s", e.Card, e.BeginLine, e.Line, e.Message)
}

// Default limits; see the With* options.
const (
	DefaultMaxCardSize   = 4 << 20
	DefaultMaxLineLength = 4 << 20
	DefaultMaxPhotoSize  = 1 << 20
	notVCardProbeSize    = 64 << 10
)

type config struct {
	maxCardSize   int
	maxLineLength int
	maxPhotoSize  int
}

// Option configures a Reader.
type Option func(*config)

// WithMaxCardSize limits the raw size of one card in bytes. A larger card is
// skipped with a CardError.
func WithMaxCardSize(n int) Option { return func(c *config) { c.maxCardSize = n } }

// WithMaxLineLength limits the length of one physical line in bytes. A card
// with a longer line is skipped with a CardError. The default equals the card
// limit because producers write an inline photo as a single line.
func WithMaxLineLength(n int) Option { return func(c *config) { c.maxLineLength = n } }

// WithMaxPhotoSize limits the decoded size of an inline photo. A larger photo
// is dropped with a warning in Card.Warnings; the card itself is kept.
func WithMaxPhotoSize(n int) Option { return func(c *config) { c.maxPhotoSize = n } }
