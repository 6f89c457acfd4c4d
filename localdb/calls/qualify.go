package calls

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"repdesk/localdb"
)

// QualifiedStage is the pipeline stage of the deal a qualified lead gets.
const QualifiedStage = "Qualified"

// Qualification is what a rep learnt about a lead (BANT) and the deal to
// open for it.
type Qualification struct {
	Budget, Authority, Need, Timeline string
	// DealTitle defaults to the company (or contact) and the need.
	DealTitle string
	Amount    int64  // minor units of Currency
	Currency  string // default EUR
}

// Qualify records budget, authority, need and timeline on a lead, makes it
// qualified and opens a deal in the Qualified stage, in t.
func Qualify(t *localdb.Tx, contactID string, q Qualification) (*localdb.Deal, error) {
	c, err := t.GetContact(contactID)
	if err != nil {
		return nil, fmt.Errorf("qualify: %w", err)
	}
	if c.LeadStatus == localdb.LeadQualified || c.LeadStatus == localdb.LeadCustomer {
		return nil, fmt.Errorf("qualify: %w", &localdb.ValidationError{Field: "lead_status", Value: c.LeadStatus,
			Problem: c.FullName + " is qualified already"})
	}
	for _, f := range []struct{ name, value string }{{"budget", q.Budget}, {"authority", q.Authority},
		{"need", q.Need}, {"timeline", q.Timeline}} {
		if strings.TrimSpace(f.value) == "" {
			return nil, fmt.Errorf("qualify: %w", &localdb.ValidationError{Field: f.name, Value: "",
				Problem: "required to qualify a lead"})
		}
	}
	c.Budget, c.Authority = strings.TrimSpace(q.Budget), strings.TrimSpace(q.Authority)
	c.Need, c.Timeline = strings.TrimSpace(q.Need), strings.TrimSpace(q.Timeline)
	c.LeadStatus = localdb.LeadQualified
	if err := t.UpdateContact(c); err != nil {
		return nil, fmt.Errorf("qualify: %w", err)
	}
	title := strings.TrimSpace(q.DealTitle)
	if title == "" {
		title = dealTitle(c)
	}
	d := &localdb.Deal{Title: title, CompanyID: c.CompanyID, ContactID: c.ID, Stage: QualifiedStage,
		Amount: q.Amount, Currency: q.Currency, NextStep: "Timeline: " + c.Timeline}
	if err := t.Create(d); err != nil {
		return nil, fmt.Errorf("qualify: %w", err)
	}
	return d, nil
}

// dealTitle is "Company: need", the need cut to a title's length.
func dealTitle(c *localdb.Contact) string {
	who := c.Company
	if who == "" {
		who = c.FullName
	}
	need := strings.Join(strings.Fields(c.Need), " ")
	if utf8.RuneCountInString(need) > 60 {
		need = string([]rune(need)[:59]) + "…"
	}
	return who + ": " + need
}
