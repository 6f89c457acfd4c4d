package cli

import (
	"fmt"
	"strings"

	"repdesk/localdb"
)

var tables = map[string]string{
	localdb.EntityCompany: "companies", localdb.EntityContact: "contacts", localdb.EntityDeal: "deals",
	localdb.EntityActivity: "activities", localdb.EntityTask: "tasks", localdb.EntityVisit: "visits",
}

// resolveID accepts a full id or a unique prefix of at least 6 characters of
// a live record of one of the entities, and returns the entity and full id.
func (c *runCtx) resolveID(arg string, entities ...string) (string, string, error) {
	s, err := c.open()
	if err != nil {
		return "", "", err
	}
	arg = strings.TrimSpace(arg)
	if len(arg) < 6 {
		return "", "", usagef("id %q is too short: give the id or at least its first 6 characters", arg)
	}
	type match struct{ entity, id string }
	var found []match
	for _, e := range entities {
		rows, err := s.DB().QueryContext(c.ctx, `SELECT id FROM `+tables[e]+` WHERE deleted = 0 AND id >= ? AND id < ? LIMIT 2`,
			strings.ToLower(arg), strings.ToLower(arg)+"\U0010FFFF")
		if err != nil {
			return "", "", fmt.Errorf("find %s %s: %w", e, arg, err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return "", "", fmt.Errorf("find %s %s: %w", e, arg, err)
			}
			found = append(found, match{e, id})
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return "", "", fmt.Errorf("find %s %s: %w", e, arg, err)
		}
	}
	switch {
	case len(found) == 0:
		return "", "", fmt.Errorf("no %s with id %s", strings.Join(entities, ", "), arg)
	case len(found) > 1 && found[0].id != strings.ToLower(arg):
		return "", "", fmt.Errorf("id %s is ambiguous: give more characters", arg)
	}
	return found[0].entity, found[0].id, nil
}
