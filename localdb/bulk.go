package localdb

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/google/uuid"
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

// ContactBatch creates many contacts in one transaction with a few
// multi-row statements instead of two statements per contact (the row and
// its journal entry): SQLite's work per statement, and the driver's per
// call, were a third of a bulk import's writing. The search rows are queued
// for the end of the transaction like every record's (see flushSearch).
// Contacts are prepared outside the transaction (PrepareContact), given
// their ids and companies by CreatePrepared, and written when bulkRows of
// them wait, by Flush, or before the transaction commits.
// Until then the transaction does not see them, so a caller that reads or
// changes contacts in between flushes first. Company links are checked once
// per batch; the batch assumes that nothing deletes companies in the
// transaction meanwhile.
type ContactBatch struct {
	t       *Tx
	live    map[string]bool // company ids found live in t
	pending []pendingContact
}

// pendingContact is a prepared contact waiting to be written.
type pendingContact struct {
	c    *Contact
	vals []any // stored column values
	doc  searchDoc
}

// ContactBatch returns the batch of contact creations of t, started on
// first use.
func (t *Tx) ContactBatch() *ContactBatch {
	if t.batch == nil {
		t.batch = &ContactBatch{t: t, live: map[string]bool{}}
	}
	return t.batch
}

// PreparedContact is a new contact made ready outside any transaction for
// ContactBatch.CreatePrepared: normalized, validated, encoded, and with the
// parts of its search row that do not depend on its company. An importer
// prepares the contacts of its cards on its reading goroutine, so that its
// writing goroutine, which SQLite keeps to one, only writes: that moved a
// tenth of a 10,000-card import's CPU time off the writer.
type PreparedContact struct {
	c    *Contact
	vals []any
	doc  searchDoc
	err  error // why c cannot be created; CreatePrepared returns it
}

// PrepareContact prepares a copy of c as Tx.CreateContact would, but for
// its company, which CreatePrepared sets. A ValidationError is returned by
// CreatePrepared, not here: it matters only if the contact is created.
func (s *Store) PrepareContact(c *Contact) *PreparedContact {
	cp := *c
	cp.Emails, cp.Phones = slices.Clone(c.Emails), slices.Clone(c.Phones)
	cp.Addresses, cp.Tags = slices.Clone(c.Addresses), slices.Clone(c.Tags)
	p := &PreparedContact{c: &cp}
	sp := specsByName[EntityContact]
	sp.composeStrings(p.c)
	if err := p.c.normalizeIn(s.Region()); err != nil {
		p.err = fmt.Errorf("create %s: %w", sp.name, err)
		return p
	}
	if err := p.c.validate(); err != nil {
		p.err = fmt.Errorf("create %s: %w", sp.name, err)
		return p
	}
	if p.vals, p.err = sp.encodeNew(p.c); p.err != nil {
		p.err = fmt.Errorf("create %s: %w", sp.name, p.err)
		return p
	}
	p.doc = contactDoc(p.c, s.Region())
	return p
}

// CreatePrepared queues the prepared contact at the company companyID (""
// for none) and returns it as Tx.CreateContact leaves a contact: with its
// id (new unless it had one), timestamps, version, owner and company name.
// A ValidationError comes at once; the contact is written by the next
// Flush.
func (b *ContactBatch) CreatePrepared(p *PreparedContact, companyID string) (*Contact, error) {
	sp, c := specsByName[EntityContact], p.c
	if p.err != nil {
		return nil, p.err
	}
	if companyID != "" && !b.live[companyID] {
		if err := b.t.checkLink("company_id", EntityCompany, companyID); err != nil {
			return nil, fmt.Errorf("create %s: %w", sp.name, err)
		}
		b.live[companyID] = true
	}
	t := b.t
	if err := t.stampNew(sp, &c.Meta); err != nil {
		return nil, err
	}
	c.CompanyID = companyID
	p.vals[sp.companyCol] = companyID
	var err error
	if c.Company, err = t.companyName(companyID); err != nil {
		return nil, err
	}
	p.doc.setContactCompany(c, c.Company)
	b.pending = append(b.pending, pendingContact{c: c, vals: p.vals, doc: p.doc})
	if len(b.pending) == bulkRows {
		return c, b.Flush()
	}
	return c, nil
}

// bulkRows is the most contacts that wait in a batch, written with one
// statement per table. Measured on 10,000 contacts, 400 took a sixth less time than
// 100 (and 800 no less than 400), but on 100,000 the import's peak memory
// was 15 MB higher: SQLite parses and keeps a program of 47 parameters per
// row, and the queued rows weigh too.
const bulkRows = 100

// Flush writes the queued contacts and their journal entries, and queues
// their search rows.
func (b *ContactBatch) Flush() error {
	if len(b.pending) == 0 {
		return nil
	}
	t, sp := b.t, specsByName[EntityContact]
	// The rids are given, not left to SQLite, so that the search rows can
	// be written without reading them back; they are the ones SQLite would
	// choose.
	var lastRid int64
	if err := t.queryRow(`SELECT COALESCE(MAX(rid), 0) FROM contacts`).Scan(&lastRid); err != nil {
		return fmt.Errorf("create contacts: %w", err)
	}
	at, n := formatTime(t.now), len(b.pending)
	// A full batch reuses its prepared statements; a shorter one (the last
	// of a transaction) is prepared once and dropped, so that a store does
	// not keep a statement for every length a batch ever ended with.
	exec := t.exec
	if n < bulkRows {
		exec = t.execUncached
	}
	args := make([]any, 0, n*(7+len(sp.cols)))
	for i, p := range b.pending {
		m := &p.c.Meta
		args = append(args, lastRid+int64(i+1), m.ID, formatTime(m.CreatedAt), formatTime(m.UpdatedAt), m.Version, 0, m.Owner)
		args = append(args, p.vals...)
	}
	if _, err := exec(sp.insertRowsSQL(n), args...); err != nil {
		return fmt.Errorf("create contacts: %w", err)
	}
	if err := t.tagRange(sp, lastRid+1, lastRid+int64(n)); err != nil {
		return fmt.Errorf("create contacts: %w", err)
	}
	args = args[:0]
	for _, p := range b.pending {
		opID, err := uuid.NewV7()
		if err != nil {
			return fmt.Errorf("journal: %w", err)
		}
		args = append(args, opID.String(), sp.name, p.c.ID, OpCreate, sp.createFields(p.vals), 0, at)
	}
	if _, err := exec(journalInsert+rowsSQL(n, journalColumns), args...); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	for i, p := range b.pending {
		t.searchWrites = append(t.searchWrites, searchWrite{op: searchInsertNew, rowid: searchRowid(sp, lastRid+int64(i+1)), kind: sp.name, id: p.c.ID, doc: p.doc})
	}
	clear(b.pending) // the written contacts are the caller's, not the batch's, to keep
	b.pending = b.pending[:0]
	return nil
}

// insertRowsSQL inserts rows records of sp, their rids given.
func (sp *entitySpec) insertRowsSQL(rows int) string {
	names := make([]string, len(sp.cols))
	for i := range sp.cols {
		names[i] = sp.cols[i].name
	}
	return "INSERT INTO " + sp.table + " (rid, id, created_at, updated_at, version, deleted, owner, " +
		strings.Join(names, ", ") + ") VALUES " + rowsSQL(rows, 7+len(sp.cols))
}
