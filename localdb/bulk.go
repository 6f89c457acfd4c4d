package localdb

import (
	"fmt"
	"strings"
	"sync"
)

// contactsChunk is the number of ids read by one query of ContactsByID.
const contactsChunk = 500

var (
	contactsByIDOnce sync.Once
	contactsByIDSQL  string
)

// ContactsByID reads the live contacts with the given ids inside the
// transaction, company names filled in, keyed by id; ids of deleted or
// unknown contacts are missing from the map. One query per 500 ids instead
// of one per contact, for importers that merge thousands of cards.
func (t *Tx) ContactsByID(ids []string) (map[string]*Contact, error) {
	contactsByIDOnce.Do(func() {
		contactsByIDSQL = specsByName[EntityContact].selectSQL + " WHERE deleted = 0 AND id IN (" +
			strings.TrimSuffix(strings.Repeat("?,", contactsChunk), ",") + ")"
	})
	sp := specsByName[EntityContact]
	out := make(map[string]*Contact, len(ids))
	args := make([]any, 0, contactsChunk)
	for start := 0; start < len(ids); start += contactsChunk {
		part := ids[start:min(start+contactsChunk, len(ids))]
		args = args[:0]
		for _, id := range part {
			args = append(args, id)
		}
		// A short chunk is padded with an id no record has, so that every
		// chunk uses the one prepared statement.
		for len(args) < contactsChunk {
			args = append(args, "")
		}
		rows, err := t.query(contactsByIDSQL, args...)
		if err != nil {
			return nil, fmt.Errorf("read contacts: %w", err)
		}
		h := sp.newHolder()
		for rows.Next() {
			if err := rows.Scan(h.ptrs...); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read contacts: %w", err)
			}
			c := &Contact{}
			if err := sp.fill(c, h); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read contacts: %w", err)
			}
			out[c.ID] = c
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("read contacts: %w", err)
		}
	}
	for _, c := range out {
		name, err := t.companyName(c.CompanyID)
		if err != nil {
			return nil, err
		}
		c.Company = name
	}
	return out, nil
}

// ContactBatch creates many contacts in one transaction, checking each
// company link once per batch instead of once per contact (a query that was
// a tenth of an import's time). It assumes that nothing deletes companies in
// the transaction meanwhile.
type ContactBatch struct {
	t    *Tx
	live map[string]bool // company ids found live in t
}

// ContactBatch starts a batch of contact creations in t.
func (t *Tx) ContactBatch() *ContactBatch {
	return &ContactBatch{t: t, live: map[string]bool{}}
}

// CreateContact adds a contact like Tx.CreateContact.
func (b *ContactBatch) CreateContact(c *Contact) error {
	if id := c.CompanyID; id != "" && !b.live[id] {
		if err := b.t.checkLink("company_id", EntityCompany, id); err != nil {
			return fmt.Errorf("create %s: %w", EntityContact, err)
		}
		b.live[id] = true
	}
	if err := b.t.create(c); err != nil {
		return err
	}
	var err error
	c.Company, err = b.t.companyName(c.CompanyID)
	return err
}
