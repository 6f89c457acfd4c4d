package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
)

func TestCreateContactWithNewCompany(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	h.shortcut(fyne.KeyN)
	f, ok := h.app.contacts.form.(*contactForm)
	require.True(t, ok, "Ctrl+N opens the contact form")
	assert.Equal(t, fyne.Focusable(f.name), h.win.Canvas().Focused(), "the name field has the focus")

	h.typeInto(f.name, "Jürgen Müller")
	h.typeInto(f.company.entry, "Müller Maschinenbau")
	h.requireText("A new company “Müller Maschinenbau” will be created.")
	test.Tap(f.emails.addBtn)
	h.typeInto(f.emails.rows[0].entry, "j.mueller@mueller-mb.de")
	test.Tap(f.phones.addBtn)
	h.typeInto(f.phones.rows[0].entry, "0171 2345678")
	h.shortcut(fyne.KeyS)

	require.Nil(t, h.app.contacts.form, "the form closes after saving")
	cs, err := h.store.ListContacts(context.Background(), localdb.ContactFilter{})
	require.NoError(t, err)
	require.Len(t, cs, 1)
	c := cs[0]
	assert.Equal(t, "Jürgen Müller", c.FullName)
	assert.Equal(t, "Müller Maschinenbau", c.Company, "the company was created and linked")
	require.Len(t, c.Phones, 1)
	assert.Equal(t, "+491712345678", c.Phones[0].E164)
	// The list and the detail pane show the new contact.
	assert.Equal(t, c.ID, h.app.contacts.list.selectedID)
	assert.Len(t, h.app.contacts.list.view, 1)
	h.requireText("Jürgen Müller")
	h.requireText("j.mueller@mueller-mb.de")
	// The change waits for the server and the indicator says so.
	h.requireText("2 changes waiting") // the company and the contact
}

func TestEditRejectedByValidationThenFixed(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	c := h.seedContact("Anna Schmidt", "Schmidt & Co", "anna@schmidt.de")
	h.app.openContact(c.ID)
	h.idle()
	h.tap("Edit")
	f := h.app.contacts.form.(*contactForm)

	// A broken e-mail address is named as it is typed, and saving is refused.
	h.typeInto(f.emails.rows[0].entry, "anna@")
	assert.Equal(t, "“anna@”: missing domain", f.emails.rows[0].err.Text)
	h.shortcut(fyne.KeyS)
	require.NotNil(t, h.app.contacts.form, "the form stays open")
	assert.Equal(t, "Please correct the marked fields.", f.banner.Text)

	// The store rejects a phone number with letters; the form names the
	// number and keeps everything typed.
	h.typeInto(f.emails.rows[0].entry, "anna.schmidt@schmidt.de")
	assert.False(t, f.emails.rows[0].err.Visible())
	test.Tap(f.phones.addBtn)
	h.typeInto(f.phones.rows[0].entry, "call me maybe")
	h.typeInto(f.notes, "Prefers calls after 10.")
	h.shortcut(fyne.KeyS)
	require.NotNil(t, h.app.contacts.form, "a failed save keeps the form")
	assert.Equal(t, "“call me maybe”: contains letters", f.phones.rows[0].err.Text)
	assert.Equal(t, "Prefers calls after 10.", f.notes.Text, "nothing typed is lost")
	stored, err := h.store.GetContact(context.Background(), c.ID)
	require.NoError(t, err)
	assert.Equal(t, "anna@schmidt.de", stored.Emails[0].Address, "nothing was saved")

	h.typeInto(f.phones.rows[0].entry, "+49 221 555 0100")
	h.shortcut(fyne.KeyS)
	require.Nil(t, h.app.contacts.form)
	stored, err = h.store.GetContact(context.Background(), c.ID)
	require.NoError(t, err)
	assert.Equal(t, "anna.schmidt@schmidt.de", stored.Emails[0].Address)
	assert.Equal(t, "+492215550100", stored.Phones[0].E164)
	assert.Equal(t, "Prefers calls after 10.", stored.Notes)
}

