package ui

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"repdesk/localdb"
)

// row is one line of the contact or company list: just what the list shows
// and what the filter searches, so that 100,000 of them stay small and load
// fast (no JSON decoding of whole records).
type row struct {
	rid   int64  // the table's rowid: the order among equal names
	id    string // the record id
	title string // the name
	sub   string // company · e-mail, or city · industry
	fold  string // folded text the filter searches
}

// rowDetail is what the second loading step adds to a row.
type rowDetail struct{ sub, fold string }

// Loading 100,000 contacts takes two steps, because reading the table rows
// (wide, with JSON columns) is slow while the indexes are narrow: first the
// names and ids, straight from two indexes (the list is usable at once),
// then the company, e-mail, phone and city by one pass over the table.

// loadContactNames reads the names of every live contact in list order
// (name, then rowid) from the indexes alone.
func loadContactNames(ctx context.Context, db *sql.DB) ([]row, error) {
	ids := map[int64]string{}
	rs, err := db.QueryContext(ctx, `SELECT rid, id FROM contacts`)
	if err != nil {
		return nil, fmt.Errorf("load contact ids: %w", err)
	}
	for rs.Next() {
		var rid int64
		var id string
		if err := rs.Scan(&rid, &id); err != nil {
			rs.Close()
			return nil, fmt.Errorf("load contact ids: %w", err)
		}
		ids[rid] = id
	}
	err = rs.Err()
	rs.Close()
	if err != nil {
		return nil, fmt.Errorf("load contact ids: %w", err)
	}
	return queryRows(ctx, db, `SELECT rid, full_name FROM contacts WHERE deleted = 0 ORDER BY full_name COLLATE NOCASE, rid`,
		func(sc interface{ Scan(...any) error }) (row, error) {
			var r row
			err := sc.Scan(&r.rid, &r.title)
			r.id, r.fold = ids[r.rid], foldText(r.title)
			return r, err
		})
}

// contactDetailSelect reads what a contact row shows besides the name; the
// first e-mail, phone and city come out of the JSON columns in SQL.
const contactDetailSelect = `SELECT c.rid, c.id, c.full_name, c.title, c.company_id,
	COALESCE(json_extract(c.emails, '$[0].address'), ''),
	COALESCE(json_extract(c.phones, '$[0].number'), ''), COALESCE(json_extract(c.phones, '$[0].e164'), ''),
	COALESCE(json_extract(c.addresses, '$[0].city'), '')
	FROM contacts c`

type companyInfo struct{ name, city string }

// contactRow makes a full contact row from contactDetailSelect's columns.
func contactRow(sc interface{ Scan(...any) error }, companies func(id string) (companyInfo, error)) (row, error) {
	var r row
	var title, companyID, email, phone, e164, city string
	if err := sc.Scan(&r.rid, &r.id, &r.title, &title, &companyID, &email, &phone, &e164, &city); err != nil {
		return r, err
	}
	co, err := companies(companyID)
	if err != nil {
		return r, err
	}
	r.sub = joinNonEmpty(" · ", co.name, email)
	r.fold = foldText(r.title, title, co.name, email, city, co.city) + " " + digits(phone) + " " + digits(e164)
	return r, nil
}

// loadContactDetails reads the rest of every contact row, by id.
func loadContactDetails(ctx context.Context, db *sql.DB) (map[string]rowDetail, error) {
	companies := map[string]companyInfo{"": {}}
	rs, err := db.QueryContext(ctx, `SELECT id, name, city FROM companies WHERE deleted = 0`)
	if err != nil {
		return nil, fmt.Errorf("load companies: %w", err)
	}
	for rs.Next() {
		var id string
		var co companyInfo
		if err := rs.Scan(&id, &co.name, &co.city); err != nil {
			rs.Close()
			return nil, fmt.Errorf("load companies: %w", err)
		}
		companies[id] = co
	}
	err = rs.Err()
	rs.Close()
	if err != nil {
		return nil, fmt.Errorf("load companies: %w", err)
	}
	lookup := func(id string) (companyInfo, error) { return companies[id], nil }
	rows, err := queryRows(ctx, db, contactDetailSelect+` WHERE c.deleted = 0`, func(sc interface{ Scan(...any) error }) (row, error) {
		return contactRow(sc, lookup)
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]rowDetail, len(rows))
	for _, r := range rows {
		out[r.id] = rowDetail{r.sub, r.fold}
	}
	return out, nil
}

