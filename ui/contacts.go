package ui

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"repdesk/localdb"
)

// contactsScreen is the list of every contact with the selected contact's
// details (or its edit form) beside it.
type contactsScreen struct {
	*recordScreen
}

// contactBundle is everything the detail pane shows about one contact.
type contactBundle struct {
	contact *localdb.Contact
	company *localdb.Company
	deals   []localdb.Deal
	tasks   []localdb.Task
	acts    []localdb.Activity
}

func newContactsScreen(a *App) *contactsScreen {
	s := &contactsScreen{}
	newBtn := widget.NewButtonWithIcon(lang.L("New contact"), theme.ContentAddIcon(), func() { s.newContact("", "") })
	newBtn.Importance = widget.HighImportance
	importBtn := widget.NewButtonWithIcon(lang.L("Import vCards…"), theme.UploadIcon(), func() { a.importFiles(nil) })
	empty := emptyState(theme.AccountIcon(), lang.L("No contacts yet"),
		lang.L("No contacts yet — import a vCard or add one."),
		importBtn, widget.NewButtonWithIcon(lang.L("Add a contact"), theme.ContentAddIcon(), func() { s.newContact("", "") }))
	list := newRecordList(a, lang.L("Filter by name, company, e-mail, phone, city"), empty,
		func(n int) string {
			return lang.N("{{.N}} contact", n, map[string]any{"N": a.loc.number(int64(n))})
		},
		func(ctx context.Context) ([]row, error) { return loadContactNames(ctx, a.store.DB()) },
		func(ctx context.Context, id string) (row, error) { return loadContactRow(ctx, a.store.DB(), id) })
	list.enrich = func(ctx context.Context) (map[string]rowDetail, error) { return loadContactDetails(ctx, a.store.DB()) }
	list.detailsFor = func(ctx context.Context, ids []string) (map[string]rowDetail, error) {
		return loadContactDetailsFor(ctx, a.store.DB(), ids)
	}
	dupBtn := widget.NewButtonWithIcon(lang.L("Find duplicates"), iconDuplicates, func() { a.showDuplicates(localdb.EntityContact) })
	dupBtn.Importance = widget.LowImportance
	header := container.NewBorder(nil, nil, heading(lang.L("Contacts")), container.NewHBox(dupBtn, newBtn))
	s.recordScreen = newRecordScreen(a, localdb.EntityContact, list, header, recordScreenHooks{
		load:   func(ctx context.Context, id string) (any, error) { return loadContactBundle(ctx, a.store, id) },
		render: func(b any) fyne.CanvasObject { return s.render(b.(*contactBundle)) },
		placeholder: func() fyne.CanvasObject {
			return emptyState(theme.AccountIcon(), lang.L("No contact selected"),
				lang.L("Pick a contact on the left, or press Ctrl+N to add one."))
		},
		discardText: lang.L("Your changes to this contact are not saved yet."),
		related: func(entity string) bool {
			return entity == localdb.EntityDeal || entity == localdb.EntityTask || entity == localdb.EntityActivity
		},
	})
	s.self = s
	list.onLoaded = func() { a.note("list-loaded") }
	return s
}

func (s *contactsScreen) id() string          { return "contacts" }
func (s *contactsScreen) label() string       { return lang.L("Contacts") }
func (s *contactsScreen) icon() fyne.Resource { return theme.AccountIcon() }

func loadContactBundle(ctx context.Context, st *localdb.Store, id string) (*contactBundle, error) {
	c, err := st.GetContact(ctx, id)
	if err != nil {
		return nil, err
	}
	b := &contactBundle{contact: c}
	if c.CompanyID != "" {
		if b.company, err = st.GetCompany(ctx, c.CompanyID); err != nil && !errors.Is(err, localdb.ErrNotFound) {
			return nil, err
		}
	}
	if b.deals, err = st.ListDeals(ctx, localdb.DealFilter{ContactID: id}); err != nil {
		return nil, err
	}
	if b.tasks, err = st.Tasks(ctx, localdb.TaskFilter{ContactID: id}); err != nil {
		return nil, err
	}
	if b.acts, err = st.Activities(ctx, localdb.ActivityFilter{ContactID: id, Limit: 100}); err != nil {
		return nil, err
	}
	return b, nil
}

