package ui

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/localdb/dedupe"
)

// chosen says which side of a field the screen would merge: "keep" or
// "other".
func (h *harness) chosen(field string) string {
	h.t.Helper()
	r, ok := h.app.duplicates.choices[field]
	require.True(h.t, ok, "no choice for %s", field)
	if r[1].Selected != "" {
		return "other"
	}
	return "keep"
}

// choose picks the other record's value of field, as a tap on its radio.
func (h *harness) chooseOther(field string) {
	h.t.Helper()
	r, ok := h.app.duplicates.choices[field]
	require.True(h.t, ok, "no choice for %s", field)
	r[1].SetSelected(r[1].Options[0])
	h.idle()
}

// duplicatePair seeds two records of one person at one company, a deal on
// the newer one, and returns them.
func duplicatePair(t *testing.T, h *harness) (keep, other *localdb.Contact, deal *localdb.Deal) {
	ctx := context.Background()
	co := &localdb.Company{Name: "Alpen Logistik AG", City: "München"}
	require.NoError(t, h.store.Create(ctx, co))
	keep = &localdb.Contact{FullName: "Hans Müller", CompanyID: co.ID, Title: "Einkauf",
		Emails: []localdb.Email{{Address: "hans@alpen.example"}}}
	other = &localdb.Contact{FullName: "Hans Mueller", CompanyID: co.ID, Title: "Leiter Einkauf", Notes: "Nur vormittags",
		Emails: []localdb.Email{{Address: "HANS@alpen.example"}}}
	require.NoError(t, h.store.CreateContact(ctx, keep))
	require.NoError(t, h.store.CreateContact(ctx, other))
	deal = &localdb.Deal{Title: "Rahmenvertrag", ContactID: other.ID, CompanyID: co.ID, Stage: "Lead"}
	require.NoError(t, h.store.Create(ctx, deal))
	return keep, other, deal
}

func TestDuplicatesMergeWithAChoice(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	keep, other, deal := duplicatePair(t, h)
	h.app.showID("contacts")
	h.idle()
	h.tap("Find duplicates")
	require.Equal(t, "duplicates", h.app.current().id(), "Find duplicates opens the screen")
	h.requireText("1 likely pair")
	require.Len(t, h.app.duplicates.pairs, 1)

	h.app.duplicates.list.Select(0)
	h.idle()
	h.requireText("Keep: Hans Müller")
	h.requireText("Merge in: Hans Mueller")
	h.requireText("Leiter Einkauf")
	assert.Equal(t, "keep", h.chosen("title"), "the kept title is the default")
	assert.Equal(t, "other", h.chosen("notes"), "empty notes are filled by default")

	h.chooseOther("title")
	assert.Equal(t, "other", h.chosen("title"))
	assert.Empty(t, h.app.duplicates.choices["title"][0].Selected, "choosing one side clears the other")
	h.tap("Merge")
	h.requireText("Merge Hans Mueller into Hans Müller? This cannot be undone here.")
	h.tap("Merge") // the dialog's button
	h.idle()

	got, err := h.store.GetContact(context.Background(), keep.ID)
	require.NoError(t, err)
	assert.Equal(t, "Hans Müller", got.FullName)
	assert.Equal(t, "Leiter Einkauf", got.Title, "the chosen title")
	assert.Equal(t, "Nur vormittags", got.Notes)
	_, err = h.store.GetContact(context.Background(), other.ID)
	assert.ErrorIs(t, err, localdb.ErrNotFound, "the other contact is gone")
	d, err := h.store.GetDeal(context.Background(), deal.ID)
	require.NoError(t, err)
	assert.Equal(t, keep.ID, d.ContactID, "its deal follows the kept contact")
	assert.Empty(t, h.app.duplicates.pairs)
	h.requireText("No likely duplicates")
}

func TestDuplicatesNotADuplicate(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	_, other, _ := duplicatePair(t, h)
	h.app.showDuplicates(localdb.EntityContact)
	h.idle()
	h.app.duplicates.list.Select(0)
	h.idle()
	h.tap("Keep the other one")
	h.requireText("Keep: Hans Mueller")
	h.tap("Not a duplicate")
	h.requireText("No likely duplicates")
	pairs, err := dedupe.FindContacts(context.Background(), h.store)
	require.NoError(t, err)
	assert.Empty(t, pairs, "the decision is stored: the pair is not suggested again")
	_, err = h.store.GetContact(context.Background(), other.ID)
	assert.NoError(t, err, "nothing was merged")

	h.app.companies.list.list.UnselectAll()
	h.app.showID("companies")
	h.idle()
	h.tap("Find duplicates")
	assert.Equal(t, "Companies", h.app.duplicates.kind.Selected, "from Companies the screen shows companies")
}
