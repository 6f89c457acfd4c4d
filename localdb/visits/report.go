package visits

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"repdesk/localdb"
)

// NextStep is a follow-up the visit report creates as a task.
type NextStep struct {
	Title string
	Due   time.Time
}

// ParseNextStep reads "TEXT@DATE" with DATE as YYYY-MM-DD (due at 9:00) or
// "YYYY-MM-DD HH:MM", in loc. The last @ separates, so the text may hold one.
func ParseNextStep(s string, loc *time.Location) (NextStep, error) {
	i := strings.LastIndex(s, "@")
	if i < 0 {
		return NextStep{}, fmt.Errorf("next step %q: write it as TEXT@YYYY-MM-DD", s)
	}
	title, when := strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
	if title == "" {
		return NextStep{}, fmt.Errorf("next step %q: the text before @ is empty", s)
	}
	due, err := ParseStart(when, loc)
	if err != nil {
		d, derr := ParseDay(when, loc)
		if derr != nil {
			return NextStep{}, fmt.Errorf("next step %q: the due date after @: write it as YYYY-MM-DD or \"YYYY-MM-DD HH:MM\"", s)
		}
		due = d.Add(9 * time.Hour)
	}
	return NextStep{Title: title, Due: due}, nil
}

// Report is what the field rep writes after the visit.
type Report struct {
	Outcome   string // one of localdb.VisitOutcomes
	Notes     string
	NextSteps []NextStep
}

// ReportResult is what writing the report did.
type ReportResult struct {
	Visit    *localdb.Visit    `json:"visit"`
	Activity *localdb.Activity `json:"activity"`
	Tasks    []*localdb.Task   `json:"tasks"`
}

// WriteReport records the report of a planned visit, all in t: the visit
// becomes done with its outcome and notes, the visit is logged on the
// company's (and contact's) timeline, and every next step becomes a
// follow-up task for the same company and contact.
func WriteReport(t *localdb.Tx, visitID string, r Report) (*ReportResult, error) {
	if !slices.Contains(localdb.VisitOutcomes, r.Outcome) {
		return nil, fmt.Errorf("visit report: outcome %q: must be one of %s", r.Outcome, strings.Join(localdb.VisitOutcomes, ", "))
	}
	v := &localdb.Visit{}
	if err := t.Read(v, visitID); err != nil {
		return nil, fmt.Errorf("visit report: visit %s: %w", visitID, err)
	}
	if v.Status != localdb.VisitPlanned {
		return nil, fmt.Errorf("visit report: visit %s is %s: %w", visitID, v.Status, ErrNotPlanned)
	}
	v.Status, v.Outcome, v.Report = localdb.VisitDone, r.Outcome, strings.TrimSpace(r.Notes)
	if err := t.Save(v); err != nil {
		return nil, fmt.Errorf("visit report: %w", err)
	}
	res := &ReportResult{Visit: v}
	subject := "Visit: " + OutcomeName(r.Outcome)
	if v.Purpose != "" {
		subject += " (" + v.Purpose + ")"
	}
	res.Activity = &localdb.Activity{Kind: localdb.KindVisit, OccurredAt: v.StartAt, DurationS: int64(v.EndAt.Sub(v.StartAt).Seconds()),
		Subject: subject, Body: v.Report, CompanyID: v.CompanyID, ContactID: v.ContactID}
	if err := t.Create(res.Activity); err != nil {
		return nil, fmt.Errorf("visit report: log the visit: %w", err)
	}
	for _, n := range r.NextSteps {
		task := &localdb.Task{Title: n.Title, Kind: localdb.TaskFollowUp, Due: n.Due, CompanyID: v.CompanyID, ContactID: v.ContactID}
		if err := t.Create(task); err != nil {
			return nil, fmt.Errorf("visit report: next step %q: %w", n.Title, err)
		}
		res.Tasks = append(res.Tasks, task)
	}
	return res, nil
}

// OutcomeName is the English name of a visit outcome, for logs and
// calendar texts.
func OutcomeName(outcome string) string {
	switch outcome {
	case localdb.VisitOutcomePositive:
		return "positive"
	case localdb.VisitOutcomeNeutral:
		return "neutral"
	case localdb.VisitOutcomeNegative:
		return "negative"
	case localdb.VisitOutcomeNoShow:
		return "customer not there"
	case localdb.VisitOutcomeFollowUp:
		return "follow-up needed"
	}
	return outcome
}