func TestEditSurvivesAChangeMadeElsewhere(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	c := h.seedContact("Paul Weber", "", "")
	h.app.openContact(c.ID)
	h.idle()
	h.tap("Edit")
	f := h.app.contacts.form.(*contactForm)
	h.typeInto(f.notes, "Met at the trade fair.")

	// Meanwhile a sync changes the job title.
	other, err := h.store.GetContact(context.Background(), c.ID)
	require.NoError(t, err)
	other.Title = "Einkaufsleiter"
	require.NoError(t, h.store.UpdateContact(context.Background(), other))

	h.shortcut(fyne.KeyS)
	require.NotNil(t, h.app.contacts.form, "the stale save does not close the form")
	assert.Contains(t, f.banner.Text, "Someone changed this record meanwhile")
	assert.Equal(t, "Einkaufsleiter", f.title.Text, "the newer version shows")
	assert.Equal(t, "Met at the trade fair.", f.notes.Text, "the rep's change is kept on top")

	h.shortcut(fyne.KeyS)
	require.Nil(t, h.app.contacts.form)
	stored, err := h.store.GetContact(context.Background(), c.ID)
	require.NoError(t, err)
	assert.Equal(t, "Einkaufsleiter", stored.Title)
	assert.Equal(t, "Met at the trade fair.", stored.Notes)
}

func TestEscapeAsksBeforeDroppingAnEdit(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	h.shortcut(fyne.KeyN)
	f := h.app.contacts.form.(*contactForm)
	h.typeInto(f.name, "Half Typed")
	h.key(fyne.KeyEscape)
	require.NotNil(t, h.app.contacts.form, "Escape with changes asks first")
	h.requireText("Discard changes?")
	h.key(fyne.KeyEscape) // closes the question, keeps the edit
	require.NotNil(t, h.app.contacts.form)
	assert.Equal(t, "Half Typed", f.name.Text)
	h.key(fyne.KeyEscape)
	h.tap("Discard")
	assert.Nil(t, h.app.contacts.form)
}

func TestDeleteAsksFirst(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	c := h.seedContact("Lena Vogel", "", "")
	h.app.openContact(c.ID)
	h.idle()
	h.tap("Delete")
	h.requireText("Delete contact?")
	h.tap("Cancel")
	_, err := h.store.GetContact(context.Background(), c.ID)
	require.NoError(t, err, "cancelled: the contact stays")

	h.tap("Delete")
	h.tap("Delete") // the dialog's button is on top
	_, err = h.store.GetContact(context.Background(), c.ID)
	require.ErrorIs(t, err, localdb.ErrNotFound)
	assert.Empty(t, h.app.contacts.list.view)
	h.requireText("No contacts yet — import a vCard or add one.")
}

func TestFilterAsYouTypeAndKeyboard(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	h.seedContact("Jürgen Müller", "Müller GmbH", "jm@mueller.de")
	h.seedContact("Maria Schulz", "Schulz AG", "maria@schulz.de")
	h.seedContact("Tom Mueller", "", "tom@example.com")
	h.app.showID("contacts")
	h.idle()
	l := h.app.contacts.list
	require.Len(t, l.view, 3)

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"müller", []string{"Jürgen Müller"}},
		{"mueller", []string{"Jürgen Müller", "Tom Mueller"}},
		{"schulz ag", []string{"Maria Schulz"}},
		{"köln", []string{"Jürgen Müller", "Maria Schulz"}},
		{"nobody", nil},
	} {
		h.typeInto(l.entry, tc.query)
		var got []string
		for _, i := range l.view {
			got = append(got, l.rows[i].title)
		}
		assert.Equal(t, tc.want, got, tc.query)
	}
	h.requireText("Nothing matches “nobody”.")

	// Down moves from the filter into the list; the selection follows.
	h.typeInto(l.entry, "")
	h.key(fyne.KeyDown)
	assert.Equal(t, "Jürgen Müller", h.app.contacts.bundle.(*contactBundle).contact.FullName)
	h.key(fyne.KeyDown)
	assert.Equal(t, "Maria Schulz", h.app.contacts.bundle.(*contactBundle).contact.FullName)
}

