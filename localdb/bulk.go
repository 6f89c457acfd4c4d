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