// companyLookup finds companies by id, remembering what it found.
func companyLookup(ctx context.Context, db *sql.DB) func(id string) (companyInfo, error) {
	seen := map[string]companyInfo{"": {}}
	return func(id string) (companyInfo, error) {
		if co, ok := seen[id]; ok {
			return co, nil
		}
		var co companyInfo
		err := db.QueryRowContext(ctx, `SELECT name, city FROM companies WHERE id = ? AND deleted = 0`, id).Scan(&co.name, &co.city)
		if errors.Is(err, sql.ErrNoRows) {
			err = nil
		}
		seen[id] = co
		return co, err
	}
}

// loadContactRow reads the full row of one contact.
func loadContactRow(ctx context.Context, db *sql.DB, id string) (row, error) {
	companies := companyLookup(ctx, db)
	return queryRow(ctx, db, contactDetailSelect+` WHERE c.deleted = 0 AND c.id = ?`, id, func(sc interface{ Scan(...any) error }) (row, error) {
		return contactRow(sc, companies)
	})
}

// loadContactDetailsFor reads the details of a few contacts: those the list
// shows before the whole table was read.
func loadContactDetailsFor(ctx context.Context, db *sql.DB, ids []string) (map[string]rowDetail, error) {
	companies := companyLookup(ctx, db)
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rs, err := db.QueryContext(ctx, contactDetailSelect+` WHERE c.id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("load contact rows: %w", err)
	}
	defer rs.Close()
	out := make(map[string]rowDetail, len(ids))
	for rs.Next() {
		r, err := contactRow(rs, companies)
		if err != nil {
			return nil, fmt.Errorf("load contact rows: %w", err)
		}
		out[r.id] = rowDetail{r.sub, r.fold}
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("load contact rows: %w", err)
	}
	return out, nil
}

const companyRowSelect = `SELECT rid, id, name, industry, city, postal_code, website FROM companies`

func scanCompanyRow(sc interface{ Scan(...any) error }) (row, error) {
	var r row
	var industry, city, postal, website string
	if err := sc.Scan(&r.rid, &r.id, &r.title, &industry, &city, &postal, &website); err != nil {
		return r, err
	}
	r.sub = joinNonEmpty(" · ", city, industry)
	r.fold = foldText(r.title, industry, postal, city, website)
	return r, nil
}

func loadCompanyRows(ctx context.Context, db *sql.DB) ([]row, error) {
	return queryRows(ctx, db, companyRowSelect+` WHERE deleted = 0 ORDER BY name COLLATE NOCASE, rid`, scanCompanyRow)
}

func loadCompanyRow(ctx context.Context, db *sql.DB, id string) (row, error) {
	return queryRow(ctx, db, companyRowSelect+` WHERE deleted = 0 AND id = ?`, id, scanCompanyRow)
}

func queryRows(ctx context.Context, db *sql.DB, q string, scan func(interface{ Scan(...any) error }) (row, error)) ([]row, error) {
	rs, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("load list: %w", err)
	}
	defer rs.Close()
	var out []row
	for rs.Next() {
		r, err := scan(rs)
		if err != nil {
			return nil, fmt.Errorf("load list: %w", err)
		}
		out = append(out, r)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("load list: %w", err)
	}
	return out, nil
}

func queryRow(ctx context.Context, db *sql.DB, q, id string, scan func(interface{ Scan(...any) error }) (row, error)) (row, error) {
	r, err := scan(db.QueryRowContext(ctx, q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("load row %s: %w", id, localdb.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("load row %s: %w", id, err)
	}
	return r, nil
}

// lessRow orders rows as SQLite's "name COLLATE NOCASE, rid" does (NOCASE
// folds ASCII letters only).
func lessRow(a, b *row) bool {
	if c := compareNoCase(a.title, b.title); c != 0 {
		return c < 0
	}
	return a.rid < b.rid
}

func compareNoCase(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := asciiLower(a[i]), asciiLower(b[i])
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}

func asciiLower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// filterRows returns the indices of rows whose folded text contains every
// word of query. It checks ctx now and then so that a newer keystroke can
// stop it.
func filterRows(ctx context.Context, rows []row, query string) ([]int32, error) {
	words := strings.Fields(foldText(query))
	out := make([]int32, 0, 256)
	for i := range rows {
		if i&4095 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if containsAll(rows[i].fold, words) {
			out = append(out, int32(i))
		}
	}
	return out, nil
}

// containsAll reports whether text contains every one of words.
func containsAll(text string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

// foldText lower-cases and strips accents ("Müller" → "muller"); words with
// German umlauts also appear spelled out ("mueller"), so both spellings
// find them.
func foldText(parts ...string) string {
	var b strings.Builder
	var spelled strings.Builder
	for i, p := range parts {
		if p == "" {
			continue
		}
		if i > 0 && b.Len() > 0 {
			b.WriteByte(' ')
		}
		umlaut := false
		for _, r := range p {
			f, alt := foldRune(r)
			b.WriteString(f)
			if alt != "" {
				umlaut = true
			}
		}
		if umlaut {
			spelled.WriteByte(' ')
			for _, r := range p {
				f, alt := foldRune(r)
				if alt != "" {
					f = alt
				}
				spelled.WriteString(f)
			}
		}
	}
	return b.String() + spelled.String()
}

// foldRune maps a rune to its folded form and, for German umlauts and ß, the
// spelled-out form.
func foldRune(r rune) (folded, spelled string) {
	if r < 0x80 {
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		return string(r), ""
	}
	switch unicode.ToLower(r) {
	case 'ä':
		return "a", "ae"
	case 'ö':
		return "o", "oe"
	case 'ü':
		return "u", "ue"
	case 'ß':
		return "ss", "ss"
	case 'à', 'á', 'â', 'ã', 'å', 'ā', 'ă', 'ą':
		return "a", ""
	case 'ç', 'ć', 'č':
		return "c", ""
	case 'è', 'é', 'ê', 'ë', 'ē', 'ė', 'ę', 'ě':
		return "e", ""
	case 'ì', 'í', 'î', 'ï', 'ī', 'į', 'ı':
		return "i", ""
	case 'ñ', 'ń', 'ň':
		return "n", ""
	case 'ò', 'ó', 'ô', 'õ', 'ø', 'ō', 'ő':
		return "o", ""
	case 'ù', 'ú', 'û', 'ū', 'ů', 'ű', 'ų':
		return "u", ""
	case 'ý', 'ÿ':
		return "y", ""
	case 'ś', 'š', 'ş':
		return "s", ""
	case 'ź', 'ż', 'ž':
		return "z", ""
	case 'ł':
		return "l", ""
	case 'ř':
		return "r", ""
	case 'ť':
		return "t", ""
	case 'ď':
		return "d", ""
	}
	return string(unicode.ToLower(r)), ""
}

func digits(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// contactNames looks up the names of contacts by id.
func contactNames(ctx context.Context, db *sql.DB, ids []string) (map[string]string, error) {
	names := map[string]string{}
	var args []any
	for _, id := range ids {
		if _, ok := names[id]; !ok && id != "" {
			names[id] = ""
			args = append(args, id)
		}
	}
	if len(args) == 0 {
		return names, nil
	}
	rs, err := db.QueryContext(ctx, `SELECT id, full_name FROM contacts WHERE id IN (`+
		strings.TrimSuffix(strings.Repeat("?,", len(args)), ",")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("contact names: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var id, name string
		if err := rs.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("contact names: %w", err)
		}
		names[id] = name
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("contact names: %w", err)
	}
	return names, nil
}
