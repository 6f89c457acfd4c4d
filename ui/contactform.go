package ui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"repdesk/localdb"
)

// contactForm edits a new or existing contact in the detail pane. It checks
// fields as they are typed and names what is wrong next to the field.
type contactForm struct {
	*recordForm[localdb.Contact]
	a *App

	name, title, street, postal, city, country, birthday, website, tags, source *keyEntry
	notes                                                                       *keyEntry
	company                                                                     *picker
	lead                                                                        *widget.Select
	dnc                                                                         *widget.Check
	emails, phones                                                              *multiField
	fields                                                                      map[string]*field
}

var emailTypes = []string{"work", "home", "other"}
var phoneTypes = []string{localdb.PhoneWork, localdb.PhoneMobile, localdb.PhoneHome, localdb.PhoneFax, localdb.PhoneOther}

func newContactForm(a *App, c *localdb.Contact, onSaved func(*localdb.Contact), onClosed func()) *contactForm {
	f := &contactForm{a: a, fields: map[string]*field{}}
	entry := func() *keyEntry { return newEntry(a) }
	f.name, f.title = entry(), entry()
	f.company = newPicker(a, iconCompany, findCompanies(a.store), func(text string) string {
		return lang.L("A new company “{{.Name}}” will be created.", map[string]any{"Name": text})
	})
	f.street, f.postal, f.city, f.country = entry(), entry(), entry(), entry()
	f.birthday, f.website, f.tags, f.source = entry(), entry(), entry(), entry()
	f.notes = newMultiLineEntry(a)
	f.birthday.SetPlaceHolder(lang.L("YYYY-MM-DD or --MM-DD"))
	f.tags.SetPlaceHolder(lang.L("comma-separated"))
	f.lead = widget.NewSelect(nil, nil)
	for _, s := range localdb.LeadStatuses {
		f.lead.Options = append(f.lead.Options, leadStatusName(s))
	}
	f.dnc = widget.NewCheck(lang.L("Do not call"), nil)
	f.emails = newMultiField(a, lang.L("Add e-mail"), emailTypes, emailTypeName, func(v string) string {
		if err := localdb.ValidateEmail(v); err != nil {
			return fieldProblem(err)
		}
		return ""
	})
	f.phones = newMultiField(a, lang.L("Add phone"), phoneTypes, phoneTypeName, nil)

	add := func(key, label string, input fyne.CanvasObject) *field {
		fl := newField(label, input)
		f.fields[key] = fl
		return fl
	}
	grid := formGrid(
		add("name", lang.L("Name")+" *", f.name),
		add("title", lang.L("Job title"), f.title),
		add("company", lang.L("Company"), f.company.view()),
		add("emails", lang.L("E-mail"), f.emails.view()),
		add("phones", lang.L("Phone"), f.phones.view()),
		add("street", lang.L("Street"), f.street),
		add("city", lang.L("City"), container.NewBorder(nil, nil, container.New(&fixedWidth{w: 110}, f.postal), nil, f.city)),
		add("country", lang.L("Country"), f.country),
		add("birthday", lang.L("Birthday"), f.birthday),
		add("website", lang.L("Website"), f.website),
		add("lead", lang.L("Lead status"), f.lead),
		add("tags", lang.L("Tags"), f.tags),
		add("source", lang.L("Source"), f.source),
		add("dnc", "", f.dnc),
		add("notes", lang.L("Notes"), f.notes),
	)
	f.postal.SetPlaceHolder(lang.L("Postal code"))
	f.city.SetPlaceHolder(lang.L("City"))

	f.name.OnChanged = func(string) { f.checkName() }
	f.birthday.OnChanged = func(string) { f.checkBirthday() }

	title := lang.L("New contact")
	if c.ID != "" {
		title = lang.L("Edit contact")
	}
	f.recordForm = newRecordForm(a, c, title, grid, formHooks[localdb.Contact]{
		toValues: valuesOfContact,
		values:   f.values,
		fill:     f.fill,
		check:    f.check,
		build:    buildContact,
		persist: func(ctx context.Context, c *localdb.Contact) error {
			return saveContact(ctx, a.store, c)
		},
		reload: func(ctx context.Context, orig *localdb.Contact) (*localdb.Contact, error) {
			return a.store.GetContact(ctx, orig.ID)
		},
		fieldError:  f.fieldError,
		onSaved:     onSaved,
		onClosed:    onClosed,
		discardText: lang.L("Your changes to this contact are not saved yet."),
	})
	return f
}

