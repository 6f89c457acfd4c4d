// Package calls is inside sales: call queues built from saved filters or the
// call tasks due, logging a call's outcome with its follow-up rules,
// cadences (named step lists that make tasks for enrolled contacts) and lead
// qualification. The queue screen, `repdesk queue`, `repdesk log` and the
// contact's call dialog all log calls through LogCall, so the rules apply the
// same way wherever a call is logged.
package calls

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"repdesk/localdb"
)

// Why a queue skips a contact.
const (
	SkipDoNotCall = "do_not_call"
	SkipNoPhone   = "no_phone" // no number, or every number was reported wrong
)

// Entry is one contact of a call queue.
type Entry struct {
	ContactID  string `json:"contact_id"`
	Name       string `json:"name"`
	CompanyID  string `json:"company_id"`
	Company    string `json:"company"`
	LeadStatus string `json:"lead_status"`
	City       string `json:"city"`
	// Phone is the number to dial: the primary one, else the first, of
	// those not reported wrong.
	Phone     string `json:"phone"`
	PhoneE164 string `json:"phone_e164"`
	// TaskID is the contact's earliest open call task due by the end of
	// today, if any; such contacts come first.
	TaskID    string     `json:"task_id"`
	TaskTitle string     `json:"task_title"`
	Due       *time.Time `json:"due"`
	// Skip says why the queue passes over this contact ("" to call it).
	Skip string `json:"skip"`
}

// Options tune Build.
type Options struct {
	Now      time.Time      // default time.Now
	Location *time.Location // the rep's time zone, for "today" (default time.Local)
	Limit    int            // at most this many entries (0: all)
	// IncludeCalledToday keeps contacts that had a call today and have no
	// call due; by default they are left out, so that a queue built again
	// goes on where the rep stopped.
	IncludeCalledToday bool
}

func (o *Options) defaults() {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Location == nil {
		o.Location = time.Local
	}
}

// today returns the start and end of the day of now in loc.
func today(now time.Time, loc *time.Location) (time.Time, time.Time) {
	y, m, d := now.In(loc).Date()
	start := time.Date(y, m, d, 0, 0, 0, 0, loc)
	return start, start.AddDate(0, 0, 1)
}

// Build makes the call queue of filter f: the contacts it selects, those
// with a call due first (earliest first), then by name. Do-not-call contacts
// and contacts without a number to dial stay in the queue, marked with the
// reason they are skipped.
//
// The queue is one set-based read of the contacts (two with a limit: those
// with a call due, the first others), with no query per contact; what a
// long queue costs is per row (each column fetched, each index probe,
// SQLite's sorter). So the few calls due and the few contacts called today
// are read beforehand and looked up here, the reads fetch only what an
// entry shows, the companies are read once for all entries, and a whole
// queue is put in order here, ten times faster than SQLite's sorter.
func Build(ctx context.Context, s *localdb.Store, f localdb.QueueFilter, o Options) ([]Entry, error) {
	o.defaults()
	f.Tidy()
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("build queue: %w", err)
	}
	dayStart, dayEnd := today(o.Now, o.Location)
	due, err := callsDue(ctx, s.DB(), dayEnd)
	if err != nil {
		return nil, fmt.Errorf("build queue: %w", err)
	}
	var calledToday map[string]bool
	if !f.DueToday && !o.IncludeCalledToday {
		if calledToday, err = calledSince(ctx, s.DB(), dayStart); err != nil {
			return nil, fmt.Errorf("build queue: %w", err)
		}
	}
	where, args := conditions(s, f)
	const sel = `SELECT c.id, c.full_name, c.company_id, c.lead_status, c.phones, c.do_not_call,
			COALESCE(json_extract(c.addresses, '$[0].city'), '') `
	var out []Entry
	if f.DueToday || o.Limit > 0 {
		// The contacts with a call due on their own, from the calls to
		// their contacts: SQLite, knowing nothing of their number, would
		// rather walk every contact.
		dueArgs := append([]any{localdb.StoredTime(dayEnd)}, args...)
		if out, err = scanEntries(ctx, s.DB(), sel+`FROM (SELECT DISTINCT contact_id FROM tasks WHERE `+callsDueWhere+`) d
			CROSS JOIN contacts c ON c.id = d.contact_id WHERE `+where, dueArgs); err != nil {
			return nil, fmt.Errorf("build queue: %w", err)
		}
	}
	if !f.DueToday {
		// All contacts of the filter, or (with a limit) the first by name
		// of those without a call due: SQLite keeps only those while
		// sorting, and enough of them to make up for the ones dropped
		// here. A whole list is sorted here.
		q := sel + `FROM contacts c WHERE ` + where
		if o.Limit > 0 {
			q += ` ORDER BY c.full_name COLLATE NOCASE, c.id LIMIT ?`
			args = append(args, o.Limit+len(due)+len(calledToday))
		}
		rest, err := scanEntries(ctx, s.DB(), q, args)
		if err != nil {
			return nil, fmt.Errorf("build queue: %w", err)
		}
		for _, e := range rest {
			_, isDue := due[e.ContactID]
			if (isDue && o.Limit <= 0) || (!isDue && !calledToday[e.ContactID]) {
				out = append(out, e)
			}
		}
	}
	for i := range out {
		if call, ok := due[out[i].ContactID]; ok {
			out[i].Due, out[i].TaskID, out[i].TaskTitle = &call.at, call.taskID, call.title
		}
	}
	out = sortedQueue(out, o.Limit)
	return out, companyPlaces(ctx, s.DB(), out)
}

