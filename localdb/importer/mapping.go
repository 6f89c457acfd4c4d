package importer

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"repdesk/localdb"
	"repdesk/localdb/vcard"
)

type itemKind int

const (
	itemCard      itemKind = iota
	itemFile               // a file starts
	itemFileError          // a file could not be read (further)
)

// item is what the reader goroutine hands to the writer: a card mapped to a
// contact with its match keys, a card that could not be read, or a file event.
type item struct {
	kind     itemKind
	file     string
	card     int // number of the card in its file
	line     int // line of its BEGIN:VCARD
	err      string
	contact  *localdb.Contact
	prepared *localdb.PreparedContact // contact, ready to be created
	company  string
	keys     matchKeys
	warnings []Problem
}

// chunkSize is the number of items handed over at once: channel operations
// per card would cost more than the handing over saves.
const chunkSize = 256

// produce reads every card of files, maps it and sends it to out in chunks,
// until the end of the files or of ctx.
func (r *run) produce(ctx context.Context, files []Source, out chan<- []item) {
	chunk := make([]item, 0, chunkSize)
	send := func(it item) bool {
		chunk = append(chunk, it)
		if len(chunk) < chunkSize {
			return true
		}
		select {
		case out <- chunk:
			chunk = make([]item, 0, chunkSize)
			return true
		case <-ctx.Done():
			return false
		}
	}
	m := r.im.newMapper()
	for _, f := range files {
		if !send(item{kind: itemFile, file: f.Name}) {
			return
		}
		rd := vcard.NewReader(f.R, r.im.readerOptions()...)
		for {
			card, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			var cerr *vcard.CardError
			switch {
			case errors.As(err, &cerr):
				r.read.Add(1)
				if !send(item{kind: itemCard, file: f.Name, card: cerr.Card, line: cerr.Line, err: cerr.Message}) {
					return
				}
				continue
			case err != nil:
				if !send(item{kind: itemFileError, file: f.Name, err: err.Error()}) {
					return
				}
			}
			if err != nil {
				break
			}
			r.read.Add(1)
			it := m.mapCard(f.Name, card)
			if it.contact != nil {
				// Ready in case the card makes a new contact (see
				// localdb.PreparedContact).
				it.prepared = r.im.store.PrepareContact(it.contact)
			}
			if !send(it) {
				return
			}
		}
	}
	if len(chunk) > 0 {
		select {
		case out <- chunk:
		case <-ctx.Done():
		}
	}
}

// mapper turns cards into contacts.
type mapper struct {
	storeRegion  string
	importRegion string // differs from storeRegion, or ""
}

func (im *Importer) newMapper() *mapper {
	m := &mapper{storeRegion: im.store.Region()}
	if r := strings.ToUpper(strings.TrimSpace(im.opts.Region)); r != "" && r != m.storeRegion {
		m.importRegion = r
	}
	return m
}

