package localdb

import (
	"fmt"
	"reflect"
	"strings"

	"golang.org/x/text/unicode/norm"
)

type searchDoc struct {
	name, alt, company, emails, phones, city, tags, notes string
}

// Search rows are keyed by kind code << searchKindShift | rid, so that a
// record's rows are found without a scan and a search restricted to one kind
// is a rowid range that FTS5 seeks instead of a filter on every match.
const searchKindShift = 40

func searchRowid(sp *entitySpec, rid int64) int64 { return int64(sp.kindCode)<<searchKindShift | rid }

// index writes (or rewrites) the search rows of a record: all its
// searchable text, and its name alone for the name tiers of Search.
func (t *Tx) index(sp *entitySpec, rid int64, rec Record) error {
	return t.queueIndex(sp, rid, rec, searchReplace)
}

// indexNew writes the search rows of a record that has none yet; a plain
// INSERT spares FTS5 looking for a row to replace.
func (t *Tx) indexNew(sp *entitySpec, rid int64, rec Record) error {
	return t.queueIndex(sp, rid, rec, searchInsertNew)
}

func (t *Tx) queueIndex(sp *entitySpec, rid int64, rec Record, op searchOp) error {
	if sp.kindCode == 0 {
		return nil
	}
	d, err := t.searchDoc(rec)
	if err != nil {
		return err
	}
	t.searchWrites = append(t.searchWrites, searchWrite{op: op, rowid: searchRowid(sp, rid), kind: sp.name, id: rec.meta().ID, doc: d})
	return nil
}

// The search rows of a transaction are written when it ends, each by a
// single-row statement, after every other write. FTS5 keeps new rows in
// memory and writes them as one index segment at the commit, but it must
// write out what it holds whenever a statement of the transaction opens a
// statement journal (a multi-row INSERT, an INSERT into contacts, whose
// tag trigger makes it a multi-table write): written between the other
// statements, the rows became a segment of a record or a hundred each, and
// merging those segments was most of the cost of an import (10,000 contacts
// one by one in one transaction: 1.5 s written in between, 0.6 s at the
// end). Nothing reads the search tables inside a write transaction.
type searchOp uint8

const (
	searchInsertNew searchOp = iota // a record without search rows
	searchReplace                   // a record that may have them
	searchDelete                    // drop the record's rows
)

type searchWrite struct {
	op       searchOp
	rowid    int64
	kind, id string
	doc      searchDoc
}

// flushSearch writes the queued search rows in the order they were queued.
func (t *Tx) flushSearch() error {
	var args []any
	for i := range t.searchWrites {
		w := &t.searchWrites[i]
		if w.op == searchDelete {
			for _, q := range []string{`DELETE FROM search WHERE rowid = ?`, `DELETE FROM search_name WHERE rowid = ?`} {
				if _, err := t.exec(q, w.rowid); err != nil {
					return fmt.Errorf("search unindex: %w", err)
				}
			}
			continue
		}
		insert := "INSERT"
		if w.op == searchReplace {
			insert = "INSERT OR REPLACE"
		}
		args = w.doc.appendSearchArgs(args[:0], w.rowid, w.kind, w.id)
		if _, err := t.exec(insert+searchInsertRow, args...); err != nil {
			return fmt.Errorf("search index: %w", err)
		}
		args = w.doc.appendNameArgs(args[:0], w.rowid)
		if _, err := t.exec(insert+searchNameInsertRow, args...); err != nil {
			return fmt.Errorf("search index: %w", err)
		}
	}
	t.searchWrites = nil
	return nil
}

// The columns of the search tables, after INSERT or INSERT OR REPLACE.
const (
	searchInsert      = ` INTO search (rowid, kind, record_id, name, alt, company, emails, phones, city, tags, notes) VALUES `
	searchColumns     = 11
	searchNameInsert  = ` INTO search_name (rowid, name, alt) VALUES `
	searchNameColumns = 3
)

var (
	searchInsertRow     = searchInsert + rowsSQL(1, searchColumns)
	searchNameInsertRow = searchNameInsert + rowsSQL(1, searchNameColumns)
)

// appendSearchArgs appends the values of d's row in search.
func (d *searchDoc) appendSearchArgs(args []any, rowid int64, kind, id string) []any {
	return append(args, rowid, kind, id, d.name, d.alt, d.company, d.emails, d.phones, d.city, d.tags, d.notes)
}

// appendNameArgs appends the values of d's row in search_name.
func (d *searchDoc) appendNameArgs(args []any, rowid int64) []any {
	return append(args, rowid, d.name, spelledOut(d.name))
}

// rowsSQL is the VALUES list of rows rows of columns parameters each.
func rowsSQL(rows, columns int) string {
	row := "(?" + strings.Repeat(", ?", columns-1) + ")"
	return row + strings.Repeat(", "+row, rows-1)
}

