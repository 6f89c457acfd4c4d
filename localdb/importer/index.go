package importer

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"strings"

	"github.com/google/uuid"

	"repdesk/localdb"
)

// matchKeys are the keys a card is matched by, in order of preference.
type matchKeys struct {
	uid    string   // lower-cased UID
	emails []string // lower-cased addresses
	phones []string // phoneKey(E.164, family name)
	// name is set only for a card without UID, e-mail and phone, which
	// could otherwise never match and would be duplicated by every import:
	// it matches a contact without them either that has the same name at
	// the same company.
	name string
}

func phoneKey(e164, family string) string { return e164 + "\x00" + strings.ToLower(family) }

func nameKey(fullName, company string) string {
	return strings.ToLower(fullName) + "\x00" + strings.ToLower(company)
}

// index holds the match keys of every live contact and the ids of the
// companies by name, built once per import, so that matching a card costs
// map look-ups instead of queries. A key is kept as a 64-bit hash pointing
// at an entry of ids: a tenth of the memory of the keys themselves, which
// matters at 100,000 contacts; a match is verified against the contact (see
// matchKeys.in), so that a hash collision cannot merge two people. Keys
// added during a batch are logged and removed again when the batch's
// transaction rolls back.
type index struct {
	seed         maphash.Seed
	keys         map[uint64]int32  // hash of kind+key -> position in ids
	ids          []uuid.UUID       // contact ids, 16 bytes instead of 52 as strings
	otherIDs     map[int32]string  // the rare id that is no UUID (from elsewhere)
	companies    map[string]string // lower(name) -> company id
	companyNames map[string]string // company id -> name
	added        []uint64          // keys added in the batch being written
	addedCos     []string          // companies added in the batch
	idsAtBegin   int
}

// Kinds of keys, hashed with the key so that an e-mail address cannot match
// a UID.
const (
	kindUID byte = iota
	kindEmail
	kindPhone
	kindName
)

func (x *index) hash(kind byte, key string) uint64 {
	var h maphash.Hash
	h.SetSeed(x.seed)
	h.WriteByte(kind)
	h.WriteString(key)
	return h.Sum64()
}

// loadIndex reads the keys of the store's live contacts and companies.
// The first (oldest) record wins a key that several share.
func loadIndex(ctx context.Context, s *localdb.Store) (*index, error) {
	idx := &index{seed: maphash.MakeSeed(), keys: map[uint64]int32{}, otherIDs: map[int32]string{},
		companies: map[string]string{}, companyNames: map[string]string{}}
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
	idx.begin()
	return idx, nil
}

// match returns the id of the contact the keys match, or "".
func (x *index) match(k *matchKeys) string {
	if k.uid != "" {
		if id := x.lookup(kindUID, k.uid); id != "" {
			return id
		}
	}
	for _, e := range k.emails {
		if id := x.lookup(kindEmail, e); id != "" {
			return id
		}
	}
	for _, p := range k.phones {
		if id := x.lookup(kindPhone, p); id != "" {
			return id
		}
	}
	if k.name != "" {
		return x.lookup(kindName, k.name)
	}
	return ""
}

func (x *index) lookup(kind byte, key string) string {
	i, ok := x.keys[x.hash(kind, key)]
	switch {
	case !ok:
		return ""
	case x.ids[i] == uuid.Nil:
		return x.otherIDs[i]
	}
	return x.ids[i].String()
}

// in reports whether the contact c has one of the keys: whether a match
// found by hash is a real one.
func (k *matchKeys) in(c *localdb.Contact) bool {
	if k.uid != "" && strings.EqualFold(k.uid, c.UID) {
		return true
	}
	for _, e := range k.emails {
		if hasEmail(c.Emails, e) {
			return true
		}
	}
	for _, key := range k.phones {
		for _, p := range c.Phones {
			if p.E164 != "" && phoneKey(p.E164, c.FamilyName) == key {
				return true
			}
		}
	}
	return k.name != "" && k.name == nameKey(c.FullName, c.Company)
}

// addContact adds the keys of a contact as stored (normalized by the store).
func (x *index) addContact(c *localdb.Contact) {
	pos := int32(len(x.ids))
	id, err := uuid.Parse(c.ID)
	if err != nil || id == uuid.Nil {
		id = uuid.Nil
		x.otherIDs[pos] = c.ID
	}
	x.ids = append(x.ids, id)
	if c.UID != "" {
		x.add(kindUID, strings.ToLower(c.UID), pos)
	}
	for _, e := range c.Emails {
		x.add(kindEmail, strings.ToLower(e.Address), pos)
	}
	if c.FamilyName != "" {
		for _, p := range c.Phones {
			if p.E164 != "" {
				x.add(kindPhone, phoneKey(p.E164, c.FamilyName), pos)
			}
		}
	}
	if c.UID == "" && len(c.Emails) == 0 && len(c.Phones) == 0 {
		company := c.Company
		if company == "" && c.CompanyID != "" {
			company = x.companyNames[c.CompanyID]
		}
		x.add(kindName, nameKey(c.FullName, company), pos)
	}
}

// add maps a key to the contact at pos unless an older contact has it.
func (x *index) add(kind byte, key string, pos int32) {
	h := x.hash(kind, key)
	if _, ok := x.keys[h]; ok {
		return
	}
	x.keys[h] = pos
	x.added = append(x.added, h)
}

func (x *index) company(name string) (string, bool) {
	id, ok := x.companies[strings.ToLower(name)]
	return id, ok
}

func (x *index) addCompany(id, name string) {
	k := strings.ToLower(name)
	if _, ok := x.companies[k]; !ok {
		x.companies[k] = id
		x.addedCos = append(x.addedCos, k)
	}
	x.companyNames[id] = name
}

// begin starts logging the keys of a batch.
func (x *index) begin() {
	x.added, x.addedCos = x.added[:0], x.addedCos[:0]
	x.idsAtBegin = len(x.ids)
}

// commit keeps the keys of a committed batch.
func (x *index) commit() { x.begin() }

// rollback removes the keys of a batch whose transaction rolled back.
func (x *index) rollback() {
	for _, h := range x.added {
		delete(x.keys, h)
	}
	for _, k := range x.addedCos {
		delete(x.companyNames, x.companies[k])
		delete(x.companies, k)
	}
	for pos := range x.otherIDs {
		if int(pos) >= x.idsAtBegin {
			delete(x.otherIDs, pos)
		}
	}
	x.ids = x.ids[:x.idsAtBegin]
	x.begin()
}
