package importer

import (
	"fmt"
	"strings"

	"repdesk/localdb"
)

// mergeResult is what merging a card into a contact did.
type mergeResult struct {
	changed    bool // a field of the contact was filled or a list grew
	setCompany bool // the contact had no company and the card names one
	conflicts  []Conflict
}

// mergeCard merges the card's contact in into cur: e-mails, phones,
// addresses and tags are united; empty fields of cur are filled; a field
// that both have with different values keeps cur's value (the rep's) and is
// reported as a conflict. company is the card's organization; when cur has
// none, setCompany asks the caller to link it.
func mergeCard(cur, in *localdb.Contact, company string) mergeResult {
	var m mergeResult
	scalar := func(field string, dst *string, incoming string, same func(a, b string) bool) {
		switch {
		case incoming == "" || same(*dst, incoming):
		case *dst == "":
			*dst = incoming
			m.changed = true
		default:
			m.conflicts = append(m.conflicts, Conflict{ContactID: cur.ID, Field: field,
				Kept: shown(field, *dst), Incoming: shown(field, incoming)})
		}
	}
	text := strings.EqualFold
	exact := func(a, b string) bool { return a == b }
	scalar("full_name", &cur.FullName, in.FullName, text)
	scalar("given_name", &cur.GivenName, in.GivenName, text)
	scalar("family_name", &cur.FamilyName, in.FamilyName, text)
	scalar("prefix", &cur.Prefix, in.Prefix, text)
	scalar("suffix", &cur.Suffix, in.Suffix, text)
	scalar("title", &cur.Title, in.Title, text)
	if company != "" {
		switch {
		case cur.CompanyID == "":
			m.setCompany = true
		case !strings.EqualFold(cur.Company, company):
			m.conflicts = append(m.conflicts, Conflict{ContactID: cur.ID, Field: "company", Kept: cur.Company, Incoming: company})
		}
	}
	scalar("department", &cur.Department, in.Department, text)
	scalar("role", &cur.Role, in.Role, text)
	scalar("birthday", &cur.Birthday, in.Birthday, exact)
	scalar("website", &cur.Website, in.Website, text)
	scalar("notes", &cur.Notes, in.Notes, exact)
	scalar("uid", &cur.UID, in.UID, text)
	scalar("photo", &cur.Photo, in.Photo, exact)

	for _, e := range in.Emails {
		if !hasEmail(cur.Emails, e.Address) {
			if primary(cur.Emails) {
				e.Primary = false
			}
			cur.Emails = append(cur.Emails, e)
			m.changed = true
		}
	}
	for _, p := range in.Phones {
		if !hasPhone(cur.Phones, p) {
			if primaryPhone(cur.Phones) {
				p.Primary = false
			}
			cur.Phones = append(cur.Phones, p)
			m.changed = true
		}
	}
	for _, a := range in.Addresses {
		if !hasAddress(cur.Addresses, a) {
			cur.Addresses = append(cur.Addresses, a)
			m.changed = true
		}
	}
	for _, t := range in.Tags {
		if !hasFold(cur.Tags, t) {
			cur.Tags = append(cur.Tags, t)
			m.changed = true
		}
	}
	return m
}

func hasEmail(list []localdb.Email, addr string) bool {
	for _, e := range list {
		if strings.EqualFold(e.Address, addr) {
			return true
		}
	}
	return false
}

func primary(list []localdb.Email) bool {
	for _, e := range list {
		if e.Primary {
			return true
		}
	}
	return false
}

func primaryPhone(list []localdb.Phone) bool {
	for _, p := range list {
		if p.Primary {
			return true
		}
	}
	return false
}

// hasPhone compares phones the way the store de-duplicates them: by E.164
// form when the number has one, else by its digits.
func hasPhone(list []localdb.Phone, p localdb.Phone) bool {
	key := phoneIdentity(p)
	for _, q := range list {
		if phoneIdentity(q) == key {
			return true
		}
	}
	return false
}

// phoneIdentity is the E.164 form of a phone, or its digits when it has none.
func phoneIdentity(p localdb.Phone) string {
	if p.E164 != "" {
		return p.E164
	}
	return digits(p.Number)
}

func hasAddress(list []localdb.Address, a localdb.Address) bool {
	key := addressKey(a)
	for _, b := range list {
		if addressKey(b) == key {
			return true
		}
	}
	return false
}

// addressKey compares addresses case-insensitively and regardless of white
// space; the type does not make a different address.
func addressKey(a localdb.Address) string {
	return strings.ToLower(strings.Join(strings.Fields(strings.Join([]string{a.Street, a.PostalCode, a.City, a.Region, a.Country}, "\x00")), " "))
}

func hasFold(list []string, s string) bool {
	for _, t := range list {
		if strings.EqualFold(t, s) {
			return true
		}
	}
	return false
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// shown is a field value as the report shows it: a photo's data URI is
// shortened to its media type and size.
func shown(field, v string) string {
	if field == "photo" && strings.HasPrefix(v, "data:") {
		if meta, data, ok := strings.Cut(v, ","); ok {
			return fmt.Sprintf("%s,… (%d bytes)", meta, len(data)*3/4)
		}
	}
	return v
}
