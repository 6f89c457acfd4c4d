package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"repdesk/localdb"
)

// companiesScreen is the list of accounts with the selected company's
// details, people, deals and activity.
type companiesScreen struct {
	*recordScreen
}

type companyBundle struct {
	company  *localdb.Company
	contacts []localdb.Contact
	more     bool // more contacts than shown
	deals    []localdb.Deal
	acts     []localdb.Activity
	addons   addons
}

const companyContactsShown = 50

func newCompaniesScreen(a *App) *companiesScreen {
	s := &companiesScreen{}
	newBtn := widget.NewButtonWithIcon(lang.L("New company"), theme.ContentAddIcon(), func() { s.newCompany() })
	newBtn.Importance = widget.HighImportance
	empty := emptyState(iconCompany, lang.L("No companies yet"),
		lang.L("Companies appear here as you add contacts with a company, import vCards, or add one."),
		widget.NewButtonWithIcon(lang.L("Add a company"), theme.ContentAddIcon(), func() { s.newCompany() }))
	list := newRecordList(a, lang.L("Filter by name, city, postal code, industry"), empty,
		func(n int) string {
			return lang.N("{{.N}} company", n, map[string]any{"N": a.loc.number(int64(n))})
		},
		func(ctx context.Context) ([]row, error) { return loadCompanyRows(ctx, a.store.DB()) },
		func(ctx context.Context, id string) (row, error) { return loadCompanyRow(ctx, a.store.DB(), id) })
	dupBtn := widget.NewButtonWithIcon(lang.L("Find duplicates"), iconDuplicates, func() { a.showDuplicates(localdb.EntityCompany) })
	dupBtn.Importance = widget.LowImportance
	header := container.NewBorder(nil, nil, heading(lang.L("Companies")), container.NewHBox(dupBtn, newBtn))
	s.recordScreen = newRecordScreen(a, localdb.EntityCompany, list, header, recordScreenHooks{
		load:   func(ctx context.Context, id string) (any, error) { return loadCompanyBundle(ctx, a.store, id) },
		render: func(b any) fyne.CanvasObject { return s.render(b.(*companyBundle)) },
		placeholder: func() fyne.CanvasObject {
			return emptyState(iconCompany, lang.L("No company selected"), lang.L("Pick a company on the left."))
		},
		discardText: lang.L("Your changes to this company are not saved yet."),
		related: func(entity string) bool {
			return entity == localdb.EntityContact || entity == localdb.EntityDeal || entity == localdb.EntityActivity
		},
	})
	s.self = s
	return s
}

func (s *companiesScreen) id() string          { return "companies" }
func (s *companiesScreen) label() string       { return lang.L("Companies") }
func (s *companiesScreen) icon() fyne.Resource { return iconCompany }

func loadCompanyBundle(ctx context.Context, st *localdb.Store, id string) (*companyBundle, error) {
	co, err := st.GetCompany(ctx, id)
	if err != nil {
		return nil, err
	}
	b := &companyBundle{company: co}
	if b.contacts, err = st.ListContacts(ctx, localdb.ContactFilter{CompanyID: id, Limit: companyContactsShown + 1}); err != nil {
		return nil, err
	}
	if len(b.contacts) > companyContactsShown {
		b.contacts, b.more = b.contacts[:companyContactsShown], true
	}
	if b.deals, err = st.ListDeals(ctx, localdb.DealFilter{CompanyID: id}); err != nil {
		return nil, err
	}
	if b.acts, err = st.Activities(ctx, localdb.ActivityFilter{CompanyID: id, Limit: 100}); err != nil {
		return nil, err
	}
	if b.addons, err = loadAddons(ctx, st, id); err != nil {
		return nil, err
	}
	return b, nil
}

