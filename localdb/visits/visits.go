// Package visits holds the field-visit workflow on top of the store: booking
// a visit for a field rep, the day planner (adding companies to a day and
// ordering the route), the visit report, and reading a rep's day or week with
// the names and addresses the list, the calendar export and the brief need.
// Every change goes through a localdb.Tx, so it is journaled and syncs.
package visits

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"repdesk/localdb"
)

// DefaultDuration is how long a visit lasts unless told otherwise.
const DefaultDuration = time.Hour

// Booking is a visit an inside rep books for a field rep.
type Booking struct {
	CompanyID string // filled in from the contact when empty
	ContactID string
	Assignee  string // the field rep who makes the visit (required)
	Start     time.Time
	Duration  time.Duration // DefaultDuration when zero
	Purpose   string
}

// Book creates the visit, placed after the assignee's other visits of that
// day in the planner's order.
func Book(t *localdb.Tx, b Booking) (*localdb.Visit, error) {
	b.Assignee = strings.TrimSpace(b.Assignee)
	if b.Assignee == "" {
		return nil, fmt.Errorf("book visit: assignee: required: who makes the visit")
	}
	if b.Start.IsZero() {
		return nil, fmt.Errorf("book visit: start: required: when does the visit start")
	}
	if b.Duration == 0 {
		b.Duration = DefaultDuration
	}
	if b.Duration < 0 || b.Duration > 24*time.Hour {
		return nil, fmt.Errorf("book visit: duration %s: must be between 1 minute and 24 hours", b.Duration)
	}
	if b.ContactID != "" {
		c, err := t.GetContact(b.ContactID)
		if err != nil {
			return nil, fmt.Errorf("book visit: contact %s: %w", b.ContactID, err)
		}
		switch {
		case b.CompanyID == "":
			b.CompanyID = c.CompanyID
		case c.CompanyID != "" && c.CompanyID != b.CompanyID:
			return nil, fmt.Errorf("book visit: contact %s (%s) works at company %s, not at %s", c.ID, c.FullName, c.CompanyID, b.CompanyID)
		}
	}
	pos, err := nextPosition(t, b.Assignee, b.Start)
	if err != nil {
		return nil, fmt.Errorf("book visit: %w", err)
	}
	v := &localdb.Visit{StartAt: b.Start, EndAt: b.Start.Add(b.Duration), CompanyID: b.CompanyID, ContactID: b.ContactID,
		Assignee: b.Assignee, Purpose: b.Purpose, Position: pos}
	if err := t.Create(v); err != nil {
		return nil, fmt.Errorf("book visit: %w", err)
	}
	return v, nil
}

// DayRange is the start of day's date in loc and the start of the next day.
func DayRange(day time.Time, loc *time.Location) (from, to time.Time) {
	y, m, d := day.In(loc).Date()
	from = time.Date(y, m, d, 0, 0, 0, 0, loc)
	return from, from.AddDate(0, 0, 1)
}

// ParseDay reads a date YYYY-MM-DD as that day in loc.
func ParseDay(s string, loc *time.Location) (time.Time, error) {
	d, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(s), loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("day %q: write it as YYYY-MM-DD", s)
	}
	return d, nil
}

// ParseWeek reads an ISO week YYYY-Www (2026-W49) and returns its Monday
// 00:00 and the next Monday in loc.
func ParseWeek(s string, loc *time.Location) (from, to time.Time, err error) {
	y, w, ok := strings.Cut(strings.ToUpper(strings.TrimSpace(s)), "-W")
	year, err1 := strconv.Atoi(y)
	week, err2 := strconv.Atoi(w)
	if !ok || err1 != nil || err2 != nil || len(y) != 4 || len(w) != 2 || week < 1 || week > 53 {
		return from, to, fmt.Errorf("week %q: write it as YYYY-Www, e.g. 2026-W49", s)
	}
	// January 4th is always in week 1.
	jan4 := time.Date(year, 1, 4, 0, 0, 0, 0, loc)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+(week-1)*7)
	if wy, ww := monday.ISOWeek(); wy != year || ww != week {
		return from, to, fmt.Errorf("week %q: %d has no week %d", s, year, week)
	}
	return monday, monday.AddDate(0, 0, 7), nil
}

// ParseStart reads "2026-12-01 10:00" (or with a T) as a time in loc.
func ParseStart(s string, loc *time.Location) (time.Time, error) {
	s = strings.Replace(strings.TrimSpace(s), "T", " ", 1)
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("start %q: write it as \"YYYY-MM-DD HH:MM\"", s)
}

// Row is a visit with the names and the company address it is shown with.
type Row struct {
	localdb.Visit
	Company string
	Contact string
	// Address of the company: street, postal code, city, country.
	Street, PostalCode, City, Country string
	// ContactPhone is the contact's first phone number.
	ContactPhone string
}

