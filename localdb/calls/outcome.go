package calls

import (
	"fmt"
	"strings"
	"time"

	"repdesk/localdb"
)

// RetryWorkingDays is how many working days after a voicemail or an
// unanswered call the retry is due.
const RetryWorkingDays = 2

// taskHour is the local hour at which follow-up and cadence tasks are due.
const taskHour = 9

// Call is a call to log with LogCall.
type Call struct {
	ContactID string
	CompanyID string // filled in from the contact when empty
	DealID    string
	Outcome   string // one of localdb.CallOutcomes
	Notes     string
	Subject   string // the outcome's name unless given
	// Number is the number dialled; a wrong number flags it (default: the
	// number the queue would dial).
	Number string
	// CallbackAt is when the contact asked to be called back; required for
	// the callback outcome.
	CallbackAt time.Time
	DurationS  int64
	Direction  string    // "out" unless given
	OccurredAt time.Time // now unless given
	// Location is the rep's time zone, for working days and "today"
	// (default time.Local).
	Location *time.Location
}

// Result is what logging a call did.
type Result struct {
	Activity *localdb.Activity `json:"activity"`
	// FollowUp is the task the rules made: a retry or the callback.
	FollowUp *localdb.Task `json:"follow_up"`
	// Completed are the contact's call tasks due by the end of today that
	// this call took care of.
	Completed     []string `json:"completed_tasks"`
	FlaggedNumber string   `json:"flagged_number"`
	// LeadStatus is the contact's lead status after the call.
	LeadStatus string `json:"lead_status"`
	// Stopped are the cadence enrollments the call ended.
	Stopped []string `json:"stopped_enrollments"`
}

