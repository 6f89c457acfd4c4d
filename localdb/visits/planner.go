package visits

import (
	"fmt"
	"slices"
	"time"

	"repdesk/localdb"
)

// Plan says how the planner lays out a day.
type Plan struct {
	Assignee string
	// DayStart is when the first visit of an empty day starts, after
	// midnight (default 9 hours: 09:00).
	DayStart time.Duration
	Duration time.Duration // of each new visit (default DefaultDuration)
	// Travel is the time between the end of one visit and the start of the
	// next (default 30 minutes).
	Travel  time.Duration
	Purpose string
}

func (p *Plan) defaults() {
	if p.DayStart == 0 {
		p.DayStart = 9 * time.Hour
	}
	if p.Duration == 0 {
		p.Duration = DefaultDuration
	}
	if p.Travel == 0 {
		p.Travel = 30 * time.Minute
	}
}

// AddCompanies adds a visit to each company at the end of the assignee's
// route on day (a date in the rep's location): the first at DayStart on an
// empty day, each next one Travel after the end of the one before.
func AddCompanies(t *localdb.Tx, day time.Time, companyIDs []string, p Plan) ([]*localdb.Visit, error) {
	p.defaults()
	if p.Assignee == "" {
		return nil, fmt.Errorf("plan visits: assignee: required: whose day is planned")
	}
	from, _ := DayRange(day, day.Location())
	existing, err := dayVisits(t, p.Assignee, from)
	if err != nil {
		return nil, fmt.Errorf("plan visits: %w", err)
	}
	next := from.Add(p.DayStart)
	var pos int64
	for _, v := range existing {
		next = later(next, v.EndAt.In(day.Location()).Add(p.Travel))
		pos = max(pos, v.Position)
	}
	var out []*localdb.Visit
	for _, id := range companyIDs {
		pos++
		v := &localdb.Visit{StartAt: next, EndAt: next.Add(p.Duration), CompanyID: id, Assignee: p.Assignee,
			Purpose: p.Purpose, Position: pos}
		if err := t.Create(v); err != nil {
			return nil, fmt.Errorf("plan visit to company %s: %w", id, err)
		}
		out = append(out, v)
		next = v.EndAt.Add(p.Travel)
	}
	return out, nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// Reorder puts the visits ids, all of one assignee and one day, in this
// route order: the day's time slots stay where they are (a customer's 14:00
// stays a 14:00 slot) and the visits move into them in the new order, each
// keeping its own length; positions become 1, 2, 3, .... Only visits that
// moved are written. loc is the rep's time zone, where the day is a day.
func Reorder(t *localdb.Tx, ids []string, loc *time.Location) error {
	if len(ids) == 0 {
		return nil
	}
	vs := make([]localdb.Visit, len(ids))
	seen := map[string]bool{}
	for i, id := range ids {
		if seen[id] {
			return fmt.Errorf("reorder visits: visit %s is listed twice", id)
		}
		seen[id] = true
		if err := t.Read(&vs[i], id); err != nil {
			return fmt.Errorf("reorder visits: visit %s: %w", id, err)
		}
		if vs[i].Assignee != vs[0].Assignee {
			return fmt.Errorf("reorder visits: visit %s is %s's, visit %s is %s's: only one rep's route is ordered at once",
				vs[i].ID, vs[i].Assignee, vs[0].ID, vs[0].Assignee)
		}
		if y, m, d := vs[i].StartAt.In(loc).Date(); !sameDay(vs[0].StartAt.In(loc), y, m, d) {
			return fmt.Errorf("reorder visits: visit %s is on %s, visit %s on %s: only one day's route is ordered at once",
				vs[i].ID, vs[i].StartAt.In(loc).Format("2006-01-02"), vs[0].ID, vs[0].StartAt.In(loc).Format("2006-01-02"))
		}
	}
	slots := make([]time.Time, len(vs))
	for i, v := range vs {
		slots[i] = v.StartAt
	}
	slices.SortFunc(slots, time.Time.Compare)
	for i := range vs {
		v := &vs[i]
		pos := int64(i + 1)
		if v.StartAt.Equal(slots[i]) && v.Position == pos {
			continue
		}
		length := v.EndAt.Sub(v.StartAt)
		v.StartAt, v.EndAt, v.Position = slots[i], slots[i].Add(length), pos
		if err := t.Save(v); err != nil {
			return fmt.Errorf("reorder visits: %w", err)
		}
	}
	return nil
}

func sameDay(t time.Time, y int, m time.Month, d int) bool {
	ty, tm, td := t.Date()
	return ty == y && tm == m && td == d
}
