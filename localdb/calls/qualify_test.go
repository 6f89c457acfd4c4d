package calls_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/localdb/calls"
)

func TestQualifyingALeadOpensAQualifiedDeal(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	co := &localdb.Company{Name: "Spree Logistik"}
	require.NoError(t, s.Create(ctx, co))
	c := contactWith(t, s, "Jana Kurz", func(c *localdb.Contact) { c.CompanyID = co.ID })
	var d *localdb.Deal
	update(t, s, func(tx *localdb.Tx) error {
		var err error
		d, err = calls.Qualify(tx, c.ID, calls.Qualification{Budget: "40k EUR", Authority: " decides with the CFO ",
			Need: "Fleet tracking for 30 vans", Timeline: "Q3 2026", Amount: 4_000_000})
		return err
	})
	stored, err := s.GetContact(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, localdb.LeadQualified, stored.LeadStatus)
	assert.Equal(t, []string{"40k EUR", "decides with the CFO", "Fleet tracking for 30 vans", "Q3 2026"},
		[]string{stored.Budget, stored.Authority, stored.Need, stored.Timeline})

	deal, err := s.GetDeal(ctx, d.ID)
	require.NoError(t, err)
	assert.Equal(t, "Qualified", deal.Stage)
	assert.EqualValues(t, 25, deal.Probability, "the stage's probability")
	assert.Equal(t, "Spree Logistik: Fleet tracking for 30 vans", deal.Title)
	assert.Equal(t, c.ID, deal.ContactID)
	assert.Equal(t, co.ID, deal.CompanyID)
	assert.EqualValues(t, 4_000_000, deal.Amount)
	assert.Equal(t, "EUR", deal.Currency)
	assert.Equal(t, []string{"deal create"}, journaled(t, s, localdb.EntityDeal, d.ID))
	j, err := s.JournalFor(ctx, localdb.EntityContact, c.ID)
	require.NoError(t, err)
	require.Len(t, j, 2)
	assert.JSONEq(t, `"qualified"`, string(j[1].Fields["lead_status"]))
	assert.JSONEq(t, `"Q3 2026"`, string(j[1].Fields["timeline"]), "the BANT fields sync")

	err = s.Update(ctx, func(tx *localdb.Tx) error {
		_, err := calls.Qualify(tx, c.ID, calls.Qualification{Budget: "b", Authority: "a", Need: "n", Timeline: "t"})
		return err
	})
	require.ErrorContains(t, err, `lead_status "qualified": Jana Kurz is qualified already`)
}

func TestQualifyNeedsAllFourAnswers(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	c := contactWith(t, s, "Tom Berger", nil)
	err := s.Update(ctx, func(tx *localdb.Tx) error {
		_, err := calls.Qualify(tx, c.ID, calls.Qualification{Budget: "10k", Authority: "yes", Need: "  ", Timeline: "soon"})
		return err
	})
	require.ErrorContains(t, err, `need "": required to qualify a lead`)
	stored, err := s.GetContact(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, localdb.LeadNew, stored.LeadStatus, "nothing is written")
	assert.Empty(t, stored.Budget)
	deals, err := s.ListDeals(ctx, localdb.DealFilter{})
	require.NoError(t, err)
	assert.Empty(t, deals)

	// Without a company the deal is named after the contact.
	var d *localdb.Deal
	update(t, s, func(tx *localdb.Tx) error {
		var err error
		d, err = calls.Qualify(tx, c.ID, calls.Qualification{Budget: "10k", Authority: "yes", Need: "CRM", Timeline: "soon"})
		return err
	})
	assert.Equal(t, "Tom Berger: CRM", d.Title)
}