// render builds the detail pane of a contact.
func (s *contactsScreen) render(b *contactBundle) fyne.CanvasObject {
	c := b.contact
	a := s.a
	name := heading(c.FullName)
	var subline []fyne.CanvasObject
	if c.Title != "" {
		subline = append(subline, secondary(c.Title))
	}
	if b.company != nil {
		co := b.company
		subline = append(subline, linkButton(co.Name, iconCompany, func() { a.openCompany(co.ID) }))
	}
	// Qualifying sits with the lead's title and company: in the action row
	// it pushed German windows past 1366 pixels.
	if c.LeadStatus != localdb.LeadQualified && c.LeadStatus != localdb.LeadCustomer {
		qualify := widget.NewButtonWithIcon(lang.L("Qualify lead…"), theme.ConfirmIcon(), func() { a.qualifyLead(c, nil) })
		qualify.Importance = widget.LowImportance
		subline = append(subline, qualify)
	}
	header := container.NewBorder(nil, nil, container.NewCenter(newAvatar(c.FullName, 56)), nil,
		container.NewVBox(name, container.NewHBox(subline...)))

	actions := container.NewHBox(
		widget.NewButtonWithIcon(lang.L("Log call"), iconPhone, func() { a.logCall(c, openDeals(b.deals)) }),
		widget.NewButtonWithIcon(lang.L("Log e-mail"), theme.MailComposeIcon(), func() { a.logActivity(localdb.KindEmail, c.ID, c.CompanyID) }),
		widget.NewButtonWithIcon(lang.L("Note"), theme.DocumentCreateIcon(), func() { a.logActivity(localdb.KindNote, c.ID, c.CompanyID) }),
		widget.NewButtonWithIcon(lang.L("Task"), theme.CheckButtonCheckedIcon(), func() { a.addTask(c.ID, c.CompanyID, "") }),
	)
	edit := widget.NewButtonWithIcon(lang.L("Edit"), theme.DocumentCreateIcon(), func() {
		cp := *c
		s.openForm(s.editForm(&cp))
	})
	del := widget.NewButtonWithIcon(lang.L("Delete"), theme.DeleteIcon(), func() {
		s.confirmDelete(c.ID, lang.L("Delete contact?"),
			lang.L("Delete {{.Name}}? The contact is removed here and, at the next sync, for your team.", map[string]any{"Name": c.FullName}))
	})
	del.Importance = widget.DangerImportance
	toolbar := container.NewBorder(nil, nil, actions, container.NewHBox(edit, del))

	details := container.NewVBox()
	if c.DoNotCall {
		w := widget.NewLabelWithStyle(lang.L("Do not call"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		w.Importance = widget.WarningImportance
		details.Add(container.NewHBox(widget.NewIcon(theme.WarningIcon()), w))
	}
	for _, p := range c.Phones {
		details.Add(labelled(phoneTypeName(p.Type), phoneLink(p)))
	}
	for _, e := range c.Emails {
		details.Add(labelled(lang.L("E-mail"), mailLink(e.Address)))
	}
	for _, ad := range c.Addresses {
		details.Add(labelled(lang.L("Address"), wrapLabel(formatAddress(ad))))
	}
	if c.Birthday != "" {
		details.Add(labelled(lang.L("Birthday"), widget.NewLabel(a.loc.birthday(c.Birthday))))
	}
	if c.Website != "" {
		details.Add(labelled(lang.L("Website"), webLink(c.Website)))
	}
	details.Add(labelled(lang.L("Lead status"), widget.NewLabel(leadStatusName(c.LeadStatus))))
	for _, q := range [][2]string{{lang.L("Budget"), c.Budget}, {lang.L("Authority"), c.Authority},
		{lang.L("Need"), c.Need}, {lang.L("Timeline"), c.Timeline}} {
		if q[1] != "" {
			details.Add(labelled(q[0], wrapLabel(q[1])))
		}
	}
	if len(c.Tags) > 0 {
		details.Add(labelled(lang.L("Tags"), wrapLabel(strings.Join(c.Tags, ", "))))
	}
	if c.Source != "" {
		details.Add(labelled(lang.L("Source"), widget.NewLabel(c.Source)))
	}
	if c.Notes != "" {
		details.Add(labelled(lang.L("Notes"), wrapLabel(c.Notes)))
	}
	if len(details.Objects) == 0 {
		details.Add(secondary(lang.L("No phone, e-mail or address yet.")))
	}

	body := container.NewVBox(
		panel(lang.L("Details"), details),
		panel(lang.L("Open tasks"), a.tasksView(b.tasks)),
		panel(lang.L("Deals"), a.dealsView(b.deals)),
		panel(lang.L("Activity"), a.timelineView(b.acts)),
	)
	top := container.NewVBox(header, toolbar, widget.NewSeparator())
	return container.NewBorder(container.NewPadded(top), nil, nil, nil, container.NewVScroll(container.NewPadded(body)))
}

func wrapLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// phoneLink opens tel: with the number in E.164 where it is known.
func phoneLink(p localdb.Phone) fyne.CanvasObject {
	target := p.E164
	if target == "" {
		target = strings.Map(func(r rune) rune {
			if r == '+' || (r >= '0' && r <= '9') {
				return r
			}
			return -1
		}, p.Number)
	}
	link := widget.NewHyperlink(p.Number, &url.URL{Scheme: "tel", Opaque: target})
	if !p.Flagged {
		return link
	}
	warn := widget.NewLabel(lang.L("reported wrong"))
	warn.Importance = widget.WarningImportance
	return container.NewHBox(link, warn)
}

func mailLink(addr string) fyne.CanvasObject {
	return widget.NewHyperlink(addr, &url.URL{Scheme: "mailto", Opaque: addr})
}

func webLink(site string) fyne.CanvasObject {
	u, err := url.Parse(site)
	if err == nil && u.Scheme == "" {
		u, err = url.Parse("https://" + site)
	}
	if err != nil {
		return widget.NewLabel(site)
	}
	return widget.NewHyperlink(site, u)
}

func formatAddress(a localdb.Address) string {
	lines := []string{a.Street, joinNonEmpty(" ", a.PostalCode, a.City), joinNonEmpty(", ", a.Region, a.Country)}
	return joinNonEmpty("\n", lines...)
}

// birthday writes a stored birthday (YYYY-MM-DD or --MM-DD).
func (l locale) birthday(b string) string {
	if rest, ok := strings.CutPrefix(b, "--"); ok {
		if l == langGerman {
			if len(rest) == 5 {
				return rest[3:] + "." + rest[:2] + "."
			}
			return b
		}
		var m, d int
		if _, err := fmt.Sscanf(rest, "%02d-%02d", &m, &d); err == nil && m >= 1 && m <= 12 {
			return fmt.Sprintf("%s %d", monthsEN[m-1], d)
		}
		return b
	}
	return l.isoDate(b)
}

func phoneTypeName(t string) string {
	switch t {
	case localdb.PhoneWork:
		return lang.L("Work phone")
	case localdb.PhoneMobile:
		return lang.L("Mobile")
	case localdb.PhoneHome:
		return lang.L("Home phone")
	case localdb.PhoneFax:
		return lang.L("Fax")
	}
	return lang.L("Phone")
}

func leadStatusName(s string) string {
	switch s {
	case localdb.LeadNew:
		return lang.L("New")
	case localdb.LeadContacted:
		return lang.L("Contacted")
	case localdb.LeadQualified:
		return lang.L("Qualified")
	case localdb.LeadUnqualified:
		return lang.L("Unqualified")
	case localdb.LeadCustomer:
		return lang.L("Customer")
	}
	return s
}

// editForm makes the edit form for c.
func (s *contactsScreen) editForm(c *localdb.Contact) recordEditor {
	return newContactForm(s.a, c, func(c *localdb.Contact) {
		if c.CompanyID != "" {
			s.saved(c.ID, localdb.EntityCompany) // the company may be new
		} else {
			s.saved(c.ID)
		}
	}, s.closeForm)
}

// newContact opens the form for a new contact, at a company when given.
func (s *contactsScreen) newContact(companyID, company string) {
	s.newRecord(func() recordEditor {
		return s.editForm(&localdb.Contact{LeadStatus: localdb.LeadNew, CompanyID: companyID, Company: company})
	})
}

// openDeals keeps the deals that are not closed.
func openDeals(deals []localdb.Deal) []localdb.Deal {
	var out []localdb.Deal
	for _, d := range deals {
		if d.ClosedAt == "" {
			out = append(out, d)
		}
	}
	return out
}
