package hub

import (
	"fmt"

	"repdesk/sync/protocol"
)

// A record assigned to a user (a visit booked for a field rep) reaches that
// user, and so do the records the assignee needs to do the job: the company
// the record names with all its live records (contacts, deals, activities,
// tasks: what the visit brief shows and what the visit report writes to),
// and the contact it names. hub_grants holds these: grantee may read and
// write the company or contact record_id, and for a company the records
// whose company_id names it, for as long as the live record via_entity/
// via_id is assigned to grantee and names it.

// grant is one row of hub_grants, without the record that gives it.
type grant struct{ grantee, entity, id string }

// wantGrants returns the grants a record gives in its current state. The
// hub keeps hub_grants equal to this for every record, so the grants a
// record gave before a change are wantGrants of its state before.
func wantGrants(rec *record) []grant {
	if rec.assignee == "" || rec.deleted {
		return nil
	}
	var out []grant
	if rec.companyID != "" {
		out = append(out, grant{rec.assignee, protocol.EntityCompany, rec.companyID})
	}
	if id, _ := stringValue(rec.fields[protocol.FieldContactID]); id != "" {
		out = append(out, grant{rec.assignee, protocol.EntityContact, id})
	}
	return out
}

// regrant brings the grants of rec up to date after a change. A grantee
// who gains a company or contact gets it sent: it and its records take new
// sequence numbers. A grantee who loses one may have to drop them: each
// takes a new sequence number with a move naming the grantee, and the
// pull sends a remove if they are now outside the grantee's scope. Neither
// happens while another record grants the grantee the same company or
// contact: they had it before and keep it.
func (p *pusher) regrant(rec *record, had []grant) error {
	want := wantGrants(rec)
	for _, g := range had {
		if containsGrant(want, g) {
			continue
		}
		if err := p.exec(`DELETE FROM hub_grants WHERE grantee = ? AND entity = ? AND record_id = ? AND via_entity = ? AND via_id = ?`,
			g.grantee, g.entity, g.id, rec.entity, rec.id); err != nil {
			return fmt.Errorf("drop grant of %s %s to %s: %w", g.entity, g.id, g.grantee, err)
		}
		kept, err := p.granted(g)
		if err != nil {
			return err
		}
		if kept {
			continue
		}
		if err := p.resend(rec, g, g.grantee); err != nil {
			return err
		}
	}
	for _, g := range want {
		if containsGrant(had, g) {
			continue
		}
		already, err := p.granted(g)
		if err != nil {
			return err
		}
		if err := p.exec(`INSERT INTO hub_grants (grantee, entity, record_id, via_entity, via_id) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING`,
			g.grantee, g.entity, g.id, rec.entity, rec.id); err != nil {
			return fmt.Errorf("grant %s %s to %s: %w", g.entity, g.id, g.grantee, err)
		}
		if already {
			continue
		}
		if err := p.resend(rec, g, ""); err != nil {
			return err
		}
	}
	return nil
}

// granted reports whether a record grants g's company or contact to g's
// grantee.
func (p *pusher) granted(g grant) (bool, error) {
	row, err := p.queryRow(`SELECT COUNT(*) FROM hub_grants WHERE grantee = ? AND entity = ? AND record_id = ?`,
		g.grantee, g.entity, g.id)
	if err != nil {
		return false, err
	}
	var n int
	if err := row.Scan(&n); err != nil {
		return false, fmt.Errorf("read grants of %s %s to %s: %w", g.entity, g.id, g.grantee, err)
	}
	return n > 0, nil
}

func containsGrant(list []grant, g grant) bool {
	for _, x := range list {
		if x == g {
			return true
		}
	}
	return false
}

// resend gives the granted record (and a company's live records, except
// via itself, which its own change sends) new sequence numbers, so that
// pulls send them again; lostBy, when not empty, is the grantee who lost
// the grant: a move names them.
func (p *pusher) resend(via *record, g grant, lostBy string) error {
	q := `SELECT entity, id, territory FROM hub_records WHERE entity = ? AND id = ?`
	args := []any{g.entity, g.id}
	if g.entity == protocol.EntityCompany {
		q += ` UNION ALL SELECT entity, id, territory FROM hub_records WHERE company_id = ? AND deleted = 0 AND entity <> 'company'
			AND NOT (entity = ? AND id = ?)`
		args = append(args, g.id, via.entity, via.id)
	}
	refs, err := p.readRefs(q, args...)
	if err != nil {
		return fmt.Errorf("records of %s %s: %w", g.entity, g.id, err)
	}
	for _, k := range refs {
		seq := p.nextSeq()
		if err := p.exec(`UPDATE hub_records SET seq = ? WHERE entity = ? AND id = ?`, seq, k.entity, k.id); err != nil {
			return fmt.Errorf("resend %s %s: %w", k.entity, k.id, err)
		}
		if lostBy != "" {
			if err := p.moved(seq, k.entity, k.id, "", lostBy); err != nil {
				return fmt.Errorf("resend %s %s: %w", k.entity, k.id, err)
			}
		}
	}
	return nil
}

// leftCompany notes that rec, moved away from company, may have left the
// scope of the users that company is granted to (the assignees of its
// visits): each takes a move of their own, as hub_moves names one user per
// sequence number, and their next pull sends a remove unless rec is still
// theirs some other way.
func (p *pusher) leftCompany(rec *record, company string) error {
	rows, err := p.query(`SELECT DISTINCT grantee FROM hub_grants WHERE entity = ? AND record_id = ? ORDER BY grantee`,
		protocol.EntityCompany, company)
	if err != nil {
		return fmt.Errorf("grantees of company %s: %w", company, err)
	}
	var grantees []string
	for rows.Next() {
		var g string
		if err := rows.Scan(&g); err != nil {
			rows.Close()
			return fmt.Errorf("grantees of company %s: %w", company, err)
		}
		grantees = append(grantees, g)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return fmt.Errorf("grantees of company %s: %w", company, err)
	}
	for _, g := range grantees {
		if err := p.moved(p.nextSeq(), rec.entity, rec.id, "", g); err != nil {
			return fmt.Errorf("%s %s left company %s: %w", rec.entity, rec.id, company, err)
		}
	}
	return nil
}

// inScope reports whether rec is the user's to write: their own, in their
// territories, assigned to them, or granted to them by a record assigned
// to them.
func (p *pusher) inScope(rec *record) (bool, error) {
	if p.user.inScope(rec.owner, rec.territory, rec.assignee) {
		return true, nil
	}
	row, err := p.queryRow(`SELECT COUNT(*) FROM hub_grants WHERE grantee = ?
		AND ((entity = ? AND record_id = ?) OR (entity = 'company' AND record_id = ?))`,
		p.user.Name, rec.entity, rec.id, rec.companyID)
	if err != nil {
		return false, err
	}
	var n int
	if err := row.Scan(&n); err != nil {
		return false, fmt.Errorf("read grants of %s %s: %w", rec.entity, rec.id, err)
	}
	return n > 0, nil
}
