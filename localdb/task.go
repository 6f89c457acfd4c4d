package localdb

import (
	"context"
	"strings"
	"time"
)

func (k *Task) normalize(*Tx) error {
	k.Title = strings.TrimSpace(k.Title)
	if k.Kind == "" {
		k.Kind = TaskFollowUp
	}
	return nil
}

func (k *Task) validate() error {
	if k.Title == "" {
		return invalid("title", "", "required: say what is to be done")
	}
	return oneOf("kind", k.Kind, TaskKinds)
}

func (k *Task) links() []link {
	return []link{{"contact_id", EntityContact, k.ContactID}, {"company_id", EntityCompany, k.CompanyID},
		{"deal_id", EntityDeal, k.DealID}}
}

// TaskFilter selects tasks.
type TaskFilter struct {
	ContactID string
	Kind      string
	DueBefore time.Time // only tasks due before this time
	All       bool      // include done tasks
	Limit     int
}

// Tasks returns tasks, open ones by due date (tasks without a due date last).
func (s *Store) Tasks(ctx context.Context, f TaskFilter) ([]Task, error) {
	where := []string{"deleted = 0"}
	var args []any
	if !f.All {
		where = append(where, "done = 0")
	}
	if f.ContactID != "" {
		where = append(where, "contact_id = ?")
		args = append(args, f.ContactID)
	}
	if f.Kind != "" {
		where = append(where, "kind = ?")
		args = append(args, f.Kind)
	}
	if !f.DueBefore.IsZero() {
		where = append(where, "due != '' AND due < ?")
		args = append(args, formatTime(f.DueBefore))
	}
	tail := "WHERE " + strings.Join(where, " AND ") + " ORDER BY done, due = '', due, id"
	tail, args = withLimit(tail, args, f.Limit, 0)
	return list[Task](ctx, s.db, tail, args...)
}

// GetTask reads one live task.
func (s *Store) GetTask(ctx context.Context, id string) (*Task, error) {
	k := &Task{}
	if err := s.get(ctx, s.db, k, id); err != nil {
		return nil, err
	}
	return k, nil
}
