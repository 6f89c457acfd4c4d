package visits

import (
	"io"
	"strings"
	"time"

	"repdesk/localdb"
	"repdesk/localdb/calendar"
)

// UIDDomain ends every visit's calendar UID: the UID is the visit id at it,
// so exporting a visit again updates the event in the calendar.
const UIDDomain = "visit.repdesk"

// Event is the calendar event of a visit: its UID from the visit id, its
// SEQUENCE from the visit's version (1 → 0), its LOCATION the company's
// address, and a cancelled visit is a cancelled event.
func Event(r Row) calendar.Event {
	summary := "Visit"
	if who := strings.Join(nonEmpty(r.Company, r.Contact), " – "); who != "" {
		summary += ": " + who
	}
	var desc []string
	if r.Purpose != "" {
		desc = append(desc, r.Purpose)
	}
	if r.Contact != "" {
		desc = append(desc, "Contact: "+strings.Join(nonEmpty(r.Contact, r.ContactPhone), ", "))
	}
	if r.Assignee != "" {
		desc = append(desc, "Field rep: "+r.Assignee)
	}
	if r.Report != "" {
		desc = append(desc, "Report: "+r.Report)
	}
	status := calendar.StatusConfirmed
	if r.Status == localdb.VisitCancelled {
		status = calendar.StatusCancelled
	}
	return calendar.Event{UID: r.ID + "@" + UIDDomain, Sequence: r.Version - 1, Start: r.StartAt, End: r.EndAt,
		Summary: summary, Description: strings.Join(desc, "\n"), Location: r.Address(), Status: status,
		Created: r.CreatedAt, LastModified: r.UpdatedAt}
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

// WriteICS writes the visits as one iCalendar file named name, with times in
// loc (see package calendar), stamped now.
func WriteICS(w io.Writer, rows []Row, name string, loc *time.Location, now time.Time) error {
	c := calendar.Calendar{Name: name, Location: loc, Stamp: now}
	for _, r := range rows {
		c.Events = append(c.Events, Event(r))
	}
	return calendar.Write(w, c)
}
