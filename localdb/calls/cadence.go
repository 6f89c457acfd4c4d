package calls

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"repdesk/localdb"
)

// Why an enrollment stopped.
const (
	StopConnected     = "connected"
	StopNotInterested = "not_interested"
	StopByRep         = "ended"
)

// SaveCadence creates the cadence name, or replaces the steps of the one
// with that name. Contacts enrolled already keep the tasks they have.
func SaveCadence(t *localdb.Tx, name string, steps []localdb.CadenceStep) (*localdb.Cadence, error) {
	c, err := t.CadenceNamed(name)
	switch {
	case errors.Is(err, localdb.ErrNotFound):
		c = &localdb.Cadence{Name: name, Steps: steps}
		err = t.Create(c)
	case err == nil:
		c.Steps = steps
		err = t.Save(c)
	}
	if err != nil {
		return nil, fmt.Errorf("save cadence: %w", err)
	}
	return c, nil
}

// ParseSteps reads steps written as "0:call, 2:email:Send the brochure,
// 5:call": day, task kind and an optional title.
func ParseSteps(s string) ([]localdb.CadenceStep, error) {
	var steps []localdb.CadenceStep
	for i, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		fields := strings.SplitN(part, ":", 3)
		var day int
		if _, err := fmt.Sscanf(strings.TrimSpace(fields[0]), "%d", &day); err != nil || len(fields) < 2 {
			return nil, &localdb.ValidationError{Field: fmt.Sprintf("step %d", i+1), Value: part,
				Problem: "write a step as DAY:KIND[:TITLE], e.g. 2:email:Send the brochure"}
		}
		st := localdb.CadenceStep{Day: day, Kind: strings.TrimSpace(fields[1])}
		if len(fields) == 3 {
			st.Title = strings.TrimSpace(fields[2])
		}
		steps = append(steps, st)
	}
	return steps, nil
}

// Enroll puts a contact into a cadence from start on and creates a task for
// every step: day N is N working days after start (a start on a weekend
// counts from the Monday after), at 9:00 in loc.
func Enroll(t *localdb.Tx, cadenceID, contactID string, start time.Time, loc *time.Location) (*localdb.Enrollment, error) {
	if loc == nil {
		loc = time.Local
	}
	cad := &localdb.Cadence{}
	if err := t.Read(cad, cadenceID); err != nil {
		return nil, fmt.Errorf("enroll: %w", err)
	}
	contact, err := t.GetContact(contactID)
	if err != nil {
		return nil, fmt.Errorf("enroll: %w", err)
	}
	active, err := t.ActiveEnrollments(contactID)
	if err != nil {
		return nil, fmt.Errorf("enroll: %w", err)
	}
	if slices.ContainsFunc(active, func(e localdb.Enrollment) bool { return e.CadenceID == cadenceID }) {
		return nil, fmt.Errorf("enroll: %w", &localdb.ValidationError{Field: "contact_id", Value: contactID,
			Problem: fmt.Sprintf("%s is already in the cadence %q", contact.FullName, cad.Name)})
	}
	day0 := start.In(loc)
	for !isWorkingDay(day0) {
		day0 = day0.AddDate(0, 0, 1)
	}
	e := &localdb.Enrollment{CadenceID: cadenceID, ContactID: contactID, StartedAt: start, Status: localdb.EnrollmentActive}
	for i, st := range cad.Steps {
		title := st.Title
		if title == "" {
			title = stepTitle(st.Kind, contact.FullName)
		}
		task := &localdb.Task{Title: fmt.Sprintf("%s (%s, step %d)", title, cad.Name, i+1), Kind: st.Kind,
			Due: dayAt(AddWorkingDays(day0, st.Day), taskHour), ContactID: contactID, CompanyID: contact.CompanyID}
		if err := t.Create(task); err != nil {
			return nil, fmt.Errorf("enroll: %w", err)
		}
		e.TaskIDs = append(e.TaskIDs, task.ID)
	}
	if err := t.Create(e); err != nil {
		return nil, fmt.Errorf("enroll: %w", err)
	}
	return e, nil
}

func stepTitle(kind, name string) string {
	switch kind {
	case localdb.TaskCall:
		return "Call " + name
	case localdb.TaskEmail:
		return "E-mail " + name
	}
	return "Follow up with " + name
}

// Stop ends an active enrollment: its open tasks are removed, the done ones
// stay.
func Stop(t *localdb.Tx, enrollmentID, reason string) error {
	e := &localdb.Enrollment{}
	if err := t.Read(e, enrollmentID); err != nil {
		return fmt.Errorf("stop enrollment: %w", err)
	}
	if e.Status != localdb.EnrollmentActive {
		return fmt.Errorf("stop enrollment: %w", &localdb.ValidationError{Field: "enrollment", Value: enrollmentID,
			Problem: "already stopped (" + e.StopReason + ")"})
	}
	if err := stop(t, e, reason); err != nil {
		return fmt.Errorf("stop enrollment: %w", err)
	}
	return nil
}

// StopContact ends every active enrollment of a contact and returns their
// ids.
func StopContact(t *localdb.Tx, contactID, reason string) ([]string, error) {
	active, err := t.ActiveEnrollments(contactID)
	if err != nil {
		return nil, fmt.Errorf("stop cadences: %w", err)
	}
	stopped := []string{}
	for i := range active {
		if err := stop(t, &active[i], reason); err != nil {
			return nil, fmt.Errorf("stop cadences: %w", err)
		}
		stopped = append(stopped, active[i].ID)
	}
	return stopped, nil
}

func stop(t *localdb.Tx, e *localdb.Enrollment, reason string) error {
	for _, id := range e.TaskIDs {
		task := &localdb.Task{}
		switch err := t.Read(task, id); {
		case errors.Is(err, localdb.ErrNotFound):
			continue // deleted by the rep
		case err != nil:
			return err
		}
		if task.Done {
			continue
		}
		if err := t.Delete(localdb.EntityTask, id); err != nil {
			return err
		}
	}
	e.Status, e.StopReason = localdb.EnrollmentStopped, reason
	return t.Save(e)
}
