package localdb

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Entity names of the inside-sales records (see localdb/calls).
const (
	EntitySavedFilter = "saved_filter"
	EntityCadence     = "cadence"
	EntityEnrollment  = "cadence_enrollment"
)

// QueueFilter selects the contacts of a call queue. Every condition given
// must hold; an empty filter takes every contact.
type QueueFilter struct {
	LeadStatus []string `json:"lead_status,omitempty"` // any of these
	Tags       []string `json:"tags,omitempty"`        // every one of these
	// City and PostalPrefix match the contact's first address or its
	// company's address.
	City         string `json:"city,omitempty"`
	PostalPrefix string `json:"postal_prefix,omitempty"`
	// Owner "me" means whoever builds the queue, so that a synced filter
	// works for every rep.
	Owner string `json:"owner,omitempty"`
	// DueToday keeps the contacts with an open call task due by the end of
	// today.
	DueToday bool `json:"due_today,omitempty"`
}

// SavedFilter is a named queue filter. It syncs, so a team shares its lists.
type SavedFilter struct {
	Meta
	Name   string      `json:"name" db:"name"`
	Filter QueueFilter `json:"filter" db:"filter,json"`
}

// CadenceStep is one step of a cadence: a task of Kind, Day days after the
// contact was enrolled (day 0 is the day of enrolment).
type CadenceStep struct {
	Day   int    `json:"day"`
	Kind  string `json:"kind"`
	Title string `json:"title,omitempty"`
}

// Cadence is a named list of steps worked for every enrolled contact.
type Cadence struct {
	Meta
	Name  string        `json:"name" db:"name"`
	Steps []CadenceStep `json:"steps" db:"steps,json"`
}

// Enrollment statuses.
const (
	EnrollmentActive  = "active"
	EnrollmentStopped = "stopped"
)

// Enrollment is a contact worked through a cadence. TaskIDs are the tasks
// its steps made; stopping the enrollment removes those still open.
type Enrollment struct {
	Meta
	CadenceID  string    `json:"cadence_id" db:"cadence_id"`
	ContactID  string    `json:"contact_id" db:"contact_id"`
	StartedAt  time.Time `json:"started_at" db:"started_at"`
	Status     string    `json:"status" db:"status"`
	StopReason string    `json:"stop_reason" db:"stop_reason"`
	TaskIDs    []string  `json:"task_ids" db:"task_ids,json"`
}

func (f *QueueFilter) tidy() {
	f.City = strings.TrimSpace(f.City)
	f.PostalPrefix = strings.TrimSpace(f.PostalPrefix)
	f.Owner = strings.TrimSpace(f.Owner)
	f.Tags = tidyTags(f.Tags)
	statuses := f.LeadStatus[:0:0]
	for _, s := range f.LeadStatus {
		if s = strings.ToLower(strings.TrimSpace(s)); s != "" {
			statuses = append(statuses, s)
		}
	}
	f.LeadStatus = statuses
}

// Validate checks the filter's lead statuses.
func (f *QueueFilter) Validate() error {
	for _, s := range f.LeadStatus {
		if err := oneOf("lead_status", s, LeadStatuses); err != nil {
			return err
		}
	}
	return nil
}

// Tidy trims the filter's values and drops empty ones.
func (f *QueueFilter) Tidy() { f.tidy() }

func (f *SavedFilter) normalize(*Tx) error {
	f.Name = strings.TrimSpace(f.Name)
	f.Filter.tidy()
	return nil
}

func (f *SavedFilter) adjust(t *Tx, _ Record) error {
	return t.uniqueName("saved_filters", "saved filter", f.Name, f.ID)
}

func (f *SavedFilter) validate() error {
	if f.Name == "" {
		return invalid("name", "", "required: name the filter")
	}
	return f.Filter.Validate()
}

func (c *Cadence) normalize(*Tx) error {
	c.Name = strings.TrimSpace(c.Name)
	for i := range c.Steps {
		c.Steps[i].Kind = strings.TrimSpace(c.Steps[i].Kind)
		c.Steps[i].Title = strings.TrimSpace(c.Steps[i].Title)
	}
	return nil
}

func (c *Cadence) adjust(t *Tx, _ Record) error {
	return t.uniqueName("cadences", "cadence", c.Name, c.ID)
}