// Address is the company's address on one line ("Hauptstr. 1, 10115 Berlin").
func (r Row) Address() string {
	var parts []string
	for _, p := range []string{r.Street, strings.TrimSpace(r.PostalCode + " " + r.City), r.Country} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// Filter selects visits for List.
type Filter struct {
	Assignee string
	From, To time.Time // start within [From, To); zero means open
	IDs      []string  // only these visits
	Limit    int
}

const rowSelect = `SELECT v.id, v.version, v.created_at, v.updated_at, v.owner, v.start_at, v.end_at, v.company_id, v.contact_id,
	v.assignee, v.purpose, v.status, v.report, v.position, v.outcome,
	COALESCE(co.name, ''), COALESCE(ct.full_name, ''), COALESCE(co.street, ''), COALESCE(co.postal_code, ''),
	COALESCE(co.city, ''), COALESCE(co.country, ''), COALESCE(json_extract(ct.phones, '$[0].number'), '')
	FROM visits v
	LEFT JOIN companies co ON co.id = v.company_id AND co.deleted = 0
	LEFT JOIN contacts ct ON ct.id = v.contact_id AND ct.deleted = 0
	WHERE v.deleted = 0`

const storedTime = "2006-01-02T15:04:05.000000Z"

// List returns the live visits of the filter by start time (a day's visits
// in the planner's order, see Reorder).
func List(ctx context.Context, st *localdb.Store, f Filter) ([]Row, error) {
	q := rowSelect
	var args []any
	if f.Assignee != "" {
		q += ` AND v.assignee = ?`
		args = append(args, strings.TrimSpace(f.Assignee))
	}
	if !f.From.IsZero() {
		q += ` AND v.start_at >= ?`
		args = append(args, f.From.UTC().Format(storedTime))
	}
	if !f.To.IsZero() {
		q += ` AND v.start_at < ?`
		args = append(args, f.To.UTC().Format(storedTime))
	}
	if len(f.IDs) > 0 {
		q += ` AND v.id IN (` + strings.TrimSuffix(strings.Repeat("?,", len(f.IDs)), ",") + `)`
		for _, id := range f.IDs {
			args = append(args, id)
		}
	}
	q += ` ORDER BY v.start_at, v.position, v.id`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	rs, err := st.DB().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list visits: %w", err)
	}
	defer rs.Close()
	var out []Row
	for rs.Next() {
		var r Row
		var created, updated, start, end string
		if err := rs.Scan(&r.ID, &r.Version, &created, &updated, &r.Owner, &start, &end, &r.CompanyID, &r.ContactID,
			&r.Assignee, &r.Purpose, &r.Status, &r.Report, &r.Position, &r.Outcome,
			&r.Company, &r.Contact, &r.Street, &r.PostalCode, &r.City, &r.Country, &r.ContactPhone); err != nil {
			return nil, fmt.Errorf("list visits: %w", err)
		}
		for _, p := range []struct {
			dst *time.Time
			src string
		}{{&r.CreatedAt, created}, {&r.UpdatedAt, updated}, {&r.StartAt, start}, {&r.EndAt, end}} {
			if *p.dst, err = time.Parse(time.RFC3339Nano, p.src); err != nil {
				return nil, fmt.Errorf("list visits: time %q of visit %s: %w", p.src, r.ID, err)
			}
		}
		out = append(out, r)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("list visits: %w", err)
	}
	return out, nil
}

// Get returns one live visit as a Row.
func Get(ctx context.Context, st *localdb.Store, id string) (Row, error) {
	rows, err := List(ctx, st, Filter{IDs: []string{id}})
	if err != nil {
		return Row{}, err
	}
	if len(rows) == 0 {
		return Row{}, fmt.Errorf("visit %s: %w", id, localdb.ErrNotFound)
	}
	return rows[0], nil
}

// dayVisits returns the assignee's live visits on the day of at (in at's
// location), in route order.
func dayVisits(t *localdb.Tx, assignee string, at time.Time) ([]localdb.Visit, error) {
	from, to := DayRange(at, at.Location())
	rs, err := t.SQL().QueryContext(t.Context(), `SELECT id FROM visits WHERE assignee = ? AND deleted = 0 AND start_at >= ? AND start_at < ?
		ORDER BY start_at, position, id`, assignee, from.UTC().Format(storedTime), to.UTC().Format(storedTime))
	if err != nil {
		return nil, fmt.Errorf("visits of %s on %s: %w", assignee, from.Format("2006-01-02"), err)
	}
	var ids []string
	for rs.Next() {
		var id string
		if err := rs.Scan(&id); err != nil {
			rs.Close()
			return nil, fmt.Errorf("visits of %s: %w", assignee, err)
		}
		ids = append(ids, id)
	}
	if err := rs.Err(); err != nil {
		rs.Close()
		return nil, fmt.Errorf("visits of %s: %w", assignee, err)
	}
	rs.Close()
	out := make([]localdb.Visit, len(ids))
	for i, id := range ids {
		if err := t.Read(&out[i], id); err != nil {
			return nil, fmt.Errorf("visit %s: %w", id, err)
		}
	}
	return out, nil
}

// nextPosition is one more than the highest position of the assignee's
// visits on the day of at.
func nextPosition(t *localdb.Tx, assignee string, at time.Time) (int64, error) {
	vs, err := dayVisits(t, assignee, at)
	if err != nil {
		return 0, err
	}
	var top int64
	for _, v := range vs {
		top = max(top, v.Position)
	}
	return top + 1, nil
}

// ErrNotPlanned is returned for changes that only a planned visit allows.
var ErrNotPlanned = errors.New("the visit is not planned any more")
