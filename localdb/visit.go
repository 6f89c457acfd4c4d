package localdb

import (
	"context"
	"strings"
	"time"
)

func (v *Visit) normalize(*Tx) error {
	v.Purpose = strings.TrimSpace(v.Purpose)
	v.Assignee = strings.TrimSpace(v.Assignee)
	if v.Status == "" {
		v.Status = VisitPlanned
	}
	if v.EndAt.IsZero() && !v.StartAt.IsZero() {
		v.EndAt = v.StartAt.Add(time.Hour)
	}
	return nil
}

func (v *Visit) validate() error {
	if v.StartAt.IsZero() {
		return invalid("start", "", "required: when does the visit start")
	}
	if !v.EndAt.After(v.StartAt) {
		return invalid("end", v.EndAt.Format(time.RFC3339), "must be after the start")
	}
	if v.CompanyID == "" && v.ContactID == "" {
		return invalid("company", "", "a visit goes to a company or a contact")
	}
	if v.Outcome != "" {
		if err := oneOf("outcome", v.Outcome, VisitOutcomes); err != nil {
			return err
		}
	}
	return oneOf("status", v.Status, []string{VisitPlanned, VisitDone, VisitCancelled})
}

func (v *Visit) links() []link {
	return []link{{"company_id", EntityCompany, v.CompanyID}, {"contact_id", EntityContact, v.ContactID}}
}

// VisitFilter selects visits.
type VisitFilter struct {
	From, To  time.Time // start within [From, To)
	Assignee  string
	CompanyID string
	Status    string
	Limit     int
}

// Visits returns visits by start time.
func (s *Store) Visits(ctx context.Context, f VisitFilter) ([]Visit, error) {
	where := []string{"deleted = 0"}
	var args []any
	if !f.From.IsZero() {
		where = append(where, "start_at >= ?")
		args = append(args, formatTime(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, "start_at < ?")
		args = append(args, formatTime(f.To))
	}
	for _, c := range []struct{ col, val string }{{"assignee", f.Assignee}, {"company_id", f.CompanyID}, {"status", f.Status}} {
		if c.val != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.val)
		}
	}
	tail := "WHERE " + strings.Join(where, " AND ") + " ORDER BY start_at, position, id"
	tail, args = withLimit(tail, args, f.Limit, 0)
	return list[Visit](ctx, s.db, tail, args...)
}

// GetVisit reads one live visit.
func (s *Store) GetVisit(ctx context.Context, id string) (*Visit, error) {
	v := &Visit{}
	if err := s.get(ctx, s.db, v, id); err != nil {
		return nil, err
	}
	return v, nil
}
