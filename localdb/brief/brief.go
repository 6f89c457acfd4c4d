// Package brief makes the visit brief: everything a field rep wants to
// read before a customer visit — the company and its address, its contacts
// with their phone numbers, the open deals with stage and amount, the last
// ten interactions, the open tasks and the notes — as an A4 PDF to read
// offline or print.
package brief

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"repdesk/localdb"
	"repdesk/localdb/visits"
)

// Limits of what a brief lists.
const (
	Interactions = 10  // the last interactions
	MaxContacts  = 100 // contacts of the company
	MaxTasks     = 50  // open tasks
)

// Brief is the data of one visit brief.
type Brief struct {
	Visit    visits.Row
	Company  *localdb.Company // nil for a visit to a contact without a company
	Contacts []localdb.Contact
	// MoreContacts counts the contacts beyond MaxContacts.
	MoreContacts int
	Deals        []localdb.Deal
	Interactions []localdb.Activity
	Tasks        []localdb.Task
}

// Load reads the brief of a visit.
func Load(ctx context.Context, st *localdb.Store, visitID string) (*Brief, error) {
	row, err := visits.Get(ctx, st, visitID)
	if err != nil {
		return nil, fmt.Errorf("brief: %w", err)
	}
	b := &Brief{Visit: row}
	if row.CompanyID != "" {
		if b.Company, err = st.GetCompany(ctx, row.CompanyID); err != nil {
			return nil, fmt.Errorf("brief: company of visit %s: %w", visitID, err)
		}
		if b.Contacts, b.MoreContacts, err = companyContacts(ctx, st, row.CompanyID); err != nil {
			return nil, err
		}
	} else if row.ContactID != "" {
		c, err := st.GetContact(ctx, row.ContactID)
		if err != nil {
			return nil, fmt.Errorf("brief: contact of visit %s: %w", visitID, err)
		}
		b.Contacts = []localdb.Contact{*c}
	}
	// The visited contact first: the rep meets them.
	for i, c := range b.Contacts {
		if c.ID == row.ContactID && i > 0 {
			b.Contacts = append([]localdb.Contact{c}, append(b.Contacts[:i:i], b.Contacts[i+1:]...)...)
			break
		}
	}
	df := localdb.DealFilter{CompanyID: row.CompanyID, Open: true}
	af := localdb.ActivityFilter{CompanyID: row.CompanyID, Limit: Interactions}
	if row.CompanyID == "" {
		df = localdb.DealFilter{ContactID: row.ContactID, Open: true}
		af = localdb.ActivityFilter{ContactID: row.ContactID, Limit: Interactions}
	}
	if b.Deals, err = st.ListDeals(ctx, df); err != nil {
		return nil, fmt.Errorf("brief: open deals: %w", err)
	}
	if b.Interactions, err = st.Activities(ctx, af); err != nil {
		return nil, fmt.Errorf("brief: interactions: %w", err)
	}
	if b.Tasks, err = openTasks(ctx, st, row.CompanyID, row.ContactID); err != nil {
		return nil, err
	}
	return b, nil
}

// companyContacts returns the company's live contacts by name, at most
// MaxContacts, and how many more there are. It reads them by the company
// index: ListContacts orders by name through the name index and scans every
// contact of the database for one company's.
func companyContacts(ctx context.Context, st *localdb.Store, companyID string) ([]localdb.Contact, int, error) {
	ids, err := queryIDs(ctx, st, `SELECT id FROM contacts WHERE company_id = ? AND deleted = 0`, companyID)
	if err != nil {
		return nil, 0, fmt.Errorf("brief: contacts: %w", err)
	}
	out := make([]localdb.Contact, 0, len(ids))
	for _, id := range ids {
		c, err := st.GetContact(ctx, id)
		if err != nil {
			return nil, 0, fmt.Errorf("brief: contact %s: %w", id, err)
		}
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b localdb.Contact) int {
		if c := strings.Compare(strings.ToLower(a.FullName), strings.ToLower(b.FullName)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	if len(out) > MaxContacts {
		return out[:MaxContacts], len(out) - MaxContacts, nil
	}
	return out, 0, nil
}

// queryIDs runs a query of one id column.
func queryIDs(ctx context.Context, st *localdb.Store, q string, args ...any) ([]string, error) {
	rs, err := st.DB().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var ids []string
	for rs.Next() {
		var id string
		if err := rs.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rs.Err()
}

// openTasks returns the open tasks of the company or of its contacts (or of
// the contact alone), by due date.
func openTasks(ctx context.Context, st *localdb.Store, companyID, contactID string) ([]localdb.Task, error) {
	// By the contact and company indexes: the planner would otherwise walk
	// every open task of the database.
	q := `SELECT id FROM tasks WHERE deleted = 0 AND done = 0 AND contact_id = ?`
	args := []any{contactID}
	if companyID != "" {
		q = `SELECT id FROM tasks INDEXED BY tasks_contact WHERE contact_id IN (SELECT id FROM contacts WHERE company_id = ?) AND deleted = 0 AND done = 0
			UNION SELECT id FROM tasks INDEXED BY tasks_company WHERE company_id = ? AND deleted = 0 AND done = 0`
		args = []any{companyID, companyID}
	}
	ids, err := queryIDs(ctx, st, q, args...)
	if err != nil {
		return nil, fmt.Errorf("brief: open tasks: %w", err)
	}
	var out []localdb.Task
	for _, id := range ids {
		t, err := st.GetTask(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("brief: task %s: %w", id, err)
		}
		out = append(out, *t)
	}
	sortTasks(out)
	if len(out) > MaxTasks {
		out = out[:MaxTasks]
	}
	return out, nil
}

// sortTasks orders tasks by due date, undated last.
func sortTasks(ts []localdb.Task) {
	slices.SortFunc(ts, func(a, b localdb.Task) int {
		if a.Due.IsZero() != b.Due.IsZero() {
			if a.Due.IsZero() {
				return 1
			}
			return -1
		}
		if c := a.Due.Compare(b.Due); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// phones is a contact's phone numbers, one a line, wrong ones left out.
func phones(c localdb.Contact) string {
	var out []string
	for _, p := range c.Phones {
		if !p.Flagged && p.Number != "" {
			out = append(out, p.Number)
		}
	}
	return strings.Join(out, "\n")
}

func email(c localdb.Contact) string {
	for _, e := range c.Emails {
		if e.Primary {
			return e.Address
		}
	}
	if len(c.Emails) > 0 {
		return c.Emails[0].Address
	}
	return ""
}

// when formats a visit's time span: "Tue 01.12.2026, 10:00–11:00".
func when(start, end time.Time, l labels) string {
	return l.weekday(start) + " " + start.Format(l.dateLayout) + ", " + start.Format("15:04") + "–" + end.Format("15:04")
}
