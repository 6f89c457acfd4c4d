package cli

import (
	"strings"

	"repdesk/localdb"
)

func runSearch(c *runCtx, args []string) error {
	fs := newFlags("search")
	asJSON := fs.Bool("json", false, "print JSON")
	limit := fs.Int("limit", 20, "at most `N` results")
	kind := fs.String("kind", "", "only contact, company or deal")
	pos, err := parse(fs, args, 1, -1)
	if err != nil {
		return err
	}
	opts := localdb.SearchOptions{Limit: *limit}
	if *kind != "" {
		switch *kind {
		case localdb.EntityContact, localdb.EntityCompany, localdb.EntityDeal:
			opts.Kinds = []string{*kind}
		default:
			return usagef("search: --kind must be contact, company or deal, not %q", *kind)
		}
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	hits, err := s.Search(c.ctx, strings.Join(pos, " "), opts)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.out(), nonNil(hits))
	}
	t := newTable(c.out(), "KIND", "ID", "NAME", "DETAILS")
	for _, h := range hits {
		t.row(h.Kind, h.ID, h.Title, strings.Join(nonEmpty(h.Subtitle, h.Email), " · "))
	}
	return t.flush()
}
