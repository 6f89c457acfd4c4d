package cli

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"repdesk/localdb"
	"repdesk/localdb/calls"
)

// queueFlags are the filter flags of queue and queue save.
type queueFlags struct {
	expr                *string
	status, tags        stringList
	city, postal, owner *string
	dueToday            *bool
	saved               *string
}

func addQueueFlags(fs *flag.FlagSet, withSaved bool) *queueFlags {
	q := &queueFlags{}
	q.expr = fs.String("filter", "", "the filter in one: status=new,tag=vip,city=Berlin,postal=10,owner=me,due=today")
	fs.Var(&q.status, "status", "lead status (repeatable: any of them): "+strings.Join(localdb.LeadStatuses, ", "))
	fs.Var(&q.tags, "tag", "tag (repeatable: every one of them)")
	q.city = fs.String("city", "", "city of the contact or its company")
	q.postal = fs.String("postal", "", "postal code prefix of the contact or its company")
	q.owner = fs.String("owner", "", "the contacts' owner (me: you)")
	q.dueToday = fs.Bool("due-today", false, "only contacts with a call task due by the end of today")
	if withSaved {
		q.saved = fs.String("saved", "", "start from the saved filter `NAME` (other flags add to it)")
	}
	return q
}

// filter is the filter the flags describe, on top of base.
func (q *queueFlags) filter(base localdb.QueueFilter) (localdb.QueueFilter, error) {
	f := base
	if *q.expr != "" {
		for _, part := range strings.FieldsFunc(*q.expr, func(r rune) bool { return r == ',' || r == ';' }) {
			key, value, ok := strings.Cut(part, "=")
			key, value = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(value)
			switch {
			case !ok && key == "due-today":
				f.DueToday = true
			case !ok:
				return f, usagef("queue: --filter: %q is not KEY=VALUE", part)
			case key == "status":
				f.LeadStatus = append(f.LeadStatus, value)
			case key == "tag":
				f.Tags = append(f.Tags, value)
			case key == "city":
				f.City = value
			case key == "postal":
				f.PostalPrefix = value
			case key == "owner":
				f.Owner = value
			case key == "due" && value == "today":
				f.DueToday = true
			default:
				return f, usagef("queue: --filter: unknown condition %q (status, tag, city, postal, owner, due=today)", part)
			}
		}
	}
	f.LeadStatus = append(f.LeadStatus, q.status...)
	f.Tags = append(f.Tags, q.tags...)
	for _, s := range []struct {
		dst *string
		v   string
	}{{&f.City, *q.city}, {&f.PostalPrefix, *q.postal}, {&f.Owner, *q.owner}} {
		if s.v != "" {
			*s.dst = s.v
		}
	}
	f.DueToday = f.DueToday || *q.dueToday
	f.Tidy()
	if err := f.Validate(); err != nil {
		return f, usagef("queue: %v", err)
	}
	return f, nil
}

func runQueue(c *runCtx, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "save":
			return queueSave(c, args[1:])
		case "filters":
			return queueFilters(c, args[1:])
		case "delete":
			return queueDelete(c, args[1:])
		case "next":
			return queueNext(c, args[1:])
		case "log":
			return queueLog(c, args[1:])
		}
	}
	return queueList(c, args)
}

// buildQueue parses the filter flags of args and builds the queue.
func buildQueue(c *runCtx, name string, args []string, extra func(fs *flag.FlagSet)) ([]calls.Entry, *flag.FlagSet, error) {
	fs := newFlags(name)
	qf := addQueueFlags(fs, true)
	limit := fs.Int("limit", 0, "at most `N` contacts (0: all)")
	include := fs.Bool("include-called", false, "keep contacts called today (left out by default)")
	if extra != nil {
		extra(fs)
	}
	if _, err := parse(fs, args, 0, 0); err != nil {
		return nil, nil, err
	}
	s, err := c.open()
	if err != nil {
		return nil, nil, err
	}
	var base localdb.QueueFilter
	if *qf.saved != "" {
		if err := s.Update(c.ctx, func(t *localdb.Tx) error {
			sf, err := t.SavedFilterNamed(*qf.saved)
			if err == nil {
				base = sf.Filter
			}
			return err
		}); err != nil {
			return nil, nil, err
		}
	}
	f, err := qf.filter(base)
	if err != nil {
		return nil, nil, err
	}
	q, err := calls.Build(c.ctx, s, f, calls.Options{Limit: *limit, IncludeCalledToday: *include})
	return q, fs, err
}

