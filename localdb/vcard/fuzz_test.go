package vcard_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"unicode/utf8"

	"repdesk/localdb/vcard"
)

// FuzzReader reads arbitrary input and checks that the reader ends, that
// every error is one of the documented kinds, that cards hold valid UTF-8,
// and that writing a card and reading it back gives the same card.
func FuzzReader(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.vcf"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("BEGIN:VCARD\rFN:x\rEND:VCARD"))
	f.Add([]byte("\xef\xbb\xbfBEGIN:VCARD\nN;CHARSET=SHIFT_JIS:\x95\x5c;\x83\x5c\nEND:VCARD\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		opts := []vcard.Option{vcard.WithMaxCardSize(64 << 10), vcard.WithMaxLineLength(16 << 10), vcard.WithMaxPhotoSize(8 << 10)}
		rd := vcard.NewReader(bytes.NewReader(data), opts...)
		// Every call consumes at least one line, so this bounds the loop.
		for range len(data) + 2 {
			c, err := rd.Next()
			if errors.Is(err, io.EOF) || errors.Is(err, vcard.ErrNotVCard) {
				return
			}
			var ce *vcard.CardError
			if errors.As(err, &ce) {
				if ce.Card < 1 || ce.BeginLine < 1 || ce.Line < ce.BeginLine {
					t.Fatalf("card error with bad position: %+v", ce)
				}
				continue
			}
			if err != nil {
				t.Fatalf("unexpected error kind: %v", err)
			}
			checkCard(t, c)
			for _, version := range []string{"3.0", "4.0"} {
				roundTrip(t, *c, version, opts)
			}
		}
		t.Fatalf("reader did not end")
	})
}

func checkCard(t *testing.T, c *vcard.Card) {
	t.Helper()
	if c.FullName == "" {
		t.Fatalf("card %d without a name", c.Number)
	}
	strs := []string{c.UID, c.FullName, c.GivenName, c.FamilyName, c.Prefix, c.Suffix, c.Org, c.Department,
		c.Title, c.Role, c.Birthday, c.Website, c.Notes, c.PhotoType, c.PhotoURI}
	strs = append(strs, c.Tags...)
	for _, e := range c.Emails {
		strs = append(strs, e.Address, e.Label)
	}
	for _, p := range c.Phones {
		strs = append(strs, p.Number, p.Label)
	}
	for _, a := range c.Addresses {
		strs = append(strs, a.Street, a.City, a.Region, a.PostalCode, a.Country, a.Label)
	}
	for _, s := range strs {
		if !utf8.ValidString(s) {
			t.Fatalf("invalid UTF-8 in card %d: %q", c.Number, s)
		}
	}
}

func roundTrip(t *testing.T, c vcard.Card, version string, opts []vcard.Option) {
	t.Helper()
	var buf bytes.Buffer
	if err := vcard.Write(&buf, []vcard.Card{c}, version); err != nil {
		t.Fatalf("write %s: %v", version, err)
	}
	back, err := vcard.NewReader(&buf, opts...).Next()
	if err != nil {
		t.Fatalf("read back %s: %v\n%s", version, err, buf.String())
	}
	back.Number, back.Line = c.Number, c.Line
	c.Warnings = nil
	if back.Warnings != nil {
		t.Fatalf("warnings reading back %s: %v", version, back.Warnings)
	}
	if !reflect.DeepEqual(c, *back) {
		t.Fatalf("round trip %s changed the card\nwant %+v\ngot  %+v\n%s", version, c, *back, buf.String())
	}
}
