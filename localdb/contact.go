package localdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

func (c *Contact) normalize(t *Tx) error { return c.normalizeIn(t.s.Region()) }

// normalizeIn normalizes c with phones read in region when they have no
// country code.
func (c *Contact) normalizeIn(region string) error {
	for _, p := range []*string{&c.FullName, &c.GivenName, &c.FamilyName, &c.Prefix, &c.Suffix, &c.Title,
		&c.Birthday, &c.Website, &c.Source} {
		*p = strings.TrimSpace(*p)
	}
	if c.FullName == "" {
		c.FullName = strings.Join(nonEmpty(c.Prefix, c.GivenName, c.FamilyName, c.Suffix), " ")
	}
	if c.GivenName == "" && c.FamilyName == "" && c.FullName != "" {
		c.GivenName, c.FamilyName = splitName(c.FullName)
	}
	if c.LeadStatus == "" {
		c.LeadStatus = LeadNew
	}
	emails := c.Emails[:0:0]
	seen := map[string]bool{}
	primary := false
	for _, e := range c.Emails {
		e.Address = strings.TrimSpace(e.Address)
		k := strings.ToLower(e.Address)
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		if e.Primary && primary {
			e.Primary = false
		}
		primary = primary || e.Primary
		emails = append(emails, e)
	}
	c.Emails = emails
	phones := c.Phones[:0:0]
	seenPhone := map[string]bool{}
	for _, p := range c.Phones {
		p.Number = strings.TrimSpace(p.Number)
		if p.Number == "" {
			continue
		}
		if p.Type == "" {
			p.Type = PhoneOther
		}
		p.E164 = NormalizePhone(p.Number, region)
		k := p.E164
		if k == "" {
			k = digitsOnly(p.Number)
		}
		if seenPhone[k] {
			continue
		}
		seenPhone[k] = true
		phones = append(phones, p)
	}
	c.Phones = phones
	c.Tags = tidyTags(c.Tags)
	return nil
}

// splitName guesses given and family name from a full name: the last word is
// the family name.
func splitName(full string) (given, family string) {
	words := strings.Fields(full)
	if len(words) < 2 {
		return "", full
	}
	return strings.Join(words[:len(words)-1], " "), words[len(words)-1]
}

func (c *Contact) links() []link {
	return []link{{"company_id", EntityCompany, c.CompanyID}}
}

func (c *Contact) validate() error {
	if c.FullName == "" {
		return invalid("full_name", "", "required: give a name")
	}
	for _, e := range c.Emails {
		if err := ValidateEmail(e.Address); err != nil {
			return err
		}
	}
	for _, p := range c.Phones {
		if err := checkPhone(p.Number); err != nil {
			return err
		}
		if err := oneOf("phone type", p.Type, []string{PhoneWork, PhoneMobile, PhoneHome, PhoneFax, PhoneOther}); err != nil {
			return err
		}
	}
	if err := ValidateBirthday(c.Birthday); err != nil {
		return err
	}
	return oneOf("lead_status", c.LeadStatus, LeadStatuses)
}

// CreateContact adds a contact; c gets its id, timestamps and version.
func (t *Tx) CreateContact(c *Contact) error {
	if err := t.Create(c); err != nil {
		return err
	}
	var err error
	c.Company, err = t.companyName(c.CompanyID)
	return err
}

// UpdateContact writes the fields of c that changed.
func (t *Tx) UpdateContact(c *Contact) error {
	if err := t.Save(c); err != nil {
		return err
	}
	var err error
	c.Company, err = t.companyName(c.CompanyID)
	return err
}

// GetContact reads a contact inside the transaction.
func (t *Tx) GetContact(id string) (*Contact, error) {
	c := &Contact{}
	if err := t.s.get(t.ctx, t.tx, c, id); err != nil {
		return nil, err
	}
	var err error
	c.Company, err = t.companyName(c.CompanyID)
	return c, err
}

// checkLink makes sure a link points at a live record.
func (t *Tx) checkLink(field, entity, id string) error {
	if id == "" {
		return nil
	}
	sp := specsByName[entity]
	var n int
	if err := t.queryRow(`SELECT COUNT(*) FROM `+sp.table+` WHERE id = ? AND deleted = 0`, id).Scan(&n); err != nil {
		return fmt.Errorf("check %s: %w", field, err)
	}
	if n == 0 {
		return invalid(field, id, "no such "+entity)
	}
	return nil
}