// mapCard maps one card to a contact. Values the store would reject (an
// e-mail address that is not one, a phone number with letters) are dropped
// with a warning, so that one bad value does not cost the whole card.
func (m *mapper) mapCard(file string, card *vcard.Card) item {
	it := item{kind: itemCard, file: file, card: card.Number, line: card.Line}
	warn := func(line int, msg string) {
		it.warnings = append(it.warnings, Problem{File: file, Card: card.Number, Line: line, Message: msg})
	}
	for _, w := range card.Warnings {
		line, msg := card.Line, w
		if rest, ok := strings.CutPrefix(w, "line "); ok {
			if n, after, ok := strings.Cut(rest, ": "); ok {
				if l, err := strconv.Atoi(n); err == nil {
					line, msg = l, after
				}
			}
		}
		warn(line, msg)
	}
	c := &localdb.Contact{
		FullName:   tidy(card.FullName),
		GivenName:  tidy(card.GivenName),
		FamilyName: tidy(card.FamilyName),
		Prefix:     tidy(card.Prefix),
		Suffix:     tidy(card.Suffix),
		Title:      tidy(card.Title),
		Department: tidy(card.Department),
		Role:       tidy(card.Role),
		Website:    tidy(card.Website),
		Notes:      strings.TrimSpace(card.Notes),
		UID:        tidy(card.UID),
		Tags:       make([]string, 0, len(card.Tags)),
	}
	if c.FullName == "" {
		c.FullName = strings.Join(nonEmpty(c.Prefix, c.GivenName, c.FamilyName, c.Suffix), " ")
	}
	if c.FullName == "" {
		it.err = "the card has no name, organization, e-mail or phone"
		return it
	}
	for _, t := range card.Tags {
		if t = tidy(t); t != "" {
			c.Tags = append(c.Tags, t)
		}
	}
	if bd := tidy(card.Birthday); bd != "" {
		if err := localdb.ValidateBirthday(bd); err != nil {
			warn(card.Line, "birthday dropped: "+err.Error())
		} else {
			c.Birthday = bd
		}
	}
	for _, e := range card.Emails {
		addr := strings.TrimSpace(e.Address)
		if err := localdb.ValidateEmail(addr); err != nil {
			warn(card.Line, "e-mail dropped: "+err.Error())
			continue
		}
		c.Emails = append(c.Emails, localdb.Email{Address: addr, Type: untypedOther(e.Type), Primary: e.Primary})
	}
	for _, p := range card.Phones {
		num := tidy(p.Number)
		if err := localdb.CheckPhone(num); err != nil {
			warn(card.Line, "phone dropped: "+err.Error())
			continue
		}
		num = m.phoneNumber(num)
		// The store computes the E.164 form again when it writes; the phone
		// cache makes that a look-up.
		c.Phones = append(c.Phones, localdb.Phone{Number: num, Type: phoneType(p.Type), Primary: p.Primary,
			E164: localdb.NormalizePhone(num, m.storeRegion)})
	}
	for _, a := range card.Addresses {
		c.Addresses = append(c.Addresses, localdb.Address{Type: untypedOther(a.Type), Street: strings.TrimSpace(a.Street),
			PostalCode: tidy(a.PostalCode), City: tidy(a.City), Region: tidy(a.Region), Country: tidy(a.Country)})
	}
	switch {
	case len(card.Photo) > 0:
		c.Photo = dataURI(card.PhotoType, card.Photo)
	case card.PhotoURI != "":
		c.Photo = strings.TrimSpace(card.PhotoURI)
	}
	it.contact = c
	it.company = tidy(card.Org)
	it.keys = m.keys(c, it.company)
	return it
}

// phoneNumber returns the number to store: as written, unless the import
// reads numbers in another region than the store, in which case a number
// without country code is stored in international form.
func (m *mapper) phoneNumber(num string) string {
	if m.importRegion == "" || strings.HasPrefix(num, "+") {
		return num
	}
	n, err := phonenumbers.Parse(num, m.importRegion)
	if err != nil || !phonenumbers.IsPossibleNumber(n) {
		return num
	}
	return phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
}

// keys computes the match keys of a mapped card the way the store will
// normalize its contact.
func (m *mapper) keys(c *localdb.Contact, company string) matchKeys {
	k := matchKeys{uid: strings.ToLower(c.UID)}
	for _, e := range c.Emails {
		k.emails = append(k.emails, strings.ToLower(e.Address))
	}
	family := c.FamilyName
	if c.GivenName == "" && family == "" {
		_, family = localdb.SplitName(c.FullName)
	}
	for _, p := range c.Phones {
		if p.E164 != "" && family != "" {
			k.phones = append(k.phones, phoneKey(p.E164, family))
		}
	}
	if k.uid == "" && len(k.emails) == 0 && len(c.Phones) == 0 {
		k.name = nameKey(c.FullName, company)
	}
	return k
}

// untypedOther maps the vcard type "other" to the store's untyped "" (the
// command line stores an e-mail without type so), keeping work and home.
func untypedOther(t string) string {
	if t == vcard.TypeOther {
		return ""
	}
	return t
}

func phoneType(t string) string {
	switch t {
	case vcard.TypeWork, vcard.TypeHome, vcard.TypeMobile, vcard.TypeFax:
		return t
	}
	return localdb.PhoneOther
}

func dataURI(mediaType string, data []byte) string {
	if mediaType == "" {
		mediaType = "application/octet-stream"
	}
	return "data:" + mediaType + ";base64," + base64.StdEncoding.EncodeToString(data)
}

// tidy trims s and collapses runs of white space (line breaks included) to
// one space, as a one-line field is shown.
func tidy(s string) string {
	s = strings.TrimSpace(s)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\n' || c == '\r' || c == '\t' || (c == ' ' && i+1 < len(s) && s[i+1] == ' ') {
			return strings.Join(strings.Fields(s), " ")
		}
	}
	return s
}

func nonEmpty(ss ...string) []string {
	out := ss[:0:0]
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