// dueCall is a contact's earliest open call task due by the end of today.
type dueCall struct {
	at            time.Time
	taskID, title string
}

// callsDueWhere selects the open call tasks of contacts due before its one
// parameter, the end of today.
const callsDueWhere = `kind = 'call' AND done = 0 AND deleted = 0 AND due <> '' AND due < ? AND contact_id <> ''`

// callsDue reads the open call tasks due before dayEnd, the earliest of
// each contact (on equal times, the first id). They are few: one range of
// their index.
func callsDue(ctx context.Context, db *sql.DB, dayEnd time.Time) (map[string]dueCall, error) {
	rows, err := db.QueryContext(ctx, `SELECT contact_id, due, id, title FROM tasks WHERE `+callsDueWhere+`
		ORDER BY due DESC, id DESC`, localdb.StoredTime(dayEnd))
	if err != nil {
		return nil, fmt.Errorf("calls due: %w", err)
	}
	defer rows.Close()
	out := map[string]dueCall{}
	for rows.Next() {
		var contactID, at string
		var c dueCall
		if err := rows.Scan(&contactID, &at, &c.taskID, &c.title); err != nil {
			return nil, fmt.Errorf("calls due: %w", err)
		}
		if c.at, err = time.Parse(time.RFC3339Nano, at); err != nil {
			return nil, fmt.Errorf("call %s due %q: %w", c.taskID, at, err)
		}
		out[contactID] = c // the earliest comes last
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("calls due: %w", err)
	}
	return out, nil
}