func (s *companiesScreen) render(b *companyBundle) fyne.CanvasObject {
	a := s.a
	co := b.company
	header := container.NewBorder(nil, nil, container.NewCenter(newAvatar(co.Name, 56)), nil,
		container.NewVBox(heading(co.Name), secondary(joinNonEmpty(" · ", co.Industry, co.City))))
	actions := container.NewHBox(
		widget.NewButtonWithIcon(lang.L("Note"), theme.DocumentCreateIcon(), func() { a.logActivity(localdb.KindNote, "", co.ID) }),
		widget.NewButtonWithIcon(lang.L("Task"), theme.CheckButtonCheckedIcon(), func() { a.addTask("", co.ID, "") }),
		widget.NewButtonWithIcon(lang.L("New contact here"), theme.ContentAddIcon(), func() {
			a.showID("contacts")
			a.contacts.newContact(co.ID, co.Name)
		}),
		widget.NewButtonWithIcon(lang.L("New deal"), iconDeal, func() {
			a.showID("deals")
			a.deals.newDeal(co.ID, co.Name)
		}),
	)
	edit := widget.NewButtonWithIcon(lang.L("Edit"), theme.DocumentCreateIcon(), func() {
		cp := *co
		s.openForm(s.editForm(&cp))
	})
	del := widget.NewButtonWithIcon(lang.L("Delete"), theme.DeleteIcon(), func() {
		s.confirmDelete(co.ID, lang.L("Delete company?"),
			lang.L("Delete {{.Name}}? Its contacts and deals stay, without a company.", map[string]any{"Name": co.Name}))
	})
	del.Importance = widget.DangerImportance
	toolbar := container.NewBorder(nil, nil, actions, container.NewHBox(edit, del))

	details := container.NewVBox()
	if co.Phone != "" {
		details.Add(labelled(lang.L("Phone"), phoneLink(localdb.Phone{Number: co.Phone, E164: localdb.NormalizePhone(co.Phone, a.region)})))
	}
	if co.Website != "" {
		details.Add(labelled(lang.L("Website"), webLink(co.Website)))
	}
	if addr := formatAddress(localdb.Address{Street: co.Street, PostalCode: co.PostalCode, City: co.City, Region: co.Region, Country: co.Country}); addr != "" {
		details.Add(labelled(lang.L("Address"), wrapLabel(addr)))
	}
	if co.Industry != "" {
		details.Add(labelled(lang.L("Industry"), widget.NewLabel(co.Industry)))
	}
	if co.Territory != "" {
		details.Add(labelled(lang.L("Territory"), widget.NewLabel(co.Territory)))
	}
	if len(co.Tags) > 0 {
		details.Add(labelled(lang.L("Tags"), wrapLabel(strings.Join(co.Tags, ", "))))
	}
	if co.Notes != "" {
		details.Add(labelled(lang.L("Notes"), wrapLabel(co.Notes)))
	}
	if len(details.Objects) == 0 {
		details.Add(secondary(lang.L("No phone, website or address yet.")))
	}

	people := container.NewVBox()
	for _, c := range b.contacts {
		id := c.ID
		people.Add(container.NewBorder(nil, nil, nil, secondary(c.Title), linkLabel(c.FullName, theme.AccountIcon(), func() { a.openContact(id) })))
	}
	if len(b.contacts) == 0 {
		people.Add(secondary(lang.L("No contacts at this company yet.")))
	}
	if b.more {
		people.Add(secondary(lang.L("Showing the first {{.N}}; filter the contact list by the company's name for all.", map[string]any{"N": companyContactsShown})))
	}
	body := container.NewVBox(
		panel(lang.L("Details"), details),
		panel(lang.L("People"), people),
		panel(lang.L("Deals"), a.dealsView(b.deals)),
		panel(lang.L("Add-on suggestions"), a.addonsView(co.ID, b.addons)),
		panel(lang.L("Activity"), a.timelineView(b.acts)),
	)
	top := container.NewVBox(header, toolbar, widget.NewSeparator())
	return container.NewBorder(container.NewPadded(top), nil, nil, nil, container.NewVScroll(container.NewPadded(body)))
}

func (s *companiesScreen) newCompany() {
	s.newRecord(func() recordEditor { return s.editForm(&localdb.Company{}) })
}

func (s *companiesScreen) editForm(co *localdb.Company) recordEditor {
	return newCompanyForm(s.a, co, func(co *localdb.Company) { s.saved(co.ID) }, s.closeForm)
}

// companyForm edits a company.
type companyForm struct {
	*recordForm[localdb.Company]
	a       *App
	entries map[string]*keyEntry
	fields  map[string]*field
}