func queueList(c *runCtx, args []string) error {
	var asJSON *bool
	q, _, err := buildQueue(c, "queue", args, func(fs *flag.FlagSet) { asJSON = fs.Bool("json", false, "print JSON") })
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.out(), nonNil(q))
	}
	t := newTable(c.out(), "CONTACT", "NAME", "COMPANY", "PHONE", "STATUS", "DUE", "SKIP")
	for _, e := range q {
		due := ""
		if e.Due != nil {
			due = localTime(*e.Due)
		}
		t.row(e.ContactID, e.Name, e.Company, e.Phone, e.LeadStatus, due, skipText(e.Skip))
	}
	return t.flush()
}

func skipText(reason string) string {
	switch reason {
	case calls.SkipDoNotCall:
		return "do not call"
	case calls.SkipNoPhone:
		return "no number"
	}
	return reason
}

// nextEntry is what queue next prints: the contact to call now and the ones
// skipped before it.
type nextEntry struct {
	Entry     *calls.Entry  `json:"entry"`
	Skipped   []calls.Entry `json:"skipped"`
	Remaining int           `json:"remaining"`
}

func queueNext(c *runCtx, args []string) error {
	var asJSON *bool
	q, _, err := buildQueue(c, "queue next", args, func(fs *flag.FlagSet) { asJSON = fs.Bool("json", false, "print JSON") })
	if err != nil {
		return err
	}
	i, skipped := calls.Next(q, 0)
	res := nextEntry{Skipped: nonNil(skipped)}
	if i >= 0 {
		res.Entry = &q[i]
		res.Remaining = len(q) - i - 1
	}
	if *asJSON {
		return writeJSON(c.out(), res)
	}
	for _, e := range skipped {
		fmt.Fprintf(c.out(), "skipped %s (%s): %s\n", e.Name, e.ContactID, skipText(e.Skip))
	}
	if res.Entry == nil {
		fmt.Fprintln(c.out(), "The queue is empty.")
		return nil
	}
	e := res.Entry
	field(c.out(), "Contact", e.Name+" ("+e.ContactID+")")
	field(c.out(), "Company", e.Company)
	field(c.out(), "Phone", e.Phone)
	field(c.out(), "Lead status", e.LeadStatus)
	field(c.out(), "Task", e.TaskTitle)
	fmt.Fprintf(c.out(), "%d more in the queue\n", res.Remaining)
	return nil
}

