package cli

import (
	"errors"
	"fmt"
	"strings"

	"repdesk/localdb"
	"repdesk/localdb/dedupe"
)

// duplicatesJSON is the answer of repdesk duplicates --json.
type duplicatesJSON struct {
	Entity string        `json:"entity"`
	Count  int           `json:"count"`
	Pairs  []dedupe.Pair `json:"pairs"`
}

func runDuplicates(c *runCtx, args []string) error {
	if len(args) > 0 && args[0] == "distinct" {
		return duplicatesDistinct(c, args[1:])
	}
	fs := newFlags("duplicates")
	asJSON := fs.Bool("json", false, "print JSON")
	companies := fs.Bool("companies", false, "find duplicate companies instead of contacts")
	limit := fs.Int("limit", 0, "show at most this many pairs, best first (0: all)")
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *limit < 0 {
		return usagef("duplicates: --limit must be 0 or more, not %d", *limit)
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	find, entity := dedupe.FindContacts, localdb.EntityContact
	if *companies {
		find, entity = dedupe.FindCompanies, localdb.EntityCompany
	}
	pairs, err := find(c.ctx, s)
	if err != nil {
		return err
	}
	if *limit > 0 && len(pairs) > *limit {
		pairs = pairs[:*limit]
	}
	if *asJSON {
		return writeJSON(c.out(), duplicatesJSON{Entity: entity, Count: len(pairs), Pairs: pairs})
	}
	if len(pairs) == 0 {
		fmt.Fprintf(c.out(), "No likely duplicate %ss.\n", entity)
		return nil
	}
	t := newTable(c.out(), "SCORE", "KEEP", "NAME", "OTHER", "NAME", "REASONS")
	for _, p := range pairs {
		t.row(fmt.Sprintf("%.2f", p.Score), p.Keep.ID, p.Keep.Name, p.Other.ID, p.Other.Name, reasonList(p.Reasons))
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintf(c.out(), "%d pairs. Merge one with: repdesk merge KEEP OTHER [--take FIELD,...]; "+
		"or keep both with: repdesk duplicates distinct KEEP OTHER\n", len(pairs))
	return nil
}

func reasonList(rs []dedupe.Reason) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.Kind
	}
	return strings.Join(parts, ", ")
}

// resolvePair resolves the two ids of a merge or a decision, which must name
// two records of one entity.
func (c *runCtx) resolvePair(name string, args []string) (entity, a, b string, err error) {
	entity, a, err = c.resolveID(args[0], localdb.EntityContact, localdb.EntityCompany)
	if err != nil {
		return "", "", "", err
	}
	other, b, err := c.resolveID(args[1], localdb.EntityContact, localdb.EntityCompany)
	if err != nil {
		return "", "", "", err
	}
	if other != entity {
		return "", "", "", usagef("%s: %s is a %s and %s a %s: give two contacts or two companies", name, args[0], entity, args[1], other)
	}
	if a == b {
		return "", "", "", usagef("%s: give two different records", name)
	}
	return entity, a, b, nil
}

func duplicatesDistinct(c *runCtx, args []string) error {
	fs := newFlags("duplicates distinct")
	pos, err := parse(fs, args, 2, 2)
	if err != nil {
		return err
	}
	entity, a, b, err := c.resolvePair("duplicates distinct", pos)
	if err != nil {
		return err
	}
	if err := dedupe.MarkDistinct(c.ctx, c.store, entity, a, b); err != nil {
		return err
	}
	fmt.Fprintf(c.out(), "Noted: %s %s and %s are not duplicates; the pair is not suggested again.\n", entity, a, b)
	return nil
}

func runMerge(c *runCtx, args []string) error {
	fs := newFlags("merge")
	take := fs.String("take", "", "comma-separated fields to take from OTHER_ID (e.g. title,notes)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args, 2, 2)
	if err != nil {
		return err
	}
	entity, keepID, otherID, err := c.resolvePair("merge", pos)
	if err != nil {
		return err
	}
	var fields []string
	for _, f := range strings.Split(*take, ",") {
		if f = strings.TrimSpace(f); f != "" {
			fields = append(fields, f)
		}
	}
	res, err := dedupe.Merge(c.ctx, c.store, entity, keepID, otherID, fields)
	if errors.Is(err, dedupe.ErrUnknownField) {
		return usagef("%v", err)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.out(), res)
	}
	fmt.Fprintf(c.out(), "Merged %s %s into %s; %s is deleted.\n", entity, otherID, keepID, otherID)
	if len(res.Fields) > 0 {
		fmt.Fprintf(c.out(), "Fields changed: %s\n", strings.Join(res.Fields, ", "))
	} else {
		fmt.Fprintln(c.out(), "Fields changed: none")
	}
	var moved []string
	for _, e := range localdb.Entities() {
		if n := res.Repointed[e]; n > 0 {
			moved = append(moved, fmt.Sprintf("%d %s", n, plural(e, n)))
		}
	}
	if len(moved) == 0 {
		moved = []string{"nothing pointed at it"}
	}
	fmt.Fprintf(c.out(), "Re-pointed: %s\n", strings.Join(moved, ", "))
	return nil
}

func plural(entity string, n int) string {
	if n == 1 {
		return entity
	}
	switch entity {
	case localdb.EntityActivity:
		return "activities"
	case localdb.EntityCompany:
		return "companies"
	}
	return entity + "s"
}
