package cli

import (
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"strings"

	"repdesk/localdb"
)

func runContacts(c *runCtx, args []string) error {
	if len(args) == 0 {
		return usagef("contacts: give add, list, show, edit or delete")
	}
	switch args[0] {
	case "add":
		return contactsAdd(c, args[1:])
	case "list", "ls":
		return contactsList(c, args[1:])
	case "show":
		return contactsShow(c, args[1:])
	case "edit":
		return contactsEdit(c, args[1:])
	case "delete", "rm":
		return deleteCmd(c, "contacts delete", localdb.EntityContact, args[1:])
	}
	return usagef("contacts: unknown action %q (add, list, show, edit, delete)", args[0])
}

// contactFlags are the flags of contacts add and edit.
type contactFlags struct {
	name, title, company, tags, notes, status, birthday, website, source *string
	emails, phones                                                       stringList
	doNotCall                                                            *bool
}

func newContactFlags(fs *flag.FlagSet) *contactFlags {
	f := &contactFlags{
		name:      fs.String("name", "", "full name"),
		title:     fs.String("title", "", "job title"),
		company:   fs.String("company", "", "company name or id (a new name creates the company)"),
		tags:      fs.String("tags", "", "comma-separated tags"),
		notes:     fs.String("notes", "", "notes"),
		status:    fs.String("status", "", "lead status: "+strings.Join(localdb.LeadStatuses, ", ")),
		birthday:  fs.String("birthday", "", "YYYY-MM-DD or --MM-DD"),
		website:   fs.String("website", "", "web site"),
		source:    fs.String("source", "", "lead source"),
		doNotCall: fs.Bool("do-not-call", false, "the contact must not be called"),
	}
	fs.Var(&f.emails, "email", "e-mail address, [TYPE:]ADDRESS (repeatable; the first is primary)")
	fs.Var(&f.phones, "phone", "phone number, [TYPE:]NUMBER with TYPE work, mobile, home, fax or other (repeatable)")
	return f
}

// apply copies the given flags onto ct.
func (f *contactFlags) apply(t *localdb.Tx, ct *localdb.Contact, set map[string]bool) error {
	if set["name"] {
		ct.FullName, ct.GivenName, ct.FamilyName = *f.name, "", ""
	}
	strs := map[string]struct {
		dst *string
		src *string
	}{
		"title": {&ct.Title, f.title}, "notes": {&ct.Notes, f.notes}, "status": {&ct.LeadStatus, f.status},
		"birthday": {&ct.Birthday, f.birthday}, "website": {&ct.Website, f.website}, "source": {&ct.Source, f.source},
	}
	for name, p := range strs {
		if set[name] {
			*p.dst = *p.src
		}
	}
	if set["tags"] {
		ct.Tags = splitList(*f.tags)
	}
	if set["do-not-call"] {
		ct.DoNotCall = *f.doNotCall
	}
	if set["email"] {
		ct.Emails = nil
		for i, e := range f.emails {
			typ, addr := splitTyped(e, []string{"work", "home", "other"})
			ct.Emails = append(ct.Emails, localdb.Email{Address: addr, Type: typ, Primary: i == 0})
		}
	}
	if set["phone"] {
		ct.Phones = nil
		for _, p := range f.phones {
			typ, num := splitTyped(p, []string{localdb.PhoneWork, localdb.PhoneMobile, localdb.PhoneHome, localdb.PhoneFax, localdb.PhoneOther})
			ct.Phones = append(ct.Phones, localdb.Phone{Number: num, Type: typ})
		}
	}
	if set["company"] {
		id, err := companyID(t, *f.company)
		if err != nil {
			return err
		}
		ct.CompanyID = id
	}
	return nil
}

// companyID finds a company by id or name within t; an unknown name
// creates it, in the same transaction as the record that names it.
func companyID(t *localdb.Tx, nameOrID string) (string, error) {
	nameOrID = strings.TrimSpace(nameOrID)
	if nameOrID == "" {
		return "", nil
	}
	var id string
	err := t.SQL().QueryRowContext(t.Context(), `SELECT id FROM companies WHERE deleted = 0 AND (id = ? OR name = ? COLLATE NOCASE)
		ORDER BY id = ? DESC, created_at LIMIT 1`, nameOrID, nameOrID, nameOrID).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("find company %q: %w", nameOrID, err)
	}
	co := &localdb.Company{Name: nameOrID}
	if err := t.Create(co); err != nil {
		return "", err
	}
	return co.ID, nil
}