// CreateContact adds a contact in its own transaction.
func (s *Store) CreateContact(ctx context.Context, c *Contact) error {
	return s.Update(ctx, func(t *Tx) error { return t.CreateContact(c) })
}

// UpdateContact saves a changed contact in its own transaction.
func (s *Store) UpdateContact(ctx context.Context, c *Contact) error {
	return s.Update(ctx, func(t *Tx) error { return t.UpdateContact(c) })
}

// GetContact reads one live contact.
func (s *Store) GetContact(ctx context.Context, id string) (*Contact, error) {
	c := &Contact{}
	if err := s.get(ctx, s.db, c, id); err != nil {
		return nil, err
	}
	if err := s.fillCompanyNames(ctx, []*Contact{c}); err != nil {
		return nil, err
	}
	return c, nil
}

// ContactFilter selects contacts for ListContacts.
type ContactFilter struct {
	Query      string // search text; empty lists all by name
	CompanyID  string
	LeadStatus string
	Tag        string
	Limit      int // 0: all
	Offset     int
}

// ListContacts returns live contacts ordered by name (or by relevance when
// Query is set).
func (s *Store) ListContacts(ctx context.Context, f ContactFilter) ([]Contact, error) {
	var where []string
	var args []any
	where = append(where, "deleted = 0")
	if f.CompanyID != "" {
		where = append(where, "company_id = ?")
		args = append(args, f.CompanyID)
	}
	if f.LeadStatus != "" {
		where = append(where, "lead_status = ?")
		args = append(args, f.LeadStatus)
	}
	if f.Tag != "" {
		where = append(where, "rid IN (SELECT contact_rid FROM contact_tags WHERE tag = ?)")
		args = append(args, f.Tag)
	}
	var out []Contact
	var err error
	if f.Query != "" {
		ids, err := s.searchIDs(ctx, f.Query, EntityContact, f.Limit+f.Offset)
		if err != nil || len(ids) == 0 {
			return nil, err
		}
		out, err = orderedByIDs[Contact](ctx, s, ids, where, args, f.Offset, f.Limit)
		if err != nil {
			return nil, err
		}
	} else {
		tail := "WHERE " + strings.Join(where, " AND ") + " ORDER BY full_name COLLATE NOCASE, id"
		tail, args = withLimit(tail, args, f.Limit, f.Offset)
		if out, err = list[Contact](ctx, s.db, tail, args...); err != nil {
			return nil, err
		}
	}
	ptrs := make([]*Contact, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	return out, s.fillCompanyNames(ctx, ptrs)
}

// CountContacts counts live contacts.
func (s *Store) CountContacts(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM contacts WHERE deleted = 0`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count contacts: %w", err)
	}
	return n, nil
}

func (s *Store) fillCompanyNames(ctx context.Context, cs []*Contact) error {
	names, err := s.companyNames(ctx, func(yield func(string)) {
		for _, c := range cs {
			yield(c.CompanyID)
		}
	})
	if err != nil {
		return err
	}
	for _, c := range cs {
		c.Company = names[c.CompanyID]
	}
	return nil
}

// companyNames looks up the names of the given company ids.
func (s *Store) companyNames(ctx context.Context, ids func(func(string))) (map[string]string, error) {
	return s.recordNames(ctx, "companies", "name", ids)
}

// recordNames looks up the names (column nameCol of table) of the records
// with the given ids, in a few queries however many there are.
func (s *Store) recordNames(ctx context.Context, table, nameCol string, ids func(func(string))) (map[string]string, error) {
	names := map[string]string{}
	var want []any
	ids(func(id string) {
		if _, ok := names[id]; !ok && id != "" {
			names[id] = ""
			want = append(want, id)
		}
	})
	const chunk = 500
	for start := 0; start < len(want); start += chunk {
		part := want[start:min(start+chunk, len(want))]
		rows, err := s.db.QueryContext(ctx, `SELECT id, `+nameCol+` FROM `+table+` WHERE id IN (`+
			strings.TrimSuffix(strings.Repeat("?,", len(part)), ",")+`)`, part...)
		if err != nil {
			return nil, fmt.Errorf("%s names: %w", table, err)
		}
		for rows.Next() {
			var id, name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return nil, fmt.Errorf("%s names: %w", table, err)
			}
			names[id] = name
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("%s names: %w", table, err)
		}
	}
	return names, nil
}