func queueSave(c *runCtx, args []string) error {
	fs := newFlags("queue save")
	qf := addQueueFlags(fs, false)
	asJSON := fs.Bool("json", false, "print the saved filter as JSON")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	f, err := qf.filter(localdb.QueueFilter{})
	if err != nil {
		return err
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	sf, err := inTx(c, s, func(t *localdb.Tx) (*localdb.SavedFilter, error) { return calls.SaveFilter(t, pos[0], f) })
	if err != nil {
		return err
	}
	return printRecord(c, *asJSON, sf, sf.ID)
}

// inTx runs fn in one transaction of s and returns what it made.
func inTx[T any](c *runCtx, s *localdb.Store, fn func(t *localdb.Tx) (T, error)) (T, error) {
	var out T
	err := s.Update(c.ctx, func(t *localdb.Tx) error {
		var err error
		out, err = fn(t)
		return err
	})
	return out, err
}

// printRecord prints a record made by a command: as JSON, or its id.
func printRecord(c *runCtx, asJSON bool, rec any, id string) error {
	if asJSON {
		return writeJSON(c.out(), rec)
	}
	fmt.Fprintln(c.out(), id)
	return nil
}

func queueFilters(c *runCtx, args []string) error {
	return listAll(c, "queue filters", args, (*localdb.Store).SavedFilters, []string{"NAME", "FILTER"},
		func(sf localdb.SavedFilter) []string { return []string{sf.Name, filterText(sf.Filter)} })
}

// filterText writes a filter as --filter takes it.
func filterText(f localdb.QueueFilter) string {
	var parts []string
	for _, s := range f.LeadStatus {
		parts = append(parts, "status="+s)
	}
	for _, t := range f.Tags {
		parts = append(parts, "tag="+t)
	}
	for _, kv := range [][2]string{{"city", f.City}, {"postal", f.PostalPrefix}, {"owner", f.Owner}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	if f.DueToday {
		parts = append(parts, "due=today")
	}
	return strings.Join(parts, ",")
}

func queueDelete(c *runCtx, args []string) error {
	fs := newFlags("queue delete")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	return s.Update(c.ctx, func(t *localdb.Tx) error { return calls.DeleteFilter(t, pos[0]) })
}

// callFlags are the flags of a call's outcome, shared by log and queue log.
type callFlags struct {
	outcome, callbackAt, number *string
}

func addCallFlags(fs *flag.FlagSet) *callFlags {
	return &callFlags{
		outcome:    fs.String("outcome", "", "call outcome: "+strings.Join(localdb.CallOutcomes, ", ")),
		callbackAt: fs.String("callback-at", "", "for --outcome callback: when to call back (YYYY-MM-DD HH:MM)"),
		number:     fs.String("number", "", "the number dialled (a wrong number flags it; default: the number the queue dials)"),
	}
}

// call fills in the outcome flags of call.
func (cf *callFlags) call(cmd string, call *calls.Call) error {
	call.Outcome, call.Number = *cf.outcome, *cf.number
	switch {
	case *cf.callbackAt != "":
		t, err := parseWhen(*cf.callbackAt)
		if err != nil {
			return usagef("%s: --callback-at: %v", cmd, err)
		}
		call.CallbackAt = t
	case call.Outcome == localdb.OutcomeCallback:
		return usagef("%s: --outcome callback needs --callback-at WHEN", cmd)
	}
	return nil
}

func queueLog(c *runCtx, args []string) error {
	fs := newFlags("queue log")
	cf := addCallFlags(fs)
	note := fs.String("note", "", "what was said")
	duration := fs.Duration("duration", 0, "how long, e.g. 5m")
	asJSON := fs.Bool("json", false, "print what was done as JSON")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if *cf.outcome == "" {
		return usagef("queue log: --outcome is required (%s)", strings.Join(localdb.CallOutcomes, ", "))
	}
	_, id, err := c.resolveID(pos[0], localdb.EntityContact)
	if err != nil {
		return err
	}
	call := calls.Call{ContactID: id, Notes: *note, DurationS: int64(duration.Seconds())}
	if err := cf.call("queue log", &call); err != nil {
		return err
	}
	res, err := inTx(c, c.store, func(t *localdb.Tx) (*calls.Result, error) { return calls.LogCall(t, call) })
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.out(), res)
	}
	printResult(c, res)
	return nil
}

// printResult says what logging a call did.
func printResult(c *runCtx, res *calls.Result) {
	fmt.Fprintln(c.out(), res.Activity.ID)
	if res.FollowUp != nil {
		fmt.Fprintf(c.out(), "follow-up task %s: %s, due %s\n", res.FollowUp.ID, res.FollowUp.Title, localTime(res.FollowUp.Due))
	}
	if res.FlaggedNumber != "" {
		fmt.Fprintf(c.out(), "flagged %s as a wrong number\n", res.FlaggedNumber)
	}
	if len(res.Stopped) > 0 {
		fmt.Fprintf(c.out(), "stopped %d cadence(s)\n", len(res.Stopped))
	}
}

func runCadences(c *runCtx, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "save":
			return cadencesSave(c, args[1:])
		case "enroll":
			return cadencesEnroll(c, args[1:])
		case "stop":
			return cadencesStop(c, args[1:])
		case "enrollments":
			return cadencesEnrollments(c, args[1:])
		case "list", "ls":
			args = args[1:]
		}
	}
	return cadencesList(c, args)
}

func cadencesList(c *runCtx, args []string) error {
	return listAll(c, "cadences", args, (*localdb.Store).Cadences, []string{"NAME", "STEPS"},
		func(cad localdb.Cadence) []string {
			var steps []string
			for _, st := range cad.Steps {
				steps = append(steps, fmt.Sprintf("day %d %s", st.Day, st.Kind))
			}
			return []string{cad.Name, strings.Join(steps, ", ")}
		})
}

