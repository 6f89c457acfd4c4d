package cli

import (
	"fmt"
	"strings"
	"time"

	"repdesk/localdb"
	"repdesk/localdb/calls"
)

func runLog(c *runCtx, args []string) error {
	fs := newFlags("log")
	kind := fs.String("kind", localdb.KindCall, "call, email, meeting, visit or note")
	cf := addCallFlags(fs)
	note := fs.String("note", "", "what was said or done")
	subject := fs.String("subject", "", "subject line")
	direction := fs.String("direction", "", "in or out")
	duration := fs.Duration("duration", 0, "how long, e.g. 5m")
	at := fs.String("at", "", "when it happened (YYYY-MM-DD HH:MM, default now)")
	asJSON := fs.Bool("json", false, "print the logged activity as JSON")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	entity, id, err := c.resolveID(pos[0], localdb.EntityContact, localdb.EntityCompany, localdb.EntityDeal)
	if err != nil {
		return err
	}
	a := &localdb.Activity{Kind: *kind, Outcome: *cf.outcome, Body: *note, Subject: *subject, Direction: *direction,
		DurationS: int64(duration.Seconds())}
	if *at != "" {
		if a.OccurredAt, err = parseWhen(*at); err != nil {
			return usagef("log: --at: %v", err)
		}
	}
	switch entity {
	case localdb.EntityContact:
		a.ContactID = id
	case localdb.EntityCompany:
		a.CompanyID = id
	case localdb.EntityDeal:
		d, err := c.store.GetDeal(c.ctx, id)
		if err != nil {
			return err
		}
		a.DealID, a.CompanyID, a.ContactID = id, d.CompanyID, d.ContactID
	}
	if a.Kind == localdb.KindCall && a.Outcome != "" {
		// A call with an outcome follows the same rules as in the queue.
		call := calls.Call{ContactID: a.ContactID, CompanyID: a.CompanyID, DealID: a.DealID, Notes: a.Body,
			Subject: a.Subject, DurationS: a.DurationS, Direction: a.Direction, OccurredAt: a.OccurredAt}
		if err := cf.call("log", &call); err != nil {
			return err
		}
		res, err := inTx(c, c.store, func(t *localdb.Tx) (*calls.Result, error) { return calls.LogCall(t, call) })
		if err != nil {
			return err
		}
		a = res.Activity
		if !*asJSON {
			printResult(c, res)
			return nil
		}
	} else if err := c.store.Create(c.ctx, a); err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.out(), a)
	}
	fmt.Fprintln(c.out(), a.ID)
	return nil
}

// parseWhen reads a local date or date and time.
func parseWhen(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02T15:04:05", time.RFC3339, "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, strings.TrimSpace(s), time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time (YYYY-MM-DD or YYYY-MM-DD HH:MM)", s)
}

func runTasks(c *runCtx, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "add":
			return tasksAdd(c, args[1:])
		case "done":
			return tasksDone(c, args[1:])
		case "list", "ls":
			args = args[1:]
		}
	}
	return tasksList(c, args)
}

func tasksList(c *runCtx, args []string) error {
	fs := newFlags("tasks")
	asJSON := fs.Bool("json", false, "print JSON")
	all := fs.Bool("all", false, "include done tasks")
	due := fs.String("due", "", "only tasks due by: today, week or a date YYYY-MM-DD")
	kind := fs.String("kind", "", "only tasks of this kind: "+strings.Join(localdb.TaskKinds, ", "))
	limit := fs.Int("limit", 0, "at most `N` tasks (0: all)")
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	f := localdb.TaskFilter{All: *all, Kind: *kind, Limit: *limit}
	if *due != "" {
		today := time.Now()
		today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.Local)
		switch *due {
		case "today":
			f.DueBefore = today.AddDate(0, 0, 1)
		case "week":
			f.DueBefore = today.AddDate(0, 0, 7)
		default:
			d, err := time.ParseInLocation(time.DateOnly, *due, time.Local)
			if err != nil {
				return usagef("tasks: --due: %q is not today, week or YYYY-MM-DD", *due)
			}
			f.DueBefore = d.AddDate(0, 0, 1)
		}
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	ts, err := s.Tasks(c.ctx, f)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.out(), nonNil(ts))
	}
	t := newTable(c.out(), "ID", "DUE", "KIND", "TITLE", "DONE")
	for _, k := range ts {
		done := ""
		if k.Done {
			done = "yes"
		}
		t.row(k.ID, localTime(k.Due), k.Kind, k.Title, done)
	}
	return t.flush()
}

func tasksAdd(c *runCtx, args []string) error {
	fs := newFlags("tasks add")
	title := fs.String("title", "", "what is to be done")
	kind := fs.String("kind", localdb.TaskFollowUp, "call, email, follow_up or visit_prep")
	due := fs.String("due", "", "when it is due (YYYY-MM-DD or YYYY-MM-DD HH:MM)")
	about := fs.String("for", "", "the contact, company or deal id it is about")
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *title == "" {
		return usagef("tasks add: --title is required")
	}
	k := &localdb.Task{Title: *title, Kind: *kind}
	var err error
	if *due != "" {
		if k.Due, err = parseWhen(*due); err != nil {
			return usagef("tasks add: --due: %v", err)
		}
	}
	if *about != "" {
		entity, id, err := c.resolveID(*about, localdb.EntityContact, localdb.EntityCompany, localdb.EntityDeal)
		if err != nil {
			return err
		}
		switch entity {
		case localdb.EntityContact:
			k.ContactID = id
		case localdb.EntityCompany:
			k.CompanyID = id
		default:
			k.DealID = id
		}
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	if err := s.Create(c.ctx, k); err != nil {
		return err
	}
	fmt.Fprintln(c.out(), k.ID)
	return nil
}

func tasksDone(c *runCtx, args []string) error {
	fs := newFlags("tasks done")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	_, id, err := c.resolveID(pos[0], localdb.EntityTask)
	if err != nil {
		return err
	}
	k, err := c.store.GetTask(c.ctx, id)
	if err != nil {
		return err
	}
	k.Done = true
	return c.store.Save(c.ctx, k)
}