func (c *Cadence) validate() error {
	if c.Name == "" {
		return invalid("name", "", "required: name the cadence")
	}
	if len(c.Steps) == 0 {
		return invalid("steps", "", "a cadence needs at least one step, e.g. day 0 call")
	}
	for i, s := range c.Steps {
		at := fmt.Sprintf("step %d", i+1)
		if s.Day < 0 {
			return invalid(at, fmt.Sprint(s.Day), "the day must not be negative")
		}
		if i > 0 && s.Day < c.Steps[i-1].Day {
			return invalid(at, fmt.Sprint(s.Day), fmt.Sprintf("steps go in order of their days; step %d is on day %d", i, c.Steps[i-1].Day))
		}
		if err := oneOf(at+" kind", s.Kind, TaskKinds); err != nil {
			return err
		}
	}
	return nil
}

func (e *Enrollment) normalize(*Tx) error {
	if e.Status == "" {
		e.Status = EnrollmentActive
	}
	return nil
}

func (e *Enrollment) validate() error {
	switch {
	case e.CadenceID == "":
		return invalid("cadence_id", "", "required: say which cadence")
	case e.ContactID == "":
		return invalid("contact_id", "", "required: say which contact is enrolled")
	}
	return oneOf("status", e.Status, []string{EnrollmentActive, EnrollmentStopped})
}

func (e *Enrollment) links() []link {
	return []link{{"cadence_id", EntityCadence, e.CadenceID}, {"contact_id", EntityContact, e.ContactID}}
}

// uniqueName refuses a name that another live record of table has
// (case-insensitive). Two offline clients may still pick the same name; the
// tables do not insist, so that a pulled record always applies.
func (t *Tx) uniqueName(table, what, name, id string) error {
	if name == "" {
		return nil
	}
	var n int
	if err := t.queryRow(`SELECT COUNT(*) FROM `+table+` WHERE name = ? COLLATE NOCASE AND deleted = 0 AND id <> ?`,
		name, id).Scan(&n); err != nil {
		return fmt.Errorf("check %s name: %w", what, err)
	}
	if n > 0 {
		return invalid("name", name, "another "+what+" has this name")
	}
	return nil
}

// SavedFilters returns the live saved filters by name.
func (s *Store) SavedFilters(ctx context.Context) ([]SavedFilter, error) {
	return list[SavedFilter](ctx, s.db, "WHERE deleted = 0 ORDER BY name COLLATE NOCASE, id")
}

// SavedFilterNamed finds the live saved filter with this name
// (case-insensitive) within the transaction.
func (t *Tx) SavedFilterNamed(name string) (*SavedFilter, error) {
	fs, err := list[SavedFilter](t.ctx, t.tx, "WHERE name = ? COLLATE NOCASE AND deleted = 0 ORDER BY id LIMIT 1", strings.TrimSpace(name))
	if err != nil {
		return nil, err
	}
	if len(fs) == 0 {
		return nil, fmt.Errorf("saved filter %q: %w", name, ErrNotFound)
	}
	return &fs[0], nil
}

// Cadences returns the live cadences by name.
func (s *Store) Cadences(ctx context.Context) ([]Cadence, error) {
	return list[Cadence](ctx, s.db, "WHERE deleted = 0 ORDER BY name COLLATE NOCASE, id")
}

// CadenceNamed finds the live cadence with this name (case-insensitive)
// within the transaction.
func (t *Tx) CadenceNamed(name string) (*Cadence, error) {
	cs, err := list[Cadence](t.ctx, t.tx, "WHERE name = ? COLLATE NOCASE AND deleted = 0 ORDER BY id LIMIT 1", strings.TrimSpace(name))
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, fmt.Errorf("cadence %q: %w", name, ErrNotFound)
	}
	return &cs[0], nil
}

// Enrollments returns the live enrollments of a contact ("" for every
// contact), active ones first, newest first.
func (s *Store) Enrollments(ctx context.Context, contactID string) ([]Enrollment, error) {
	if contactID == "" {
		return list[Enrollment](ctx, s.db, "WHERE deleted = 0 ORDER BY status, started_at DESC, id")
	}
	return list[Enrollment](ctx, s.db, "WHERE contact_id = ? AND deleted = 0 ORDER BY status, started_at DESC, id", contactID)
}

// ActiveEnrollments returns the contact's active enrollments within the
// transaction.
func (t *Tx) ActiveEnrollments(contactID string) ([]Enrollment, error) {
	return list[Enrollment](t.ctx, t.tx, "WHERE contact_id = ? AND status = ? AND deleted = 0 ORDER BY started_at, id",
		contactID, EnrollmentActive)
}

// OpenTasks returns the contact's open tasks within the transaction, by due
// date.
func (t *Tx) OpenTasks(contactID string) ([]Task, error) {
	return list[Task](t.ctx, t.tx, "WHERE contact_id = ? AND done = 0 AND deleted = 0 ORDER BY due = '', due, id", contactID)
}