func cadencesSave(c *runCtx, args []string) error {
	fs := newFlags("cadences save")
	stepsFlag := fs.String("steps", "", "the steps: DAY:KIND[:TITLE], comma-separated, e.g. 0:call,2:email,5:call")
	asJSON := fs.Bool("json", false, "print the cadence as JSON")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	steps, err := calls.ParseSteps(*stepsFlag)
	if err != nil {
		return usagef("cadences save: --steps: %v", err)
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	cad, err := inTx(c, s, func(t *localdb.Tx) (*localdb.Cadence, error) { return calls.SaveCadence(t, pos[0], steps) })
	if err != nil {
		return err
	}
	return printRecord(c, *asJSON, cad, cad.ID)
}

func cadencesEnroll(c *runCtx, args []string) error {
	fs := newFlags("cadences enroll")
	start := fs.String("start", "", "the day of step 0 (YYYY-MM-DD, default today)")
	asJSON := fs.Bool("json", false, "print the enrollments as JSON")
	pos, err := parse(fs, args, 2, -1)
	if err != nil {
		return err
	}
	from := time.Now()
	if *start != "" {
		if from, err = parseWhen(*start); err != nil {
			return usagef("cadences enroll: --start: %v", err)
		}
	}
	var ids []string
	for _, arg := range pos[1:] {
		_, id, err := c.resolveID(arg, localdb.EntityContact)
		if err != nil {
			return err
		}
		ids = append(ids, id)
	}
	var out []*localdb.Enrollment
	// All or nothing: one contact that cannot be enrolled enrols nobody.
	if err := c.store.Update(c.ctx, func(t *localdb.Tx) error {
		cad, err := t.CadenceNamed(pos[0])
		if err != nil {
			return err
		}
		for _, id := range ids {
			e, err := calls.Enroll(t, cad.ID, id, from, time.Local)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	}); err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.out(), out)
	}
	for _, e := range out {
		fmt.Fprintln(c.out(), e.ID)
	}
	return nil
}

func cadencesStop(c *runCtx, args []string) error {
	fs := newFlags("cadences stop")
	name := fs.String("cadence", "", "stop only this cadence (`NAME`; default: every active one)")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	_, id, err := c.resolveID(pos[0], localdb.EntityContact)
	if err != nil {
		return err
	}
	var stopped int
	if err := c.store.Update(c.ctx, func(t *localdb.Tx) error {
		if *name == "" {
			ids, err := calls.StopContact(t, id, calls.StopByRep)
			stopped = len(ids)
			return err
		}
		cad, err := t.CadenceNamed(*name)
		if err != nil {
			return err
		}
		active, err := t.ActiveEnrollments(id)
		if err != nil {
			return err
		}
		for _, e := range active {
			if e.CadenceID == cad.ID {
				stopped++
				if err := calls.Stop(t, e.ID, calls.StopByRep); err != nil {
					return err
				}
			}
		}
		return nil
	}); err != nil {
		return err
	}
	if stopped == 0 && *name != "" {
		return fmt.Errorf("cadences stop: the contact is not active in the cadence %q", *name)
	}
	if stopped == 0 {
		return errors.New("cadences stop: the contact is in no active cadence")
	}
	fmt.Fprintf(c.out(), "stopped %d\n", stopped)
	return nil
}

func cadencesEnrollments(c *runCtx, args []string) error {
	fs := newFlags("cadences enrollments")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args, 0, 1)
	if err != nil {
		return err
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	contactID := ""
	if len(pos) == 1 {
		if _, contactID, err = c.resolveID(pos[0], localdb.EntityContact); err != nil {
			return err
		}
	}
	es, err := s.Enrollments(c.ctx, contactID)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.out(), nonNil(es))
	}
	t := newTable(c.out(), "ID", "CADENCE", "CONTACT", "STARTED", "STATUS")
	for _, e := range es {
		status := e.Status
		if e.StopReason != "" {
			status += " (" + e.StopReason + ")"
		}
		t.row(e.ID, e.CadenceID, e.ContactID, localTime(e.StartedAt), status)
	}
	return t.flush()
}

func runQualify(c *runCtx, args []string) error {
	fs := newFlags("qualify")
	budget := fs.String("budget", "", "the lead's budget, e.g. \"40k EUR\"")
	authority := fs.String("authority", "", "who decides")
	need := fs.String("need", "", "what the lead needs")
	timeline := fs.String("timeline", "", "when they want to decide or buy")
	title := fs.String("title", "", "title of the new deal (default: company and need)")
	amount := fs.String("amount", "", "amount of the new deal, e.g. 40000EUR")
	asJSON := fs.Bool("json", false, "print the new deal as JSON")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	q := calls.Qualification{Budget: *budget, Authority: *authority, Need: *need, Timeline: *timeline, DealTitle: *title}
	if *amount != "" {
		if q.Amount, q.Currency, err = parseMoney(*amount, "EUR"); err != nil {
			return usagef("qualify: --amount: %v", err)
		}
	}
	_, id, err := c.resolveID(pos[0], localdb.EntityContact)
	if err != nil {
		return err
	}
	d, err := inTx(c, c.store, func(t *localdb.Tx) (*localdb.Deal, error) { return calls.Qualify(t, id, q) })
	if err != nil {
		return err
	}
	return printRecord(c, *asJSON, d, d.ID)
}
