package localdb

import (
	"context"
	"fmt"
	"strings"
	"unicode"
)

// SearchHit is one search result.
type SearchHit struct {
	Kind     string  `json:"kind"` // contact, company or deal
	ID       string  `json:"id"`
	Title    string  `json:"title"`
	Subtitle string  `json:"subtitle"`
	Email    string  `json:"email,omitempty"`
	Rank     float64 `json:"rank"`
}

// SearchOptions narrows a search.
type SearchOptions struct {
	Kinds []string // entity names; empty means contacts, companies and deals
	Limit int      // default 50
}

type searchDoc struct {
	name, alt, company, emails, phones, city, tags, notes string
}

// index writes the search row of a Record.
func (t *Tx) index(sp *entitySpec, rid int64, rec Record) error {
	if sp.kindCode == 0 {
		return nil
	}
	d, err := t.searchDoc(rec)
	if err != nil {
		return err
	}
	rowid := rid*4 + int64(sp.kindCode)
	if _, err := t.exec(`INSERT OR REPLACE INTO search (rowid, kind, record_id, name, alt, company, emails, phones, city, tags, notes)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, rowid, sp.name, rec.meta().ID,
		d.name, d.alt, d.company, d.emails, d.phones, d.city, d.tags, d.notes); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	return nil
}

func (t *Tx) unindex(sp *entitySpec, rid int64) error {
	if sp.kindCode == 0 {
		return nil
	}
	if _, err := t.exec(`DELETE FROM search WHERE rowid = ?`, rid*4+int64(sp.kindCode)); err != nil {
		return fmt.Errorf("search unindex: %w", err)
	}
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

// reindexCompanyMembers refreshes contacts and deals that show a renamed
// company's name.
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

func newRecord(sp *entitySpec) Record {
	switch sp.name {
	case EntityCompany:
		return &Company{}
	case EntityContact:
		return &Contact{}
	case EntityDeal:
		return &Deal{}
	case EntityActivity:
		return &Activity{}
	case EntityTask:
		return &Task{}
	default:
		return &Visit{}
	}
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
		d.name = r.FullName
		d.alt = spelledOut(r.FullName + " " + company)
		d.company = strings.TrimSpace(company + " " + r.Title)
		var emails, phones, cities []string
		for _, e := range r.Emails {
			emails = append(emails, e.Address)
		}
		for _, p := range r.Phones {
			phones = append(phones, phoneSearchTokens(p, t.s.region)...)
		}
		for _, a := range r.Addresses {
			cities = append(cities, a.PostalCode, a.City)
		}
		d.emails, d.phones = strings.Join(emails, " "), strings.Join(phones, " ")
		d.city = strings.Join(cities, " ")
		d.alt += " " + spelledOut(d.city)
		d.tags, d.notes = strings.Join(r.Tags, " "), r.Notes
	case *Company:
		d.name = r.Name
		d.alt = spelledOut(r.Name + " " + r.City)
		d.company = r.Industry
		d.emails = r.Website
		if r.Phone != "" {
			d.phones = strings.Join(phoneSearchTokens(Phone{Number: r.Phone, E164: NormalizePhone(r.Phone, t.s.region)}, t.s.region), " ")
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
	return d, nil
}

// spelledOut returns the German transliteration (ä→ae, ß→ss) of the words of
// s that have one, so that "Mueller" finds "Müller"; the tokenizer's diacritic
// folding already lets "Muller" find it.
func spelledOut(s string) string {
	if !strings.ContainsAny(s, "äöüÄÖÜß") {
		return ""
	}
	r := strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "Ä", "Ae", "Ö", "Oe", "Ü", "Ue", "ß", "ss")
	return r.Replace(s)
}

// matchExpr turns what the rep typed into an FTS5 query: every word a prefix,
// all words required; runs of digit groups ("0171 234") are joined so that a
// phone number typed with spaces finds the stored digits.
func matchExpr(query string) string {
	var terms []string
	digitRun := ""
	flush := func() {
		if digitRun != "" {
			terms = append(terms, `"`+digitRun+`"*`)
			digitRun = ""
		}
	}
	for _, tok := range strings.FieldsFunc(query, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if isDigits(tok) {
			digitRun += tok
			continue
		}
		flush()
		terms = append(terms, `"`+tok+`"*`)
	}
	flush()
	return strings.Join(terms, " ")
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// Search finds contacts, companies and deals matching what the rep typed,
// best matches first.
func (s *Store) Search(ctx context.Context, query string, opts SearchOptions) ([]SearchHit, error) {
	expr := matchExpr(query)
	if expr == "" {
		return nil, nil
	}
	limit := opts.Limit
	if limit <= 0 {
		limit = 50
	}
	q := `SELECT kind, record_id, name, company, emails, phones, city, bm25(search, 0, 0, 10, 8, 4, 3, 3, 2, 2, 1)
		FROM search WHERE search MATCH ?`
	args := []any{expr}
	if len(opts.Kinds) > 0 {
		q += ` AND kind IN (` + strings.TrimSuffix(strings.Repeat("?,", len(opts.Kinds)), ",") + `)`
		for _, k := range opts.Kinds {
			args = append(args, k)
		}
	}
	q += ` ORDER BY 8 LIMIT ?`
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", query, err)
	}
	defer rows.Close()
	var hits []SearchHit
	for rows.Next() {
		var h SearchHit
		var company, emails, phones, city string
		if err := rows.Scan(&h.Kind, &h.ID, &h.Title, &company, &emails, &phones, &city, &h.Rank); err != nil {
			return nil, fmt.Errorf("search %q: %w", query, err)
		}
		h.Subtitle = strings.Join(nonEmpty(strings.TrimSpace(company), strings.TrimSpace(city)), " · ")
		h.Email, _, _ = strings.Cut(emails, " ")
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search %q: %w", query, err)
	}
	return hits, nil
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
