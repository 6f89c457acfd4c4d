package visits

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"repdesk/localdb"
)

// Stop is a visit of a route and where it is, as far as the data says:
// there are no coordinates, only the postal code and city of the visited
// company (or of the contact, when the visit has no company).
type Stop struct {
	ID         string
	PostalCode string
	City       string
	Country    string // "" when not known
}

// located reports whether anything says where the stop is.
func (s Stop) located() bool { return s.PostalCode != "" || s.City != "" }

// Distance apart of two stops in different countries, or with no postal
// code in common and no city in common; and of two in the same city when one
// lacks a postal code (German postal codes of one city share about their
// first three digits).
const (
	farApart = 100
	sameCity = 20
)

// distance estimates how far apart two located stops are from their postal
// codes: German codes that share leading digits are in one region (10xxx
// and 12xxx are both Berlin, 80xxx and 81xxx both Munich), so the fewer
// digits two codes share, the farther apart they are; within the same
// number of shared digits, the nearer the first differing digit, the nearer
// the stops. Without two postal codes, the city decides. Postal codes of
// two countries say nothing about each other (Basel's 4051 is not near
// Düsseldorf's 40213): stops in different countries, or with postal codes
// of different lengths, are far apart.
func distance(a, b Stop) int {
	if a.Country != "" && b.Country != "" && !strings.EqualFold(a.Country, b.Country) {
		return farApart
	}
	if a.PostalCode != "" && b.PostalCode != "" {
		pa, pb := a.PostalCode, b.PostalCode
		if len(pa) != len(pb) {
			return farApart // two postal systems (5 digits in Germany, 4 in Austria and Switzerland)
		}
		shared := 0
		for shared < len(pa) && pa[shared] == pb[shared] {
			shared++
		}
		if shared == len(pa) {
			return 0
		}
		gap := 9
		if isDigit(pa[shared]) && isDigit(pb[shared]) {
			gap = abs(int(pa[shared]) - int(pb[shared]))
		}
		return (len(pa)-shared)*10 + gap
	}
	if a.City != "" && strings.EqualFold(a.City, b.City) {
		return sameCity
	}
	return farApart
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// ProposeRoute proposes a travel order for stops, given in their present
// order: a nearest-neighbour walk from the first located stop, each next
// stop the nearest of those left by distance (on a tie, the one that came
// first). Stops with neither postal code nor city keep their place in the
// order; they are returned in kept. order holds indexes into stops.
func ProposeRoute(stops []Stop) (order []int, kept []int) {
	var walk []int
	for i, s := range stops {
		if s.located() {
			walk = append(walk, i)
		} else {
			kept = append(kept, i)
		}
	}
	// walk[:done] is the route so far; the rest are the stops left.
	for done := 1; done < len(walk); done++ {
		from := stops[walk[done-1]]
		best := done
		for i := done + 1; i < len(walk); i++ {
			if distance(from, stops[walk[i]]) < distance(from, stops[walk[best]]) {
				best = i
			}
		}
		// Moving the nearest forward keeps the others in their order, so
		// that ties go to the stop that came first.
		nearest := walk[best]
		copy(walk[done+1:best+1], walk[done:best])
		walk[done] = nearest
	}
	order = make([]int, 0, len(stops))
	for i, s := range stops {
		if s.located() {
			order = append(order, walk[0])
			walk = walk[1:]
		} else {
			order = append(order, i)
		}
	}
	return order, kept
}

// RouteResult is what OrderRoute did.
type RouteResult struct {
	// Visits are the day's visits in their new order, with their new times.
	Visits []localdb.Visit
	// Unlocated are the visits whose company (or contact) has neither a
	// postal code nor a city: they kept their place in the route.
	Unlocated []localdb.Visit
	// FullDay is set when the visits, one after the other with the travel
	// time between them, would run into the next day: they took the day's
	// time slots in the new order instead.
	FullDay bool
}

// OrderRoute puts the assignee's visits on day (a date in the rep's
// location) in the travel order ProposeRoute gives, starting from the
// first visit of the route as it is, and re-times them as AddCompanies lays
// out a day: the first starts when the day's first visit starts, each next
// one p.Travel after the end of the one before, each keeping its own
// length; positions become 1, 2, 3, .... Visits already done or cancelled
// keep their place and their time. A day too full for that keeps its time
// slots instead (see RouteResult.FullDay). Only visits that changed are
// written.
func OrderRoute(t *localdb.Tx, day time.Time, p Plan) (RouteResult, error) {
	p.defaults()
	assignee := strings.TrimSpace(p.Assignee)
	if assignee == "" {
		return RouteResult{}, fmt.Errorf("order route: assignee: required: whose day is ordered")
	}
	from, dayEnd := DayRange(day, day.Location())
	vs, err := dayVisits(t, assignee, from)
	if err != nil || len(vs) == 0 {
		return RouteResult{Visits: vs}, err
	}
	stops := make([]Stop, len(vs))
	for i, v := range vs {
		if stops[i], err = stopOf(t, v); err != nil {
			return RouteResult{}, fmt.Errorf("order route: %w", err)
		}
		if v.Status != localdb.VisitPlanned {
			// A visit made or called off is not moved: it has no place
			// in the walk.
			stops[i] = Stop{ID: v.ID}
		}
	}
	order, kept := ProposeRoute(stops)
	res := RouteResult{Visits: make([]localdb.Visit, len(vs))}
	for _, i := range kept {
		if vs[i].Status == localdb.VisitPlanned {
			res.Unlocated = append(res.Unlocated, vs[i])
		}
	}
	next := vs[0].StartAt
	for n, i := range order {
		v := vs[i]
		v.Position = int64(n + 1)
		if v.Status == localdb.VisitPlanned {
			length := v.EndAt.Sub(v.StartAt)
			v.StartAt, v.EndAt = next, next.Add(length)
			res.FullDay = res.FullDay || !v.StartAt.Before(dayEnd)
		}
		next = later(next, v.EndAt.Add(p.Travel))
		res.Visits[n] = v
	}
	if res.FullDay {
		// Laid out one after the other, visits would leave the day (and
		// the planner's view of it): they take the planned visits' time
		// slots instead, in the new order, as Reorder does.
		var slots []time.Time
		for _, v := range vs {
			if v.Status == localdb.VisitPlanned {
				slots = append(slots, v.StartAt)
			}
		}
		for n := range res.Visits {
			if v := &res.Visits[n]; v.Status == localdb.VisitPlanned {
				length := vs[order[n]].EndAt.Sub(vs[order[n]].StartAt)
				v.StartAt, v.EndAt, slots = slots[0], slots[0].Add(length), slots[1:]
			}
		}
	}
	for n, i := range order {
		v := &res.Visits[n]
		if v.Position == vs[i].Position && v.StartAt.Equal(vs[i].StartAt) {
			continue
		}
		if err := t.Save(v); err != nil {
			return RouteResult{}, fmt.Errorf("order route: %w", err)
		}
	}
	return res, nil
}

// stopOf is where visit v is: its company's postal code, city and country,
// else those of its contact's first address. A company or contact deleted since
// says nothing.
func stopOf(t *localdb.Tx, v localdb.Visit) (Stop, error) {
	s := Stop{ID: v.ID}
	if v.CompanyID != "" {
		var co localdb.Company
		switch err := t.Read(&co, v.CompanyID); {
		case err == nil:
			s.PostalCode, s.City, s.Country = strings.TrimSpace(co.PostalCode), strings.TrimSpace(co.City), strings.TrimSpace(co.Country)
		case !errors.Is(err, localdb.ErrNotFound):
			return s, fmt.Errorf("company of visit %s: %w", v.ID, err)
		}
	}
	if !s.located() && v.ContactID != "" {
		c, err := t.GetContact(v.ContactID)
		switch {
		case err == nil && len(c.Addresses) > 0:
			ad := c.Addresses[0]
			s.PostalCode, s.City, s.Country = strings.TrimSpace(ad.PostalCode), strings.TrimSpace(ad.City), strings.TrimSpace(ad.Country)
		case err != nil && !errors.Is(err, localdb.ErrNotFound):
			return s, fmt.Errorf("contact of visit %s: %w", v.ID, err)
		}
	}
	return s, nil
}