func emailTypeName(t string) string {
	switch t {
	case "work":
		return lang.L("Work")
	case "home":
		return lang.L("Private")
	}
	return lang.X("type.other", "Other") // "Other" is a reserved key in go-i18n's files
}

func (f *contactForm) id() string { return f.orig.ID }

func (f *contactForm) focusFirst() { f.a.focus(f.name) }

// valuesOfContact is the form's view of a contact.
func valuesOfContact(c *localdb.Contact) formValues {
	v := formValues{
		"name": c.FullName, "title": c.Title, "company": c.Company, "company_id": c.CompanyID, "birthday": c.Birthday,
		"website": c.Website, "lead": c.LeadStatus, "tags": strings.Join(c.Tags, ", "), "source": c.Source,
		"notes": c.Notes, "dnc": boolText(c.DoNotCall),
	}
	var emails, phones []pair
	for _, e := range c.Emails {
		emails = append(emails, pair{e.Address, e.Type})
	}
	for _, p := range c.Phones {
		phones = append(phones, pair{p.Number, p.Type})
	}
	v["emails"], v["phones"] = encodePairs(emails), encodePairs(phones)
	if len(c.Addresses) > 0 {
		ad := c.Addresses[0]
		v["street"], v["postal"], v["city"], v["country"] = ad.Street, ad.PostalCode, ad.City, ad.Country
	}
	return v
}

func boolText(b bool) string {
	if b {
		return "1"
	}
	return ""
}

func (f *contactForm) fill(v formValues) {
	f.company.set(v["company_id"], v["company"])
	for k, e := range map[string]*keyEntry{"name": f.name, "title": f.title, "street": f.street,
		"postal": f.postal, "city": f.city, "country": f.country, "birthday": f.birthday, "website": f.website,
		"tags": f.tags, "source": f.source, "notes": f.notes} {
		e.SetText(v[k])
	}
	lead := v["lead"]
	if lead == "" {
		lead = localdb.LeadNew
	}
	f.lead.SetSelected(leadStatusName(lead))
	f.dnc.SetChecked(v["dnc"] == "1")
	f.emails.set(decodePairs(v["emails"]))
	f.phones.set(decodePairs(v["phones"]))
}

func (f *contactForm) values() formValues {
	v := formValues{
		"name": f.name.Text, "title": f.title.Text, "company": f.company.entry.Text, "company_id": f.company.id, "street": f.street.Text,
		"postal": f.postal.Text, "city": f.city.Text, "country": f.country.Text, "birthday": f.birthday.Text,
		"website": f.website.Text, "tags": f.tags.Text, "source": f.source.Text, "notes": f.notes.Text,
		"dnc":    boolText(f.dnc.Checked),
		"emails": encodePairs(f.emails.pairs()), "phones": encodePairs(f.phones.pairs()),
	}
	for i, s := range localdb.LeadStatuses {
		if f.lead.SelectedIndex() == i {
			v["lead"] = s
		}
	}
	return v
}

func (f *contactForm) checkName() bool {
	if strings.TrimSpace(f.name.Text) == "" {
		f.fields["name"].setError(lang.L("Required: give a name."))
		return false
	}
	f.fields["name"].setError("")
	return true
}

func (f *contactForm) checkBirthday() bool {
	if err := localdb.ValidateBirthday(strings.TrimSpace(f.birthday.Text)); err != nil {
		f.fields["birthday"].setError(fieldProblem(err))
		return false
	}
	f.fields["birthday"].setError("")
	return true
}

// check validates what can be checked without the database and focuses the
// first field in error.
func (f *contactForm) check() bool {
	ok := f.checkName()
	okB := f.checkBirthday()
	okE := f.emails.check()
	if !ok {
		f.a.focus(f.name)
	} else if !okE {
		f.a.focus(f.emails.firstError())
	} else if !okB {
		f.a.focus(f.birthday)
	}
	return ok && okB && okE
}

