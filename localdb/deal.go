package localdb

import (
	"context"
	"fmt"
	"strings"
)

// Stages returns the pipeline stages in order.
func (s *Store) Stages(ctx context.Context) ([]Stage, error) {
	return s.stages(ctx, s.db)
}

func (s *Store) stages(ctx context.Context, q querier) ([]Stage, error) {
	rows, err := q.QueryContext(ctx, `SELECT name, position, probability, closed FROM stages ORDER BY position`)
	if err != nil {
		return nil, fmt.Errorf("stages: %w", err)
	}
	defer rows.Close()
	var out []Stage
	for rows.Next() {
		var st Stage
		if err := rows.Scan(&st.Name, &st.Position, &st.Probability, &st.Closed); err != nil {
			return nil, fmt.Errorf("stages: %w", err)
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("stages: %w", err)
	}
	return out, nil
}

// SetStages replaces the pipeline (e.g. from a provisioning file). Deals in
// a stage that no longer exists keep their stage name.
func (s *Store) SetStages(ctx context.Context, stages []Stage) error {
	return s.Update(ctx, func(t *Tx) error {
		if _, err := t.tx.ExecContext(ctx, `DELETE FROM stages`); err != nil {
			return fmt.Errorf("set stages: %w", err)
		}
		for i, st := range stages {
			if st.Probability < 0 || st.Probability > 100 {
				return fmt.Errorf("set stages: %w", invalid("probability", fmt.Sprint(st.Probability), "must be between 0 and 100"))
			}
			if _, err := t.tx.ExecContext(ctx, `INSERT INTO stages (name, position, probability, closed) VALUES (?, ?, ?, ?)`,
				st.Name, i+1, st.Probability, st.Closed); err != nil {
				return fmt.Errorf("set stages: stage %q: %w", st.Name, err)
			}
		}
		return nil
	})
}

// pipeline returns the stages, read once per transaction.
func (t *Tx) pipeline() ([]Stage, error) {
	if t.stageList == nil {
		stages, err := t.s.stages(t.ctx, t.tx)
		if err != nil {
			return nil, err
		}
		t.stageList = stages
	}
	return t.stageList, nil
}

func (t *Tx) stage(name string) (Stage, error) {
	stages, err := t.pipeline()
	if err != nil {
		return Stage{}, err
	}
	var names []string
	for _, st := range stages {
		if strings.EqualFold(st.Name, name) {
			return st, nil
		}
		names = append(names, st.Name)
	}
	return Stage{}, invalid("stage", name, "no such stage; stages are "+strings.Join(names, ", "))
}

func (d *Deal) normalize(t *Tx) error {
	d.Title = strings.TrimSpace(d.Title)
	d.Currency = strings.ToUpper(strings.TrimSpace(d.Currency))
	if d.Currency == "" {
		d.Currency = "EUR"
	}
	if d.Stage == "" {
		stages, err := t.pipeline()
		if err != nil {
			return err
		}
		if len(stages) == 0 {
			return invalid("stage", "", "the pipeline has no stages")
		}
		d.Stage = stages[0].Name // new deals start in the first stage
	}
	st, err := t.stage(d.Stage)
	if err != nil {
		return err
	}
	d.Stage = st.Name // canonical spelling
	switch {
	case st.Closed != "" && d.ClosedAt == "":
		d.ClosedAt = formatTime(t.now)
	case st.Closed == "":
		d.ClosedAt = ""
	}
	d.Tags = tidyTags(d.Tags)
	return nil
}

// adjust gives a new deal without a probability its stage's, and a deal
// moved to another stage the new stage's unless the probability was changed
// too.
func (d *Deal) adjust(t *Tx, stored Record) error {
	st, err := t.stage(d.Stage)
	if err != nil {
		return err
	}
	if stored == nil {
		if d.Probability == 0 {
			d.Probability = st.Probability
		}
		return nil
	}
	old := stored.(*Deal)
	if d.Stage != old.Stage && d.Probability == old.Probability {
		d.Probability = st.Probability
	}
	return nil
}

func (d *Deal) validate() error {
	switch {
	case d.Title == "":
		return invalid("title", "", "required: give the deal a title")
	case d.Amount < 0:
		return invalid("amount", fmt.Sprint(d.Amount), "must not be negative")
	case d.Probability < 0 || d.Probability > 100:
		return invalid("probability", fmt.Sprint(d.Probability), "must be between 0 and 100")
	case len(d.Currency) != 3 || strings.Trim(d.Currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "":
		return invalid("currency", d.Currency, "must be a three-letter ISO 4217 code such as EUR")
	}
	return ValidateDate("expected_close", d.ExpectedClose)
}

func (d *Deal) links() []link {
	return []link{{"company_id", EntityCompany, d.CompanyID}, {"contact_id", EntityContact, d.ContactID}}
}

// MoveDeal puts a deal into another stage; its probability becomes the new
// stage's default and a won or lost deal records when it closed.
func (t *Tx) MoveDeal(id, stage string) (*Deal, error) {
	d := &Deal{}
	if err := t.s.get(t.ctx, t.tx, d, id); err != nil {
		return nil, fmt.Errorf("move deal: %w", err)
	}
	st, err := t.stage(stage)
	if err != nil {
		return nil, fmt.Errorf("move deal: %w", err)
	}
	if d.Stage == st.Name {
		return d, nil
	}
	d.Stage, d.Probability = st.Name, st.Probability
	if st.Closed == "" {
		d.LostReason = ""
	}
	d.ClosedAt = "" // normalize sets it again for a closed stage
	if err := t.Save(d); err != nil {
		return nil, err
	}
	return d, nil
}

// MoveDeal puts a deal into another stage, in its own transaction.
func (s *Store) MoveDeal(ctx context.Context, id, stage string) (*Deal, error) {
	var d *Deal
	err := s.Update(ctx, func(t *Tx) error {
		var err error
		d, err = t.MoveDeal(id, stage)
		return err
	})
	if err != nil {
		return nil, err
	}
	return d, s.fillDealNames(ctx, []*Deal{d})
}

// GetDeal reads one live deal.
func (s *Store) GetDeal(ctx context.Context, id string) (*Deal, error) {
	d := &Deal{}
	if err := s.get(ctx, s.db, d, id); err != nil {
		return nil, err
	}
	return d, s.fillDealNames(ctx, []*Deal{d})
}

// DealFilter selects deals for ListDeals.
type DealFilter struct {
	Query     string
	Stage     string
	CompanyID string
	ContactID string
	Open      bool // only deals in stages that are not closed
	Limit     int
	Offset    int
}

// ListDeals returns live deals, newest expected close last.
func (s *Store) ListDeals(ctx context.Context, f DealFilter) ([]Deal, error) {
	where := []string{"deleted = 0"}
	var args []any
	for _, c := range []struct{ col, val string }{{"stage", f.Stage}, {"company_id", f.CompanyID}, {"contact_id", f.ContactID}} {
		if c.val != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.val)
		}
	}
	if f.Open {
		where = append(where, "stage IN (SELECT name FROM stages WHERE closed = '')")
	}
	var out []Deal
	var err error
	if f.Query != "" {
		ids, err := s.searchIDs(ctx, f.Query, EntityDeal, f.Limit+f.Offset)
		if err != nil || len(ids) == 0 {
			return nil, err
		}
		if out, err = orderedByIDs[Deal](ctx, s, ids, where, args, f.Offset, f.Limit); err != nil {
			return nil, err
		}
	} else {
		tail := "WHERE " + strings.Join(where, " AND ") + " ORDER BY expected_close = '', expected_close, title COLLATE NOCASE, id"
		tail, args = withLimit(tail, args, f.Limit, f.Offset)
		if out, err = list[Deal](ctx, s.db, tail, args...); err != nil {
			return nil, err
		}
	}
	ptrs := make([]*Deal, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	return out, s.fillDealNames(ctx, ptrs)
}

func (s *Store) fillDealNames(ctx context.Context, ds []*Deal) error {
	names, err := s.companyNames(ctx, func(yield func(string)) {
		for _, d := range ds {
			yield(d.CompanyID)
		}
	})
	if err != nil {
		return err
	}
	contacts, err := s.recordNames(ctx, "contacts", "full_name", func(yield func(string)) {
		for _, d := range ds {
			yield(d.ContactID)
		}
	})
	if err != nil {
		return err
	}
	for _, d := range ds {
		d.Company, d.Contact = names[d.CompanyID], contacts[d.ContactID]
	}
	return nil
}
