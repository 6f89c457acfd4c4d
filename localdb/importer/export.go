package importer

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"strings"

	"repdesk/localdb"
	"repdesk/localdb/vcard"
)

// ExportOptions select what Export writes.
type ExportOptions struct {
	// Version is the vCard version, "3.0" (the default when empty) or "4.0".
	Version string
	// Query, when set, exports only the contacts the search finds (at most
	// MaxQueryExport of them, best first); empty exports all contacts.
	Query string
}

// MaxQueryExport bounds the contacts a search selects for export.
const MaxQueryExport = 25000

// exportPage is the number of contacts read at a time when exporting all.
const exportPage = 500

// Export writes contacts to w as vCards and returns how many it wrote.
func Export(ctx context.Context, s *localdb.Store, w io.Writer, opts ExportOptions) (int, error) {
	version := opts.Version
	if version == "" {
		version = vcard.Version30
	}
	enc, err := vcard.NewEncoder(w, version)
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	n := 0
	write := func(cs []localdb.Contact) error {
		for i := range cs {
			card := ToCard(&cs[i])
			if err := enc.Encode(&card); err != nil {
				return fmt.Errorf("export contact %s: %w", cs[i].ID, err)
			}
			n++
		}
		return nil
	}
	if q := strings.TrimSpace(opts.Query); q != "" {
		cs, err := s.ListContacts(ctx, localdb.ContactFilter{Query: q, Limit: MaxQueryExport})
		if err != nil {
			return 0, fmt.Errorf("export: %w", err)
		}
		return n, write(cs)
	}
	for offset := 0; ; offset += exportPage {
		cs, err := s.ListContacts(ctx, localdb.ContactFilter{Limit: exportPage, Offset: offset})
		if err != nil {
			return n, fmt.Errorf("export: %w", err)
		}
		if err := write(cs); err != nil {
			return n, err
		}
		if len(cs) < exportPage {
			return n, nil
		}
	}
}

// ToCard maps a contact to a vCard: the inverse of the import's mapping.
func ToCard(c *localdb.Contact) vcard.Card {
	card := vcard.Card{
		UID:        c.UID,
		FullName:   c.FullName,
		GivenName:  c.GivenName,
		FamilyName: c.FamilyName,
		Prefix:     c.Prefix,
		Suffix:     c.Suffix,
		Org:        c.Company,
		Department: c.Department,
		Title:      c.Title,
		Role:       c.Role,
		Birthday:   c.Birthday,
		Website:    c.Website,
		Notes:      c.Notes,
		Tags:       c.Tags,
	}
	for _, e := range c.Emails {
		card.Emails = append(card.Emails, vcard.Email{Address: e.Address, Type: cardType(e.Type), Primary: e.Primary})
	}
	for _, p := range c.Phones {
		card.Phones = append(card.Phones, vcard.Phone{Number: p.Number, Type: phoneType(p.Type), Primary: p.Primary})
	}
	for _, a := range c.Addresses {
		card.Addresses = append(card.Addresses, vcard.Address{Type: cardType(a.Type), Street: a.Street,
			PostalCode: a.PostalCode, City: a.City, Region: a.Region, Country: a.Country})
	}
	if mediaType, data, ok := parseDataURI(c.Photo); ok {
		card.Photo, card.PhotoType = data, mediaType
	} else {
		card.PhotoURI = c.Photo
	}
	return card
}

// cardType maps an e-mail or address type to the vcard one: work and home
// stay, anything else is other.
func cardType(t string) string {
	switch t {
	case vcard.TypeWork, vcard.TypeHome:
		return t
	}
	return vcard.TypeOther
}

// parseDataURI decodes a base64 data: URI as the importer stores photos.
func parseDataURI(s string) (mediaType string, data []byte, ok bool) {
	rest, found := strings.CutPrefix(s, "data:")
	if !found {
		return "", nil, false
	}
	meta, payload, found := strings.Cut(rest, ",")
	mediaType, isBase64 := strings.CutSuffix(meta, ";base64")
	if !found || !isBase64 {
		return "", nil, false
	}
	data, err := base64.StdEncoding.DecodeString(payload)
	if err != nil {
		return "", nil, false
	}
	return mediaType, data, true
}