// buildContact makes the record to save from the form's values, on top of
// the original (which keeps what the form does not show: more addresses,
// flagged numbers).
func buildContact(orig *localdb.Contact, v formValues) *localdb.Contact {
	c := *orig
	c.FullName = strings.TrimSpace(v["name"])
	c.GivenName, c.FamilyName = "", "" // derived again from the name
	if orig.FullName == c.FullName {
		c.GivenName, c.FamilyName = orig.GivenName, orig.FamilyName
	}
	c.Title, c.Birthday, c.Website, c.Source, c.Notes = v["title"], strings.TrimSpace(v["birthday"]), v["website"], v["source"], v["notes"]
	c.LeadStatus = v["lead"]
	c.DoNotCall = v["dnc"] == "1"
	c.Tags = splitTags(v["tags"])
	c.Emails = nil
	for _, p := range decodePairs(v["emails"]) {
		c.Emails = append(c.Emails, localdb.Email{Address: p.value, Type: p.kind, Primary: len(c.Emails) == 0})
	}
	old := map[string]localdb.Phone{}
	for _, p := range orig.Phones {
		old[p.Number] = p
	}
	c.Phones = nil
	for _, p := range decodePairs(v["phones"]) {
		ph := localdb.Phone{Number: p.value, Type: p.kind, Primary: len(c.Phones) == 0}
		if o, ok := old[p.value]; ok {
			ph.Flagged = o.Flagged
		}
		c.Phones = append(c.Phones, ph)
	}
	addr := localdb.Address{Street: v["street"], PostalCode: v["postal"], City: v["city"], Country: v["country"]}
	rest := []localdb.Address{}
	if len(orig.Addresses) > 0 {
		addr.Type, addr.Region = orig.Addresses[0].Type, orig.Addresses[0].Region
		rest = orig.Addresses[1:]
	}
	c.Addresses = nil
	if joinNonEmpty("", addr.Street, addr.PostalCode, addr.City, addr.Country) != "" {
		c.Addresses = append(c.Addresses, addr)
	}
	c.Addresses = append(c.Addresses, rest...)
	c.Company, c.CompanyID = strings.TrimSpace(v["company"]), v["company_id"]
	return &c
}

func splitTags(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// saveContact writes c, linked to the company picked or named in
// c.Company (created when there is none of that name), in one transaction.
func saveContact(ctx context.Context, st *localdb.Store, c *localdb.Contact) error {
	return st.Update(ctx, func(t *localdb.Tx) error {
		var err error
		if c.CompanyID, err = companyFor(ctx, t, c.CompanyID, c.Company); err != nil {
			return err
		}
		if c.ID == "" {
			return t.CreateContact(c)
		}
		return t.UpdateContact(c)
	})
}

// companyFor is the id of the company a form links: the picked one, else
// the one of that name, else a new one of that name ("" for no name).
func companyFor(ctx context.Context, t *localdb.Tx, picked, name string) (string, error) {
	if name == "" || picked != "" {
		return picked, nil
	}
	co, err := t.Store().FindCompanyByName(ctx, name)
	switch {
	case errors.Is(err, localdb.ErrNotFound):
		co = &localdb.Company{Name: name}
		if err := t.Create(co); err != nil {
			return "", err
		}
	case err != nil:
		return "", err
	}
	return co.ID, nil
}

// fieldError shows a validation error of the store at its field.
func (f *contactForm) fieldError(ve *localdb.ValidationError) bool {
	msg := fieldProblem(ve)
	switch ve.Field {
	case "full_name":
		f.fields["name"].setError(msg)
	case "email":
		return f.emails.setErrorFor(ve.Value, msg)
	case "phone", "phone type":
		return f.phones.setErrorFor(ve.Value, msg)
	case "birthday":
		f.fields["birthday"].setError(msg)
	case "lead_status":
		f.fields["lead"].setError(msg)
	default:
		return false
	}
	return true
}

// pair is one e-mail address or phone number with its type.
type pair struct{ value, kind string }

func encodePairs(ps []pair) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.value + "\t" + p.kind + "\n")
	}
	return b.String()
}

