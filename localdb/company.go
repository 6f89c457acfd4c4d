package localdb

import (
	"context"
	"fmt"
	"strings"
)

func (c *Company) normalize(*Tx) error {
	for _, p := range []*string{&c.Name, &c.Industry, &c.Website, &c.Phone, &c.Street, &c.PostalCode,
		&c.City, &c.Region, &c.Country, &c.Territory} {
		*p = strings.TrimSpace(*p)
	}
	c.Tags = tidyTags(c.Tags)
	return nil
}

func (c *Company) validate() error {
	if c.Name == "" {
		return invalid("name", "", "required: give the company's name")
	}
	if c.Phone != "" {
		return checkPhone(c.Phone)
	}
	return nil
}

// GetCompany reads one live company.
func (s *Store) GetCompany(ctx context.Context, id string) (*Company, error) {
	c := &Company{}
	if err := s.get(ctx, s.db, c, id); err != nil {
		return nil, err
	}
	return c, nil
}

// CompanyFilter selects companies for ListCompanies.
type CompanyFilter struct {
	Query  string
	City   string // prefix of city or postal code
	Limit  int
	Offset int
}

// ListCompanies returns live companies ordered by name, or by relevance when
// a query is given.
func (s *Store) ListCompanies(ctx context.Context, f CompanyFilter) ([]Company, error) {
	where := []string{"deleted = 0"}
	var args []any
	if f.City != "" {
		where = append(where, "(city LIKE ? ESCAPE '\\' OR postal_code LIKE ? ESCAPE '\\')")
		args = append(args, likePrefix(f.City), likePrefix(f.City))
	}
	if f.Query != "" {
		ids, err := s.searchIDs(ctx, f.Query, EntityCompany, f.Limit+f.Offset)
		if err != nil || len(ids) == 0 {
			return nil, err
		}
		return orderedByIDs[Company](ctx, s, ids, where, args, f.Offset, f.Limit)
	}
	tail := "WHERE " + strings.Join(where, " AND ") + " ORDER BY name COLLATE NOCASE, id"
	tail, args = withLimit(tail, args, f.Limit, f.Offset)
	return list[Company](ctx, s.db, tail, args...)
}

// FindCompanyByName returns the live company with exactly this name
// (case-insensitive).
func (s *Store) FindCompanyByName(ctx context.Context, name string) (*Company, error) {
	cs, err := list[Company](ctx, s.db, "WHERE deleted = 0 AND name = ? COLLATE NOCASE ORDER BY created_at LIMIT 1", strings.TrimSpace(name))
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, fmt.Errorf("company %q: %w", name, ErrNotFound)
	}
	return &cs[0], nil
}

func likePrefix(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s) + "%"
}

func withLimit(tail string, args []any, limit, offset int) (string, []any) {
	if limit <= 0 {
		return tail, args
	}
	return tail + " LIMIT ? OFFSET ?", append(args, limit, offset)
}

// searchIDs returns the ids of the best search matches of one entity.
func (s *Store) searchIDs(ctx context.Context, query, entity string, limit int) ([]string, error) {
	hits, err := s.Search(ctx, query, SearchOptions{Kinds: []string{entity}, Limit: max(limit, 200)})
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	return ids, nil
}

// orderedByIDs lists the records with these ids that also pass where, in the
// order of ids.
func orderedByIDs[T any, P interface {
	*T
	Record
}](ctx context.Context, s *Store, ids []string, where []string, args []any, offset, limit int) ([]T, error) {
	for _, id := range ids {
		args = append(args, id)
	}
	where = append(where, "id IN ("+strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")+")")
	out, err := list[T, P](ctx, s.db, "WHERE "+strings.Join(where, " AND "), args...)
	if err != nil {
		return nil, err
	}
	pos := make(map[string]int, len(ids))
	for i, id := range ids {
		pos[id] = i
	}
	sortBy(out, func(t *T) int { return pos[P(t).meta().ID] })
	out = out[min(offset, len(out)):]
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
