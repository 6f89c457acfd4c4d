package localdb

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

func (a *Activity) normalize(t *Tx) error {
	a.Kind = strings.TrimSpace(a.Kind)
	if a.Kind == "" {
		a.Kind = KindNote
	}
	if a.OccurredAt.IsZero() {
		a.OccurredAt = t.now
	}
	// A link to a contact also files the activity under the contact's company.
	if a.ContactID != "" && a.CompanyID == "" {
		c := &Contact{}
		switch err := t.s.get(t.ctx, t.tx, c, a.ContactID); {
		case err == nil:
			a.CompanyID = c.CompanyID
		case !errors.Is(err, ErrNotFound): // a missing contact is the link check's to report
			return err
		}
	}
	return nil
}

func (a *Activity) validate() error {
	if err := oneOf("kind", a.Kind, ActivityKinds); err != nil {
		return err
	}
	if a.Outcome != "" {
		if a.Kind != KindCall {
			return invalid("outcome", a.Outcome, "only calls have an outcome")
		}
		if err := oneOf("outcome", a.Outcome, CallOutcomes); err != nil {
			return err
		}
	}
	if a.Direction != "" {
		if err := oneOf("direction", a.Direction, []string{"in", "out"}); err != nil {
			return err
		}
	}
	if a.DurationS < 0 {
		return invalid("duration", fmt.Sprint(a.DurationS), "must not be negative")
	}
	if a.ContactID == "" && a.CompanyID == "" && a.DealID == "" {
		return invalid("links", "", "an activity belongs to a contact, a company or a deal")
	}
	return nil
}

func (a *Activity) links() []link {
	return []link{{"contact_id", EntityContact, a.ContactID}, {"company_id", EntityCompany, a.CompanyID},
		{"deal_id", EntityDeal, a.DealID}}
}

// ActivityFilter selects a timeline.
type ActivityFilter struct {
	ContactID, CompanyID, DealID string
	Kind                         string
	Limit                        int
}

// Activities returns the timeline of a contact, company or deal, newest
// first.
func (s *Store) Activities(ctx context.Context, f ActivityFilter) ([]Activity, error) {
	where := []string{"deleted = 0"}
	var args []any
	for _, c := range []struct{ col, val string }{{"contact_id", f.ContactID}, {"company_id", f.CompanyID},
		{"deal_id", f.DealID}, {"kind", f.Kind}} {
		if c.val != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.val)
		}
	}
	tail := "WHERE " + strings.Join(where, " AND ") + " ORDER BY occurred_at DESC, id DESC"
	tail, args = withLimit(tail, args, f.Limit, 0)
	return list[Activity](ctx, s.db, tail, args...)
}

// GetActivity reads one live activity.
func (s *Store) GetActivity(ctx context.Context, id string) (*Activity, error) {
	a := &Activity{}
	if err := s.get(ctx, s.db, a, id); err != nil {
		return nil, err
	}
	return a, nil
}