// LogCall logs a call and applies the follow-up rules, all in t:
//   - voicemail and no answer: a call task RetryWorkingDays working days
//     later (Saturday and Sunday skipped), at 9:00;
//   - callback: a call task at CallbackAt;
//   - wrong number: the number is flagged, so no queue dials it again;
//   - not interested: the lead becomes unqualified and its cadences stop;
//   - connected: its cadences stop, and a new lead becomes contacted.
//
// Any call also completes the contact's open call tasks due by the end of
// today: the queue worked them.
func LogCall(t *localdb.Tx, c Call) (*Result, error) {
	if err := checkCall(&c); err != nil {
		return nil, fmt.Errorf("log call: %w", err)
	}
	var contact *localdb.Contact
	if c.ContactID != "" {
		var err error
		if contact, err = t.GetContact(c.ContactID); err != nil {
			return nil, fmt.Errorf("log call: %w", err)
		}
	}
	act := &localdb.Activity{Kind: localdb.KindCall, Direction: c.Direction, Outcome: c.Outcome, DurationS: c.DurationS,
		OccurredAt: c.OccurredAt, Subject: c.Subject, Body: strings.TrimSpace(c.Notes),
		ContactID: c.ContactID, CompanyID: c.CompanyID, DealID: c.DealID}
	if err := t.Create(act); err != nil {
		return nil, fmt.Errorf("log call: %w", err)
	}
	res := &Result{Activity: act, Completed: []string{}, Stopped: []string{}}
	if contact != nil {
		res.LeadStatus = contact.LeadStatus
		if err := completeDue(t, contact.ID, act.OccurredAt, c.Location, res); err != nil {
			return nil, fmt.Errorf("log call: %w", err)
		}
	}
	var err error
	switch c.Outcome {
	case localdb.OutcomeVoicemail, localdb.OutcomeNoAnswer:
		res.FollowUp, err = followUp(t, act, "Call "+who(contact)+" again", RetryAt(act.OccurredAt, c.Location))
	case localdb.OutcomeCallback:
		res.FollowUp, err = followUp(t, act, "Call back "+who(contact), c.CallbackAt)
	case localdb.OutcomeWrongNumber:
		if contact != nil {
			res.FlaggedNumber, err = flagNumber(t, contact, c.Number)
		}
	case localdb.OutcomeNotInterested:
		if contact != nil {
			err = setLeadStatus(t, contact, localdb.LeadUnqualified, res)
			if err == nil {
				res.Stopped, err = StopContact(t, contact.ID, StopNotInterested)
			}
		}
	case localdb.OutcomeConnected:
		if contact != nil {
			if contact.LeadStatus == localdb.LeadNew {
				err = setLeadStatus(t, contact, localdb.LeadContacted, res)
			}
			if err == nil {
				res.Stopped, err = StopContact(t, contact.ID, StopConnected)
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("log call: %w", err)
	}
	return res, nil
}

func checkCall(c *Call) error {
	c.Outcome = strings.TrimSpace(c.Outcome)
	if c.Outcome == "" {
		return &localdb.ValidationError{Field: "outcome", Value: "", Problem: "required: say how the call went (" +
			strings.Join(localdb.CallOutcomes, ", ") + ")"}
	}
	if c.Direction == "" {
		c.Direction = "out"
	}
	if c.Subject = strings.TrimSpace(c.Subject); c.Subject == "" {
		c.Subject = Subject(c.Outcome)
	}
	if c.Location == nil {
		c.Location = time.Local
	}
	if c.Outcome == localdb.OutcomeCallback && c.CallbackAt.IsZero() {
		return &localdb.ValidationError{Field: "callback_at", Value: "", Problem: "required: say when to call back"}
	}
	if c.ContactID == "" && c.CompanyID == "" && c.DealID == "" {
		return &localdb.ValidationError{Field: "contact_id", Value: "", Problem: "required: say whom the call was with"}
	}
	// Activity validation names a wrong outcome; it runs in Create.
	return nil
}

// Subject is the subject line of a logged call with this outcome.
func Subject(outcome string) string {
	switch outcome {
	case localdb.OutcomeConnected:
		return "Connected"
	case localdb.OutcomeVoicemail:
		return "Left voicemail"
	case localdb.OutcomeNoAnswer:
		return "No answer"
	case localdb.OutcomeBusy:
		return "Busy"
	case localdb.OutcomeWrongNumber:
		return "Wrong number"
	case localdb.OutcomeCallback:
		return "Call back later"
	case localdb.OutcomeNotInterested:
		return "Not interested"
	}
	return outcome
}

func who(c *localdb.Contact) string {
	if c != nil {
		return c.FullName
	}
	return "the customer"
}

// followUp creates the call task the rules ask for.
func followUp(t *localdb.Tx, act *localdb.Activity, title string, due time.Time) (*localdb.Task, error) {
	task := &localdb.Task{Title: title, Kind: localdb.TaskCall, Due: due, ContactID: act.ContactID,
		CompanyID: act.CompanyID, DealID: act.DealID}
	if err := t.Create(task); err != nil {
		return nil, err
	}
	return task, nil
}

// completeDue marks done the contact's open call tasks due by the end of the
// day of the call.
func completeDue(t *localdb.Tx, contactID string, at time.Time, loc *time.Location, res *Result) error {
	_, dayEnd := today(at, loc)
	tasks, err := t.OpenTasks(contactID)
	if err != nil {
		return err
	}
	for i := range tasks {
		k := &tasks[i]
		if k.Kind != localdb.TaskCall || k.Due.IsZero() || !k.Due.Before(dayEnd) {
			continue
		}
		k.Done = true
		if err := t.Save(k); err != nil {
			return err
		}
		res.Completed = append(res.Completed, k.ID)
	}
	return nil
}

// flagNumber flags the dialled number (the one the queue would dial when
// none is given) and returns it.
func flagNumber(t *localdb.Tx, c *localdb.Contact, number string) (string, error) {
	number = strings.TrimSpace(number)
	if number == "" {
		p, ok := Dialable(c.Phones)
		if !ok {
			return "", nil
		}
		number = p.Number
	}
	found := false
	for i := range c.Phones {
		p := &c.Phones[i]
		if p.Number == number || (p.E164 != "" && p.E164 == number) {
			p.Flagged, found = true, true
		}
	}
	if !found {
		return "", &localdb.ValidationError{Field: "number", Value: number, Problem: "not a number of " + c.FullName}
	}
	if err := t.UpdateContact(c); err != nil {
		return "", err
	}
	return number, nil
}

func setLeadStatus(t *localdb.Tx, c *localdb.Contact, status string, res *Result) error {
	c.LeadStatus = status
	if err := t.UpdateContact(c); err != nil {
		return err
	}
	res.LeadStatus = status
	return nil
}

// RetryAt is when a call at `at` that reached nobody is tried again:
// RetryWorkingDays working days later at 9:00 in loc.
func RetryAt(at time.Time, loc *time.Location) time.Time {
	return dayAt(AddWorkingDays(at.In(loc), RetryWorkingDays), taskHour)
}

// AddWorkingDays moves day n working days on, skipping Saturdays and
// Sundays: Friday + 2 is Tuesday.
func AddWorkingDays(day time.Time, n int) time.Time {
	for n > 0 {
		day = day.AddDate(0, 0, 1)
		if isWorkingDay(day) {
			n--
		}
	}
	return day
}

func isWorkingDay(day time.Time) bool {
	wd := day.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// dayAt is hour o'clock on day, in day's location.
func dayAt(day time.Time, hour int) time.Time {
	y, m, d := day.Date()
	return time.Date(y, m, d, hour, 0, 0, 0, day.Location())
}