func decodePairs(s string) []pair {
	var out []pair
	for _, line := range strings.Split(s, "\n") {
		if line == "" {
			continue
		}
		v, k, _ := strings.Cut(line, "\t")
		out = append(out, pair{v, k})
	}
	return out
}

// multiField edits a list of values with a type each: e-mail addresses or
// phone numbers.
type multiField struct {
	a        *App
	box      *fyne.Container
	rows     []*multiRow
	kinds    []string
	kindName func(string) string
	validate func(string) string // "" when fine
	addBtn   *widget.Button
}

type multiRow struct {
	entry *keyEntry
	kind  *widget.Select
	err   errorText
	obj   fyne.CanvasObject
}

func newMultiField(a *App, addLabel string, kinds []string, kindName func(string) string, validate func(string) string) *multiField {
	m := &multiField{a: a, box: container.NewVBox(), kinds: kinds, kindName: kindName, validate: validate}
	m.addBtn = linkButton(addLabel, theme.ContentAddIcon(), func() {
		r := m.add(pair{kind: kinds[0]})
		a.focus(r.entry)
	})
	return m
}

func (m *multiField) view() fyne.CanvasObject { return container.NewVBox(m.box, m.addBtn) }

func (m *multiField) add(p pair) *multiRow {
	r := &multiRow{entry: newEntry(m.a), err: newErrorText()}
	r.entry.SetText(p.value)
	var names []string
	for _, k := range m.kinds {
		names = append(names, m.kindName(k))
	}
	r.kind = widget.NewSelect(names, nil)
	r.kind.SetSelectedIndex(max(0, indexOf(m.kinds, p.kind)))
	remove := widget.NewButtonWithIcon("", theme.ContentRemoveIcon(), nil)
	remove.Importance = widget.LowImportance
	r.obj = container.NewVBox(container.NewBorder(nil, nil, nil, container.NewHBox(container.New(&fixedWidth{w: 150}, r.kind), remove), r.entry), r.err)
	remove.OnTapped = func() {
		for i, x := range m.rows {
			if x == r {
				m.rows = append(m.rows[:i], m.rows[i+1:]...)
			}
		}
		m.box.Remove(r.obj)
	}
	if m.validate != nil {
		r.entry.OnChanged = func(string) { m.checkRow(r) }
	} else {
		r.entry.OnChanged = func(string) { r.err.set("") }
	}
	m.rows = append(m.rows, r)
	m.box.Add(r.obj)
	return r
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

func (m *multiField) set(ps []pair) {
	m.rows = nil
	m.box.RemoveAll()
	for _, p := range ps {
		m.add(p)
	}
}

func (m *multiField) pairs() []pair {
	var out []pair
	for _, r := range m.rows {
		v := strings.TrimSpace(r.entry.Text)
		if v == "" {
			continue
		}
		k := m.kinds[max(0, r.kind.SelectedIndex())]
		out = append(out, pair{v, k})
	}
	return out
}

func (m *multiField) checkRow(r *multiRow) bool {
	v := strings.TrimSpace(r.entry.Text)
	if v == "" || m.validate == nil {
		r.err.set("")
		return true
	}
	msg := m.validate(v)
	r.err.set(msg)
	return msg == ""
}

func (m *multiField) check() bool {
	ok := true
	for _, r := range m.rows {
		ok = m.checkRow(r) && ok
	}
	return ok
}

func (m *multiField) firstError() fyne.Focusable {
	for _, r := range m.rows {
		if r.err.Visible() {
			return r.entry
		}
	}
	return nil
}

// setErrorFor shows msg at the row holding value (as the store saw it,
// trimmed); false when no row holds it.
func (m *multiField) setErrorFor(value, msg string) bool {
	for _, r := range m.rows {
		if strings.TrimSpace(r.entry.Text) == value {
			r.err.set(msg)
			m.a.focus(r.entry)
			return true
		}
	}
	return false
}