func (t *Tx) unindex(sp *entitySpec, rid int64) error {
	if sp.kindCode == 0 {
		return nil
	}
	t.searchWrites = append(t.searchWrites, searchWrite{op: searchDelete, rowid: searchRowid(sp, rid)})
	return nil
}

// reindex rebuilds the search row of a stored record.
func (t *Tx) reindex(sp *entitySpec, id string) error {
	if sp.kindCode == 0 {
		return nil
	}
	h, err := t.load(sp, id)
	if err != nil {
		return err
	}
	if h.deleted != 0 {
		return t.unindex(sp, h.rid)
	}
	rec := newRecord(sp)
	if err := sp.fill(rec, h); err != nil {
		return err
	}
	return t.index(sp, h.rid, rec)
}

// companyChanged refreshes the search rows of the contacts and deals of a
// company (sp is the changed record's entity) that was renamed or deleted:
// they show its name.
func (t *Tx) companyChanged(sp *entitySpec, id string) error {
	if sp.name != EntityCompany {
		return nil
	}
	delete(t.companyNames, id)
	return t.reindexCompanyMembers(id)
}

// reindexCompanyMembers refreshes contacts and deals that show a company's
// name.
func (t *Tx) reindexCompanyMembers(companyID string) error {
	for _, table := range []string{"contacts", "deals"} {
		ids, err := t.ids(`SELECT id FROM `+table+` WHERE company_id = ? AND deleted = 0`, companyID)
		if err != nil {
			return err
		}
		sp := specsByName[map[string]string{"contacts": EntityContact, "deals": EntityDeal}[table]]
		for _, id := range ids {
			if err := t.reindex(sp, id); err != nil {
				return err
			}
		}
	}
	return nil
}

func (t *Tx) ids(query string, args ...any) ([]string, error) {
	rows, err := t.query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// newRecord returns an empty record of sp's entity, whichever it is.
func newRecord(sp *entitySpec) Record {
	return reflect.New(sp.typ).Interface().(Record)
}

// companyName returns a company's name, cached for the transaction.
func (t *Tx) companyName(id string) (string, error) {
	if id == "" {
		return "", nil
	}
	if n, ok := t.companyNames[id]; ok {
		return n, nil
	}
	var name string
	err := t.queryRow(`SELECT name FROM companies WHERE id = ? AND deleted = 0`, id).Scan(&name)
	if err != nil && !isNoRows(err) {
		return "", fmt.Errorf("company name: %w", err)
	}
	if t.companyNames == nil {
		t.companyNames = map[string]string{}
	}
	t.companyNames[id] = name
	return name, nil
}

func (t *Tx) searchDoc(rec Record) (searchDoc, error) {
	var d searchDoc
	switch r := rec.(type) {
	case *Contact:
		company, err := t.companyName(r.CompanyID)
		if err != nil {
			return d, err
		}
		d = contactDoc(r, t.s.Region())
		d.setContactCompany(r, company)
	case *Company:
		d.name = r.Name
		d.alt = spelledOut(r.Name + " " + r.City)
		d.company = r.Industry
		d.emails = r.Website
		if r.Phone != "" {
			d.phones = strings.Join(phoneSearchTokens(Phone{Number: r.Phone, E164: NormalizePhone(r.Phone, t.s.Region())}, t.s.Region()), " ")
		}
		d.city = r.PostalCode + " " + r.City
		d.tags, d.notes = strings.Join(r.Tags, " "), r.Notes
	case *Deal:
		company, err := t.companyName(r.CompanyID)
		if err != nil {
			return d, err
		}
		d.name = r.Title
		d.alt = spelledOut(r.Title + " " + company)
		d.company = company + " " + r.Stage
		d.tags, d.notes = strings.Join(r.Tags, " "), r.NextStep
	}
	for _, f := range []*string{&d.name, &d.alt, &d.company, &d.emails, &d.phones, &d.city, &d.tags, &d.notes} {
		*f = norm.NFC.String(*f)
	}
	return d, nil
}

// contactDoc is the search row of a contact but for what its company's name
// adds (setContactCompany).
func contactDoc(r *Contact, region string) searchDoc {
	var d searchDoc
	d.name = r.FullName
	var emails, phones, cities []string
	for _, e := range r.Emails {
		emails = append(emails, e.Address)
	}
	for _, p := range r.Phones {
		phones = append(phones, phoneSearchTokens(p, region)...)
	}
	for _, a := range r.Addresses {
		cities = append(cities, a.PostalCode, a.City)
	}
	d.emails, d.phones = strings.Join(emails, " "), strings.Join(phones, " ")
	d.city = strings.Join(cities, " ")
	d.tags, d.notes = strings.Join(r.Tags, " "), r.Notes
	return d
}

// setContactCompany completes the search row of contact r at the company
// named company.
func (d *searchDoc) setContactCompany(r *Contact, company string) {
	d.alt = spelledOut(r.FullName+" "+company) + " " + spelledOut(d.city)
	d.company = strings.TrimSpace(company + " " + r.Title)
}
