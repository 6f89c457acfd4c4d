package cli

import (
	"bytes"
	"cmp"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"repdesk/localdb"
	"repdesk/localdb/brief"
	"repdesk/localdb/visits"
)

func runVisits(c *runCtx, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "add":
			return visitsAdd(c, args[1:])
		case "ics":
			return visitsICS(c, args[1:])
		case "report":
			return visitsReport(c, args[1:])
		case "plan":
			return visitsPlan(c, args[1:])
		case "order":
			return visitsOrder(c, args[1:])
		case "list", "ls":
			args = args[1:]
		}
	}
	return visitsList(c, args)
}

// visitJSON is a visit in --json output (a public contract).
type visitJSON struct {
	ID        string    `json:"id"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Assignee  string    `json:"assignee"`
	CompanyID string    `json:"company_id"`
	Company   string    `json:"company"`
	ContactID string    `json:"contact_id"`
	Contact   string    `json:"contact"`
	Address   string    `json:"address"`
	Purpose   string    `json:"purpose"`
	Status    string    `json:"status"`
	Outcome   string    `json:"outcome"`
	Report    string    `json:"report"`
	Position  int64     `json:"position"`
	Version   int64     `json:"version"`
}

func toVisitJSON(r visits.Row) visitJSON {
	return visitJSON{ID: r.ID, Start: r.StartAt.Local(), End: r.EndAt.Local(), Assignee: r.Assignee, CompanyID: r.CompanyID,
		Company: r.Company, ContactID: r.ContactID, Contact: r.Contact, Address: r.Address(), Purpose: r.Purpose,
		Status: r.Status, Outcome: r.Outcome, Report: r.Report, Position: r.Position, Version: r.Version}
}

func visitsAdd(c *runCtx, args []string) error {
	fs := newFlags("visits add")
	company := fs.String("company", "", "company `ID` (or its first 6 characters)")
	contact := fs.String("contact", "", "contact `ID`; the company is the contact's when --company is not given")
	assignee := fs.String("assignee", "", "the field rep who makes the visit: their hub user name, which the visit reaches on sync (required)")
	start := fs.String("start", "", `when the visit starts, "YYYY-MM-DD HH:MM" local time (required)`)
	duration := fs.Duration("duration", visits.DefaultDuration, "how long, e.g. 1h or 90m")
	purpose := fs.String("purpose", "", "what the visit is for")
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(*assignee) == "":
		return usagef("visits add: --assignee is required: the field rep who makes the visit")
	case *start == "":
		return usagef(`visits add: --start is required, e.g. --start "2026-12-01 10:00"`)
	case *company == "" && *contact == "":
		return usagef("visits add: give --company ID or --contact ID")
	case *duration <= 0 || *duration > 24*time.Hour:
		return usagef("visits add: --duration %s: must be between 1m and 24h", *duration)
	}
	at, err := visits.ParseStart(*start, time.Local)
	if err != nil {
		return usagef("visits add: --%v", err)
	}
	b := visits.Booking{Assignee: *assignee, Start: at, Duration: *duration, Purpose: *purpose}
	if *company != "" {
		if _, b.CompanyID, err = c.resolveID(*company, localdb.EntityCompany); err != nil {
			return err
		}
	}
	if *contact != "" {
		if _, b.ContactID, err = c.resolveID(*contact, localdb.EntityContact); err != nil {
			return err
		}
	}
	var v *localdb.Visit
	if err := c.store.Update(c.ctx, func(t *localdb.Tx) error {
		v, err = visits.Book(t, b)
		return err
	}); err != nil {
		return err
	}
	fmt.Fprintln(c.out(), v.ID)
	return nil
}

// rangeFlags are --day and --week, which choose the visits of one day or
// one ISO week.
type rangeFlags struct{ day, week *string }

func addRangeFlags(fs interface {
	String(name, value, usage string) *string
}) rangeFlags {
	return rangeFlags{day: fs.String("day", "", "only visits on `DATE` (YYYY-MM-DD)"),
		week: fs.String("week", "", "only visits in ISO week `YYYY-Www` (e.g. 2026-W49)")}
}

// filter sets From and To of f; cmd names the command in errors.
func (r rangeFlags) filter(cmd string, f *visits.Filter) error {
	switch {
	case *r.day != "" && *r.week != "":
		return usagef("%s: give --day or --week, not both", cmd)
	case *r.day != "":
		d, err := visits.ParseDay(*r.day, time.Local)
		if err != nil {
			return usagef("%s: --%v", cmd, err)
		}
		f.From, f.To = visits.DayRange(d, time.Local)
	case *r.week != "":
		from, to, err := visits.ParseWeek(*r.week, time.Local)
		if err != nil {
			return usagef("%s: --%v", cmd, err)
		}
		f.From, f.To = from, to
	}
	return nil
}

func visitsList(c *runCtx, args []string) error {
	fs := newFlags("visits list")
	assignee := fs.String("assignee", "", "only the visits of this field rep")
	rf := addRangeFlags(fs)
	all := fs.Bool("all", false, "past visits too (default: from today on)")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	f := visits.Filter{Assignee: *assignee}
	if err := rf.filter("visits list", &f); err != nil {
		return err
	}
	if f.From.IsZero() && !*all {
		f.From, _ = visits.DayRange(time.Now(), time.Local)
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	rows, err := visits.List(c.ctx, s, f)
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]visitJSON, 0, len(rows))
		for _, r := range rows {
			out = append(out, toVisitJSON(r))
		}
		return writeJSON(c.out(), out)
	}
	t := newTable(c.out(), "ID", "START", "END", "ASSIGNEE", "COMPANY", "CONTACT", "STATUS", "PURPOSE")
	for _, r := range rows {
		t.row(r.ID, localTime(r.StartAt), r.EndAt.Local().Format("15:04"), r.Assignee, r.Company, r.Contact, r.Status, r.Purpose)
	}
	return t.flush()
}

func visitsICS(c *runCtx, args []string) error {
	fs := newFlags("visits ics")
	assignee := fs.String("assignee", "", "only the visits of this field rep")
	rf := addRangeFlags(fs)
	out := fs.String("out", "", "write the calendar to `FILE.ics` (- for standard output; required)")
	pos, err := parse(fs, args, 0, 1)
	if err != nil {
		return err
	}
	if *out == "" {
		return usagef("visits ics: --out FILE.ics is required")
	}
	var f visits.Filter
	name := "RepDesk visits"
	if len(pos) == 1 {
		if *assignee != "" || *rf.day != "" || *rf.week != "" {
			return usagef("visits ics: give a visit id or --assignee/--day/--week, not both")
		}
		_, id, err := c.resolveID(pos[0], localdb.EntityVisit)
		if err != nil {
			return err
		}
		f.IDs = []string{id}
	} else {
		f.Assignee = *assignee
		if err := rf.filter("visits ics", &f); err != nil {
			return err
		}
		if f.From.IsZero() {
			return usagef("visits ics: give a visit id, --day DATE or --week YYYY-Www")
		}
		name = strings.TrimSpace(strings.Join([]string{"Visits", *assignee, *rf.day + *rf.week}, " "))
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	rows, err := visits.List(c.ctx, s, f)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := visits.WriteICS(&buf, rows, name, time.Local, time.Now()); err != nil {
		return err
	}
	if err := writeOut(c, *out, buf.Bytes()); err != nil {
		return fmt.Errorf("visits ics: %w", err)
	}
	if *out != "-" {
		fmt.Fprintf(c.env.Stderr, "%d visits written to %s\n", len(rows), *out)
	}
	return nil
}

// writeOut writes data to path ("-": standard output) through a temporary
// file, so that a failed write leaves no half file behind.
func writeOut(c *runCtx, path string, data []byte) error {
	if path == "-" {
		_, err := c.out().Write(data)
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

func visitsReport(c *runCtx, args []string) error {
	fs := newFlags("visits report")
	outcome := fs.String("outcome", "", "how it went: "+strings.Join(localdb.VisitOutcomes, ", ")+" (required)")
	notes := fs.String("notes", "", "what was discussed")
	var steps stringList
	fs.Var(&steps, "next-step", "a follow-up task `TEXT@DATE` (YYYY-MM-DD or \"YYYY-MM-DD HH:MM\"); repeatable")
	asJSON := fs.Bool("json", false, "print the visit, the logged activity and the tasks as JSON")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if !slices.Contains(localdb.VisitOutcomes, *outcome) {
		return usagef("visits report: --outcome %q: give one of %s", *outcome, strings.Join(localdb.VisitOutcomes, ", "))
	}
	r := visits.Report{Outcome: *outcome, Notes: *notes}
	for _, s := range steps {
		n, err := visits.ParseNextStep(s, time.Local)
		if err != nil {
			return usagef("visits report: --%v", err)
		}
		r.NextSteps = append(r.NextSteps, n)
	}
	_, id, err := c.resolveID(pos[0], localdb.EntityVisit)
	if err != nil {
		return err
	}
	var res *visits.ReportResult
	if err := c.store.Update(c.ctx, func(t *localdb.Tx) error {
		res, err = visits.WriteReport(t, id, r)
		return err
	}); err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.out(), res)
	}
	fmt.Fprintf(c.out(), "visit %s done (%s)\n", id, visits.OutcomeName(*outcome))
	for _, t := range res.Tasks {
		fmt.Fprintf(c.out(), "task %s: %s, due %s\n", t.ID, t.Title, localTime(t.Due))
	}
	return nil
}

func visitsPlan(c *runCtx, args []string) error {
	fs := newFlags("visits plan")
	day := fs.String("day", "", "the day to plan, YYYY-MM-DD (required)")
	assignee := fs.String("assignee", "", "the field rep whose day it is: their hub user name (required)")
	first := fs.String("first", "09:00", "when the first visit of an empty day starts, HH:MM")
	duration := fs.Duration("duration", visits.DefaultDuration, "how long each visit lasts")
	travel := fs.Duration("travel", 30*time.Minute, "time between two visits")
	purpose := fs.String("purpose", "", "what the visits are for")
	pos, err := parse(fs, args, 1, -1)
	if err != nil {
		return err
	}
	if *day == "" || strings.TrimSpace(*assignee) == "" {
		return usagef("visits plan: --day DATE and --assignee NAME are required")
	}
	d, err := visits.ParseDay(*day, time.Local)
	if err != nil {
		return usagef("visits plan: --%v", err)
	}
	hm, err := time.Parse("15:04", *first)
	if err != nil {
		return usagef("visits plan: --first %q: write it as HH:MM", *first)
	}
	ids := make([]string, len(pos))
	for i, p := range pos {
		if _, ids[i], err = c.resolveID(p, localdb.EntityCompany); err != nil {
			return err
		}
	}
	p := visits.Plan{Assignee: *assignee, DayStart: time.Duration(hm.Hour())*time.Hour + time.Duration(hm.Minute())*time.Minute,
		Duration: *duration, Travel: *travel, Purpose: *purpose}
	var added []*localdb.Visit
	if err := c.store.Update(c.ctx, func(t *localdb.Tx) error {
		added, err = visits.AddCompanies(t, d, ids, p)
		return err
	}); err != nil {
		return err
	}
	for _, v := range added {
		fmt.Fprintln(c.out(), v.ID)
	}
	return nil
}

func visitsOrder(c *runCtx, args []string) error {
	fs := newFlags("visits order")
	auto := fs.Bool("auto", false, "propose the travel order of a day's visits from their postal codes and cities, and re-time them")
	day := fs.String("day", "", "with --auto: the day, YYYY-MM-DD (default today)")
	assignee := fs.String("assignee", "", "with --auto: the field rep whose day it is (default you)")
	travel := fs.Duration("travel", 30*time.Minute, "with --auto: time between two visits")
	asJSON := fs.Bool("json", false, "with --auto: print the new route as JSON")
	pos, err := parse(fs, args, 0, -1)
	if err != nil {
		return err
	}
	if !*auto {
		if *day != "" || *assignee != "" || *asJSON {
			return usagef("visits order: --day, --assignee and --json go with --auto")
		}
		if len(pos) == 0 {
			return usagef("visits order: give the visits in their new order (VISIT_ID...), or --auto")
		}
		ids := make([]string, len(pos))
		for i, p := range pos {
			if _, ids[i], err = c.resolveID(p, localdb.EntityVisit); err != nil {
				return err
			}
		}
		return c.store.Update(c.ctx, func(t *localdb.Tx) error { return visits.Reorder(t, ids, time.Local) })
	}
	if len(pos) > 0 {
		return usagef("visits order --auto: unexpected argument %q: the day's visits are ordered", pos[0])
	}
	return visitsOrderAuto(c, *day, *assignee, *travel, *asJSON)
}

// routeJSON is the route `visits order --auto --json` prints (a public
// contract): the day's visits in their new order, and the ids of those that
// kept their place because nothing says where they are.
type routeJSON struct {
	Visits    []visitJSON `json:"visits"`
	Unlocated []string    `json:"unlocated"`
	// FullDay: one after the other with the travel time, the visits would
	// run into the next day, so they took the day's time slots.
	FullDay bool `json:"full_day"`
}

func visitsOrderAuto(c *runCtx, dayFlag, assignee string, travel time.Duration, asJSON bool) error {
	d := time.Now()
	if dayFlag != "" {
		var err error
		if d, err = visits.ParseDay(dayFlag, time.Local); err != nil {
			return usagef("visits order: --%v", err)
		}
	}
	if travel < 0 {
		return usagef("visits order: --travel %s: must not be negative", travel)
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	if strings.TrimSpace(assignee) == "" {
		assignee = s.Owner()
	}
	var res visits.RouteResult
	if err := s.Update(c.ctx, func(t *localdb.Tx) error {
		res, err = visits.OrderRoute(t, d, visits.Plan{Assignee: assignee, Travel: travel})
		return err
	}); err != nil {
		return err
	}
	from, to := visits.DayRange(d, time.Local)
	rows, err := visits.List(c.ctx, s, visits.Filter{Assignee: strings.TrimSpace(assignee), From: from, To: to})
	if err != nil {
		return err
	}
	unlocated := make([]string, 0, len(res.Unlocated))
	for _, v := range res.Unlocated {
		unlocated = append(unlocated, v.ID)
	}
	if asJSON {
		out := routeJSON{Visits: make([]visitJSON, 0, len(rows)), Unlocated: unlocated, FullDay: res.FullDay}
		for _, r := range rows {
			out.Visits = append(out.Visits, toVisitJSON(r))
		}
		return writeJSON(c.out(), out)
	}
	if len(rows) == 0 {
		fmt.Fprintf(c.out(), "%s has no visits on %s.\n", assignee, from.Format("2006-01-02"))
		return nil
	}
	t := newTable(c.out(), "#", "START", "END", "COMPANY", "ADDRESS", "ID")
	for _, r := range rows {
		t.row(fmt.Sprint(r.Position), r.StartAt.Local().Format("15:04"), r.EndAt.Local().Format("15:04"), r.Company, r.Address(), r.ID)
	}
	if err := t.flush(); err != nil {
		return err
	}
	if res.FullDay {
		fmt.Fprintln(c.out(), "The day is too full for the travel time between all visits: they took the day's time slots.")
	}
	for _, r := range rows {
		if slices.Contains(unlocated, r.ID) {
			fmt.Fprintf(c.out(), "Kept in place, no postal code or city: %d. %s\n", r.Position, cmp.Or(r.Company, r.Contact, r.ID))
		}
	}
	return nil
}

func runBrief(c *runCtx, args []string) error {
	fs := newFlags("brief")
	out := fs.String("out", "", "write the PDF to `FILE.pdf` (required)")
	lang := fs.String("lang", "", "de or en (default: from LANG)")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if *out == "" {
		return usagef("brief: --out FILE.pdf is required")
	}
	if *lang == "" {
		*lang = c.env.Getenv("LANG")
	}
	_, id, err := c.resolveID(pos[0], localdb.EntityVisit)
	if err != nil {
		return err
	}
	b, err := brief.Load(c.ctx, c.store, id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := brief.Write(&buf, b, brief.Options{Lang: *lang, Location: time.Local}); err != nil {
		return err
	}
	if err := writeOut(c, *out, buf.Bytes()); err != nil {
		return fmt.Errorf("brief: %w", err)
	}
	return nil
}