// calledSince reads the contacts with a call logged since start (today's
// calls are few: one range of their index).
func calledSince(ctx context.Context, db *sql.DB, start time.Time) (map[string]bool, error) {
	rows, err := db.QueryContext(ctx, `SELECT contact_id FROM activities WHERE kind = 'call' AND occurred_at >= ? AND deleted = 0`,
		localdb.StoredTime(start))
	if err != nil {
		return nil, fmt.Errorf("calls today: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("calls today: %w", err)
		}
		out[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("calls today: %w", err)
	}
	return out, nil
}

// companyPlaces fills in the company name of the entries, and the company's
// city where the contact has none.
func companyPlaces(ctx context.Context, db *sql.DB, entries []Entry) error {
	type place struct{ name, city string }
	places := map[string]place{}
	var ids []any
	for _, e := range entries {
		if _, ok := places[e.CompanyID]; !ok && e.CompanyID != "" {
			places[e.CompanyID] = place{}
			ids = append(ids, e.CompanyID)
		}
	}
	// A few companies are looked up, many are read in one go.
	// The narrow companies_queue index, not the wide rows of the table.
	q := `SELECT id, name, city FROM companies INDEXED BY companies_queue WHERE deleted = 0`
	if len(ids) > 500 {
		ids = nil
	} else if len(ids) > 0 {
		q += ` AND id IN (` + marks(len(ids)) + `)`
	} else {
		return nil
	}
	rows, err := db.QueryContext(ctx, q, ids...)
	if err != nil {
		return fmt.Errorf("build queue: companies: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var p place
		if err := rows.Scan(&id, &p.name, &p.city); err != nil {
			return fmt.Errorf("build queue: companies: %w", err)
		}
		places[id] = p
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("build queue: companies: %w", err)
	}
	for i := range entries {
		e := &entries[i]
		if p, ok := places[e.CompanyID]; ok {
			e.Company = p.name
			if e.City == "" {
				e.City = p.city
			}
		}
	}
	return nil
}

// sortedQueue returns the first limit (0: all) of entries in queue order.
// Entries are large: their pointers are sorted, and each entry is copied
// once. The contacts without a call due often come in order already (from
// an index in name order): they are sorted only when they do not.
func sortedQueue(entries []Entry, limit int) []Entry {
	var due, others []*Entry
	for i := range entries {
		if entries[i].Due != nil {
			due = append(due, &entries[i])
		} else {
			others = append(others, &entries[i])
		}
	}
	slices.SortFunc(due, queueOrder)
	if !slices.IsSortedFunc(others, queueOrder) {
		slices.SortFunc(others, queueOrder)
	}
	order := append(due, others...)
	if limit > 0 && len(order) > limit {
		order = order[:limit]
	}
	out := make([]Entry, len(order))
	for i, e := range order {
		out[i] = *e
	}
	return out
}

// queueOrder puts the contacts with a call due first, earliest first, then
// the others; each by name as SQLite's NOCASE collation orders them (the
// order of the contact list), then by id.
func queueOrder(a, b *Entry) int {
	switch {
	case a.Due != nil && b.Due != nil:
		if c := a.Due.Compare(*b.Due); c != 0 {
			return c
		}
	case a.Due != nil:
		return -1
	case b.Due != nil:
		return 1
	}
	if c := compareNoCase(a.Name, b.Name); c != 0 {
		return c
	}
	return strings.Compare(a.ContactID, b.ContactID)
}

// compareNoCase compares as SQLite's NOCASE collation does: bytewise, with
// the ASCII letters folded to lower case (and nothing else folded).
func compareNoCase(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] == b[i] {
			continue
		}
		if x, y := lowerASCII(a[i]), lowerASCII(b[i]); x != y {
			return cmp.Compare(x, y)
		}
	}
	return cmp.Compare(len(a), len(b))
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// conditions is the WHERE clause of filter f on contacts c.
func conditions(s *localdb.Store, f localdb.QueueFilter) (string, []any) {
	where := []string{"c.deleted = 0"}
	var args []any
	if len(f.LeadStatus) > 0 {
		where = append(where, `c.lead_status IN (`+marks(len(f.LeadStatus))+`)`)
		for _, st := range f.LeadStatus {
			args = append(args, st)
		}
	}
	// A tag is looked up in contact_tags (kept by triggers, migration 0011).
	// The sets of rids here are filters (the unary +): were SQLite to walk
	// them for every due call, a queue of calls due would take seconds.
	for _, tag := range f.Tags {
		where = append(where, `+c.rid IN (SELECT contact_rid FROM contact_tags WHERE tag = ?)`)
		args = append(args, tag)
	}
	// Contacts of the place by their own first address or their company's;
	// each half is an index range, hence the union instead of an OR. The
	// companies are named by their place's index: left to choose, SQLite
	// walks every live company by name.
	if f.City != "" {
		where = append(where, `+c.rid IN (SELECT rid FROM contacts WHERE json_extract(addresses, '$[0].city') = ? COLLATE NOCASE
			UNION ALL SELECT c2.rid FROM companies co2 INDEXED BY companies_city JOIN contacts c2 ON c2.company_id = co2.id
			WHERE co2.city = ? COLLATE NOCASE AND co2.deleted = 0)`)
		args = append(args, f.City, f.City)
	}
	if f.PostalPrefix != "" {
		hi := f.PostalPrefix + "\U0010FFFF"
		where = append(where, `+c.rid IN (SELECT rid FROM contacts WHERE json_extract(addresses, '$[0].postal_code') >= ?
				AND json_extract(addresses, '$[0].postal_code') < ?
			UNION ALL SELECT c2.rid FROM companies co2 INDEXED BY companies_postal JOIN contacts c2 ON c2.company_id = co2.id
			WHERE co2.postal_code >= ? AND co2.postal_code < ? AND co2.deleted = 0)`)
		args = append(args, f.PostalPrefix, hi, f.PostalPrefix, hi)
	}
	if f.Owner != "" {
		owner := f.Owner
		if strings.EqualFold(owner, "me") {
			owner = s.Owner()
		}
		where = append(where, `c.owner = ?`)
		args = append(args, owner)
	}
	return strings.Join(where, " AND "), args
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

func scanEntries(ctx context.Context, db *sql.DB, q string, args []any) ([]Entry, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Entry
	var phones []localdb.Phone
	for rows.Next() {
		var e Entry
		var status, phonesJSON sql.RawBytes
		var dnc bool
		if err := rows.Scan(&e.ContactID, &e.Name, &e.CompanyID, &status, &phonesJSON, &dnc, &e.City); err != nil {
			return nil, err
		}
		e.LeadStatus = known(status, localdb.LeadStatuses)
		if phones, err = decodeStoredPhones(phonesJSON, phones[:0]); err != nil {
			return nil, fmt.Errorf("phones of contact %s: %w", e.ContactID, err)
		}
		if p, ok := Dialable(phones); ok {
			e.Phone, e.PhoneE164 = p.Number, p.E164
		}
		switch {
		case dnc:
			e.Skip = SkipDoNotCall
		case e.Phone == "":
			e.Skip = SkipNoPhone
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// decodeStoredPhones decodes a contact's phones column into buf. The column
// always holds what encoding/json makes of []localdb.Phone (local writes
// encode it so, and changes from sync are decoded and encoded again): the
// fields in their order, empty ones left out, strings quoted plainly. That
// form is read here directly, which is most of the time of a long queue
// saved; anything else (an escaped character, say) goes to json.Unmarshal.
func decodeStoredPhones(raw []byte, buf []localdb.Phone) ([]localdb.Phone, error) {
	if phones, ok := readPlainPhones(raw, buf); ok {
		return phones, nil
	}
	phones := buf[:0]
	if err := json.Unmarshal(raw, &phones); err != nil {
		return nil, err
	}
	return phones, nil
}

// phoneTypes are the usual phone types, shared by the entries instead of
// a copy each.
var phoneTypes = []string{localdb.PhoneWork, localdb.PhoneMobile, localdb.PhoneHome, localdb.PhoneFax}

// known returns the one of values that b spells, else b as a new string: a
// long queue holds few distinct lead statuses and phone types, and a string
// each would be 20,000 allocations more.
func known(b []byte, values []string) string {
	for _, v := range values {
		if string(b) == v {
			return v
		}
	}
	return string(b)
}

// readPlainPhones reads raw if it is in the plain form decodeStoredPhones
// describes; ok is false for anything else.
func readPlainPhones(raw []byte, buf []localdb.Phone) (phones []localdb.Phone, ok bool) {
	rest := raw
	take := func(lit string) bool {
		if !bytes.HasPrefix(rest, []byte(lit)) {
			return false
		}
		rest = rest[len(lit):]
		return true
	}
	// text reads the rest of a string whose opening quote was taken, as
	// one of values or a new string: plain when it has no escape and no
	// control character (which JSON escapes).
	text := func(s *string, values []string) bool {
		for end, c := range rest {
			switch {
			case c == '"':
				if !utf8.Valid(rest[:end]) {
					return false
				}
				*s, rest = known(rest[:end], values), rest[end+1:]
				return true
			case c == '\\' || c < 0x20:
				return false
			}
		}
		return false
	}
	phones = buf[:0]
	if !take("[") {
		return nil, false
	}
	if take("]") {
		return phones, len(rest) == 0
	}
	for {
		var p localdb.Phone
		if !take(`{"number":"`) || !text(&p.Number, nil) {
			return nil, false
		}
		if take(`,"type":"`) && !text(&p.Type, phoneTypes) {
			return nil, false
		}
		if take(`,"e164":"`) && !text(&p.E164, nil) {
			return nil, false
		}
		p.Primary = take(`,"primary":true`)
		p.Flagged = take(`,"flagged":true`)
		if !take("}") {
			return nil, false
		}
		phones = append(phones, p)
		if take(",") {
			continue
		}
		return phones, take("]") && len(rest) == 0
	}
}

// Dialable picks the number to dial from phones: the primary one, else the
// first, of those not reported wrong (fax numbers are never dialled).
func Dialable(phones []localdb.Phone) (localdb.Phone, bool) {
	var first *localdb.Phone
	for i := range phones {
		p := &phones[i]
		if p.Flagged || p.Type == localdb.PhoneFax || p.Number == "" {
			continue
		}
		if p.Primary {
			return *p, true
		}
		if first == nil {
			first = p
		}
	}
	if first == nil {
		return localdb.Phone{}, false
	}
	return *first, true
}

// Next returns the index of the first entry from i on that is not skipped,
// and the entries skipped on the way; -1 when none is left.
func Next(entries []Entry, i int) (int, []Entry) {
	var skipped []Entry
	for ; i < len(entries); i++ {
		if entries[i].Skip == "" {
			return i, skipped
		}
		skipped = append(skipped, entries[i])
	}
	return -1, skipped
}