func TestLogCallWithFollowUp(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	c := &localdb.Contact{FullName: "Eva Brandt", Phones: []localdb.Phone{{Number: "+49 30 1234567", Type: localdb.PhoneWork}}}
	require.NoError(t, h.store.CreateContact(context.Background(), c))
	h.app.openContact(c.ID)
	h.idle()
	h.tap("Log call")
	d := h.app.dialogs[len(h.app.dialogs)-1].ed.(*callDialog)

	h.shortcut(fyne.KeyS)
	assert.Equal(t, "Pick how the call went.", d.outErr.Text, "an outcome is required")

	// Key 6 picks the sixth outcome, "Call back later", which proposes a
	// follow-up.
	h.win.Canvas().(interface{ OnTypedRune() func(rune) }).OnTypedRune()('6')
	assert.Equal(t, "Call back later", d.outcome.Selected)
	assert.True(t, d.follow.Checked)
	h.typeInto(d.notes, "Asked to call back next week.")
	h.typeInto(d.minutes, "4")
	h.shortcut(fyne.KeyS)
	assert.Empty(t, h.app.dialogs, "saving closes the dialog")

	acts, err := h.store.Activities(context.Background(), localdb.ActivityFilter{ContactID: c.ID})
	require.NoError(t, err)
	require.Len(t, acts, 1)
	assert.Equal(t, localdb.OutcomeCallback, acts[0].Outcome)
	assert.EqualValues(t, 240, acts[0].DurationS)
	assert.Equal(t, "Asked to call back next week.", acts[0].Body)
	tasks, err := h.store.Tasks(context.Background(), localdb.TaskFilter{ContactID: c.ID})
	require.NoError(t, err)
	require.Len(t, tasks, 1)
	assert.Equal(t, "Call back Eva Brandt", tasks[0].Title)
	// The timeline and the open tasks of the contact show both.
	h.requireText("Call · Call back later · 4 min")
	h.requireText("Call back Eva Brandt")
}

func TestWrongNumberFlagsThePhone(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	c := &localdb.Contact{FullName: "Otto Kern", Phones: []localdb.Phone{{Number: "0221 998877", Type: localdb.PhoneWork}}}
	require.NoError(t, h.store.CreateContact(context.Background(), c))
	h.app.openContact(c.ID)
	h.idle()
	h.tap("Log call")
	d := h.app.dialogs[len(h.app.dialogs)-1].ed.(*callDialog)
	d.outcome.SetSelected("Wrong number")
	h.tap("Log call") // the dialog's button
	stored, err := h.store.GetContact(context.Background(), c.ID)
	require.NoError(t, err)
	assert.True(t, stored.Phones[0].Flagged)
	h.requireText("reported wrong")
}

func TestTelAndMailtoLinks(t *testing.T) {
	h := newHarness(t, harnessOpts{welcomed: true})
	c := &localdb.Contact{FullName: "Ida Lange", Emails: []localdb.Email{{Address: "ida@lange.de"}},
		Phones: []localdb.Phone{{Number: "0171 555 1234", Type: localdb.PhoneMobile}}}
	require.NoError(t, h.store.CreateContact(context.Background(), c))
	h.app.openContact(c.ID)
	h.idle()
	links := map[string]string{}
	for _, o := range h.objects() {
		if hl, ok := o.(*widget.Hyperlink); ok {
			links[hl.Text] = hl.URL.String()
		}
	}
	assert.Equal(t, "tel:+491715551234", links["0171 555 1234"])
	assert.Equal(t, "mailto:ida@lange.de", links["ida@lange.de"])
}
