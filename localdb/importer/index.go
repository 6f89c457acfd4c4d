package importer

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"repdesk/localdb"
)

// matchKeys are the keys a card is matched by, in order of preference.
type matchKeys struct {
	uid    string   // lower-cased UID
	emails []string // lower-cased addresses
	phones []string // phoneKey(E.164, family name)
	// name is set only for a card without UID, e-mail and phone, which
	// could otherwise never match and would be duplicated by every import:
	// it matches a contact with the same name at the same company.
	name string
}

func phoneKey(e164, family string) string { return e164 + "\x00" + strings.ToLower(family) }

func nameKey(fullName, company string) string {
	return strings.ToLower(fullName) + "\x00" + strings.ToLower(company)
}

// index holds the match keys of every live contact and the ids of the
// companies by name, built once per import, so that matching a card costs
// map look-ups instead of queries. Keys added during a batch are logged and
// removed again when the batch's transaction rolls back.
type index struct {
	uid, email, phone, name map[string]string // key -> contact id
	companies               map[string]string // lower(name) -> company id
	companyNames            map[string]string // company id -> name
	added                   []addedKey
}

type addedKey struct {
	m   map[string]string
	key string
}

// loadIndex reads the keys of the store's live contacts and companies.
// The first (oldest) record wins a key that several share.
func loadIndex(ctx context.Context, s *localdb.Store) (*index, error) {
	idx := &index{uid: map[string]string{}, email: map[string]string{}, phone: map[string]string{},
		name: map[string]string{}, companies: map[string]string{}, companyNames: map[string]string{}}
	rows, err := s.DB().QueryContext(ctx, `SELECT id, name FROM companies WHERE deleted = 0 ORDER BY created_at, rid`)
	if err != nil {
		return nil, fmt.Errorf("load companies: %w", err)
	}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return nil, fmt.Errorf("load companies: %w", err)
		}
		idx.companyNames[id] = name
		if k := strings.ToLower(name); idx.companies[k] == "" {
			idx.companies[k] = id
		}
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("load companies: %w", err)
	}

	rows, err = s.DB().QueryContext(ctx, `SELECT id, uid, full_name, given_name, family_name, company_id, emails, phones
		FROM contacts WHERE deleted = 0 ORDER BY rid`)
	if err != nil {
		return nil, fmt.Errorf("load contact keys: %w", err)
	}
	defer rows.Close()
	var c localdb.Contact
	var emails, phones string
	for rows.Next() {
		if err := rows.Scan(&c.ID, &c.UID, &c.FullName, &c.GivenName, &c.FamilyName, &c.CompanyID, &emails, &phones); err != nil {
			return nil, fmt.Errorf("load contact keys: %w", err)
		}
		c.Emails, c.Phones = c.Emails[:0], c.Phones[:0]
		if err := json.Unmarshal([]byte(emails), &c.Emails); err != nil {
			return nil, fmt.Errorf("load contact keys: contact %s: emails: %w", c.ID, err)
		}
		if err := json.Unmarshal([]byte(phones), &c.Phones); err != nil {
			return nil, fmt.Errorf("load contact keys: contact %s: phones: %w", c.ID, err)
		}
		c.Company = idx.companyNames[c.CompanyID]
		idx.addContact(&c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load contact keys: %w", err)
	}
	idx.added = nil
	return idx, nil
}

// match returns the id of the contact the keys match, or "".
func (x *index) match(k *matchKeys) string {
	if k.uid != "" {
		if id := x.uid[k.uid]; id != "" {
			return id
		}
	}
	for _, e := range k.emails {
		if id := x.email[e]; id != "" {
			return id
		}
	}
	for _, p := range k.phones {
		if id := x.phone[p]; id != "" {
			return id
		}
	}
	if k.name != "" {
		return x.name[k.name]
	}
	return ""
}

// addContact adds the keys of a contact as stored (normalized by the store).
func (x *index) addContact(c *localdb.Contact) {
	if c.UID != "" {
		x.add(x.uid, strings.ToLower(c.UID), c.ID)
	}
	for _, e := range c.Emails {
		x.add(x.email, strings.ToLower(e.Address), c.ID)
	}
	if c.FamilyName != "" {
		for _, p := range c.Phones {
			if p.E164 != "" {
				x.add(x.phone, phoneKey(p.E164, c.FamilyName), c.ID)
			}
		}
	}
	company := c.Company
	if company == "" && c.CompanyID != "" {
		company = x.companyNames[c.CompanyID]
	}
	x.add(x.name, nameKey(c.FullName, company), c.ID)
}

func (x *index) add(m map[string]string, key, id string) {
	if _, ok := m[key]; ok {
		return
	}
	m[key] = id
	x.added = append(x.added, addedKey{m, key})
}

func (x *index) company(name string) (string, bool) {
	id, ok := x.companies[strings.ToLower(name)]
	return id, ok
}

func (x *index) addCompany(id, name string) {
	x.add(x.companies, strings.ToLower(name), id)
	x.add(x.companyNames, id, name)
}

// begin starts logging the keys of a batch.
func (x *index) begin() { x.added = x.added[:0] }

// commit keeps the keys of a committed batch.
func (x *index) commit() { x.added = x.added[:0] }

// rollback removes the keys of a batch whose transaction rolled back.
func (x *index) rollback() {
	for _, a := range x.added {
		delete(a.m, a.key)
	}
	x.added = x.added[:0]
}