// splitTyped splits "mobile:+49 171" into type and value when the prefix is
// one of the known types.
func splitTyped(s string, types []string) (string, string) {
	if typ, rest, ok := strings.Cut(s, ":"); ok {
		for _, t := range types {
			if strings.EqualFold(strings.TrimSpace(typ), t) {
				return t, strings.TrimSpace(rest)
			}
		}
	}
	return "", strings.TrimSpace(s)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func contactsAdd(c *runCtx, args []string) error {
	fs := newFlags("contacts add")
	f := newContactFlags(fs)
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	set := setFlags(fs)
	if !set["name"] {
		return usagef("contacts add: --name is required")
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	ct := &localdb.Contact{}
	err = s.Update(c.ctx, func(t *localdb.Tx) error {
		if err := f.apply(t, ct, set); err != nil {
			return err
		}
		return t.CreateContact(ct)
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(c.out(), ct.ID)
	return nil
}

func contactsEdit(c *runCtx, args []string) error {
	fs := newFlags("contacts edit")
	f := newContactFlags(fs)
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	set := setFlags(fs)
	if len(set) == 0 {
		return usagef("contacts edit: nothing to change (flags: %s)", flagList(fs))
	}
	_, id, err := c.resolveID(pos[0], localdb.EntityContact)
	if err != nil {
		return err
	}
	return c.store.Update(c.ctx, func(t *localdb.Tx) error {
		ct, err := t.GetContact(id)
		if err != nil {
			return err
		}
		if err := f.apply(t, ct, set); err != nil {
			return err
		}
		return t.UpdateContact(ct)
	})
}

func contactsList(c *runCtx, args []string) error {
	fs := newFlags("contacts list")
	asJSON := fs.Bool("json", false, "print JSON")
	limit := fs.Int("limit", 0, "at most `N` contacts (0: all)")
	query := fs.String("query", "", "only contacts matching a search")
	tag := fs.String("tag", "", "only contacts with this tag")
	status := fs.String("status", "", "only contacts with this lead status")
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *limit < 0 {
		return usagef("contacts list: --limit must not be negative")
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	cs, err := s.ListContacts(c.ctx, localdb.ContactFilter{Query: *query, Tag: *tag, LeadStatus: *status, Limit: *limit})
	if err != nil {
		return err
	}
	if *asJSON {
		if cs == nil {
			cs = []localdb.Contact{}
		}
		return writeJSON(c.out(), cs)
	}
	t := newTable(c.out(), "ID", "NAME", "COMPANY", "EMAIL", "PHONE")
	for _, ct := range cs {
		t.row(ct.ID, ct.FullName, ct.Company, firstEmail(ct), firstPhone(ct))
	}
	return t.flush()
}

func firstEmail(c localdb.Contact) string {
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

func firstPhone(c localdb.Contact) string {
	if len(c.Phones) > 0 {
		return c.Phones[0].Number
	}
	return ""
}

// contactDetail is what contacts show --json prints: the contact with its
// open deals, open tasks and latest activities.
type contactDetail struct {
	*localdb.Contact
	Deals      []localdb.Deal     `json:"deals"`
	Tasks      []localdb.Task     `json:"tasks"`
	Activities []localdb.Activity `json:"activities"`
}

func contactsShow(c *runCtx, args []string) error {
	fs := newFlags("contacts show")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	_, id, err := c.resolveID(pos[0], localdb.EntityContact)
	if err != nil {
		return err
	}
	s := c.store
	ct, err := s.GetContact(c.ctx, id)
	if err != nil {
		return err
	}
	d := contactDetail{Contact: ct}
	if d.Deals, err = s.ListDeals(c.ctx, localdb.DealFilter{ContactID: id}); err != nil {
		return err
	}
	if d.Tasks, err = s.Tasks(c.ctx, localdb.TaskFilter{ContactID: id}); err != nil {
		return err
	}
	if d.Activities, err = s.Activities(c.ctx, localdb.ActivityFilter{ContactID: id, Limit: 10}); err != nil {
		return err
	}
	if *asJSON {
		d.Deals, d.Tasks, d.Activities = nonNil(d.Deals), nonNil(d.Tasks), nonNil(d.Activities)
		return writeJSON(c.out(), d)
	}
	w := c.out()
	fmt.Fprintln(w, strings.TrimSpace(ct.FullName))
	field(w, "ID", ct.ID)
	field(w, "Title", ct.Title)
	field(w, "Company", ct.Company)
	for _, e := range ct.Emails {
		field(w, "E-mail", strings.TrimSpace(e.Address+" "+paren(e.Type)))
	}
	for _, p := range ct.Phones {
		extra := p.Type
		if p.E164 != "" && p.E164 != p.Number {
			extra += ", " + p.E164
		}
		if p.Flagged {
			extra += ", flagged wrong"
		}
		field(w, "Phone", p.Number+" "+paren(extra))
	}
	for _, a := range ct.Addresses {
		field(w, "Address", strings.Join(nonEmpty(a.Street, strings.TrimSpace(a.PostalCode+" "+a.City), a.Region, a.Country), ", "))
	}
	field(w, "Birthday", ct.Birthday)
	field(w, "Website", ct.Website)
	field(w, "Lead status", ct.LeadStatus)
	field(w, "Source", ct.Source)
	if ct.DoNotCall {
		field(w, "Do not call", "yes")
	}
	field(w, "Tags", strings.Join(ct.Tags, ", "))
	field(w, "Notes", ct.Notes)
	if len(d.Deals) > 0 {
		fmt.Fprintln(w, "\nDeals:")
		for _, dl := range d.Deals {
			fmt.Fprintf(w, "  %s  %s  %s\n", dl.Stage, money(dl.Amount, dl.Currency), dl.Title)
		}
	}
	if len(d.Tasks) > 0 {
		fmt.Fprintln(w, "\nOpen tasks:")
		for _, k := range d.Tasks {
			fmt.Fprintf(w, "  %s  %s\n", localTime(k.Due), k.Title)
		}
	}
	if len(d.Activities) > 0 {
		fmt.Fprintln(w, "\nLatest activities:")
		for _, a := range d.Activities {
			fmt.Fprintf(w, "  %s  %s %s  %s\n", localTime(a.OccurredAt), a.Kind, a.Outcome, firstLine(a.Subject, a.Body))
		}
	}
	return nil
}

func paren(s string) string {
	if s == "" {
		return ""
	}
	return "(" + s + ")"
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

func firstLine(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			line, _, _ := strings.Cut(s, "\n")
			return line
		}
	}
	return ""
}

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

// deleteCmd deletes one record (a tombstone that sync carries to the hub).
func deleteCmd(c *runCtx, name, entity string, args []string) error {
	fs := newFlags(name)
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	_, id, err := c.resolveID(pos[0], entity)
	if err != nil {
		return err
	}
	return c.store.Delete(c.ctx, entity, id)
}