var companyFormFields = []string{"name", "industry", "website", "phone", "street", "postal", "city", "region", "country", "territory", "tags", "notes"}

func newCompanyForm(a *App, co *localdb.Company, onSaved func(*localdb.Company), onClosed func()) *companyForm {
	f := &companyForm{a: a, entries: map[string]*keyEntry{}, fields: map[string]*field{}}
	for _, k := range companyFormFields {
		f.entries[k] = newEntry(a)
	}
	f.entries["notes"] = newMultiLineEntry(a)
	f.entries["tags"].SetPlaceHolder(lang.L("comma-separated"))
	labels := map[string]string{"name": lang.L("Name") + " *", "industry": lang.L("Industry"), "website": lang.L("Website"),
		"phone": lang.L("Phone"), "street": lang.L("Street"), "postal": lang.L("Postal code"), "city": lang.L("City"),
		"region": lang.L("Region"), "country": lang.L("Country"), "territory": lang.L("Territory"), "tags": lang.L("Tags"),
		"notes": lang.L("Notes")}
	var fields []*field
	for _, k := range companyFormFields {
		f.fields[k] = newField(labels[k], f.entries[k])
		fields = append(fields, f.fields[k])
	}
	f.entries["name"].OnChanged = func(string) { f.checkName() }
	f.entries["phone"].OnChanged = func(string) { f.fields["phone"].setError("") }
	title := lang.L("New company")
	if co.ID != "" {
		title = lang.L("Edit company")
	}
	f.recordForm = newRecordForm(a, co, title, formGrid(fields...), formHooks[localdb.Company]{
		toValues: valuesOfCompany,
		values: func() formValues {
			v := formValues{}
			for k, e := range f.entries {
				v[k] = e.Text
			}
			return v
		},
		fill: func(v formValues) {
			for k, e := range f.entries {
				e.SetText(v[k])
			}
		},
		check: func() bool {
			if !f.checkName() {
				a.focus(f.entries["name"])
				return false
			}
			return true
		},
		build: buildCompany,
		persist: func(ctx context.Context, co *localdb.Company) error {
			if co.ID == "" {
				return a.store.Create(ctx, co)
			}
			return a.store.Save(ctx, co)
		},
		reload: func(ctx context.Context, orig *localdb.Company) (*localdb.Company, error) {
			return a.store.GetCompany(ctx, orig.ID)
		},
		fieldError: func(ve *localdb.ValidationError) bool {
			k := map[string]string{"name": "name", "phone": "phone"}[ve.Field]
			if k == "" {
				return false
			}
			f.fields[k].setError(fieldProblem(ve))
			a.focus(f.entries[k])
			return true
		},
		onSaved:     onSaved,
		onClosed:    onClosed,
		discardText: lang.L("Your changes to this company are not saved yet."),
	})
	return f
}

func (f *companyForm) id() string  { return f.orig.ID }
func (f *companyForm) focusFirst() { f.a.focus(f.entries["name"]) }

func (f *companyForm) checkName() bool {
	if strings.TrimSpace(f.entries["name"].Text) == "" {
		f.fields["name"].setError(lang.L("Required: give the company's name."))
		return false
	}
	f.fields["name"].setError("")
	return true
}

func valuesOfCompany(co *localdb.Company) formValues {
	return formValues{"name": co.Name, "industry": co.Industry, "website": co.Website, "phone": co.Phone,
		"street": co.Street, "postal": co.PostalCode, "city": co.City, "region": co.Region, "country": co.Country,
		"territory": co.Territory, "tags": strings.Join(co.Tags, ", "), "notes": co.Notes}
}

func buildCompany(orig *localdb.Company, v formValues) *localdb.Company {
	co := *orig
	co.Name, co.Industry, co.Website, co.Phone = v["name"], v["industry"], v["website"], v["phone"]
	co.Street, co.PostalCode, co.City, co.Region, co.Country = v["street"], v["postal"], v["city"], v["region"], v["country"]
	co.Territory, co.Tags, co.Notes = v["territory"], splitTags(v["tags"]), v["notes"]
	return &co
}
