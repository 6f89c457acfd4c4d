package cli

import (
	"flag"
	"fmt"
	"strings"

	"repdesk/localdb"
)

func runCompanies(c *runCtx, args []string) error {
	if len(args) == 0 {
		return usagef("companies: give add, list, show, edit or delete")
	}
	switch args[0] {
	case "add":
		return companiesAdd(c, args[1:])
	case "list", "ls":
		return companiesList(c, args[1:])
	case "show":
		return companiesShow(c, args[1:])
	case "edit":
		return companiesEdit(c, args[1:])
	case "delete", "rm":
		return deleteCmd(c, "companies delete", localdb.EntityCompany, args[1:])
	}
	return usagef("companies: unknown action %q (add, list, show, edit, delete)", args[0])
}

type companyFlags map[string]*string

var companyFlagNames = []struct{ flag, help string }{
	{"name", "company name"}, {"industry", "industry"}, {"website", "web site"}, {"phone", "main phone number"},
	{"street", "street and number"}, {"postal-code", "postal code"}, {"city", "city"}, {"region", "region or state"},
	{"country", "country (ISO code such as DE)"}, {"tags", "comma-separated tags"}, {"notes", "notes"},
}

func newCompanyFlags(fs *flag.FlagSet) companyFlags {
	f := companyFlags{}
	for _, n := range companyFlagNames {
		f[n.flag] = fs.String(n.flag, "", n.help)
	}
	return f
}

func (f companyFlags) apply(co *localdb.Company, set map[string]bool) {
	dst := map[string]*string{
		"name": &co.Name, "industry": &co.Industry, "website": &co.Website, "phone": &co.Phone, "street": &co.Street,
		"postal-code": &co.PostalCode, "city": &co.City, "region": &co.Region, "country": &co.Country, "notes": &co.Notes,
	}
	for name, p := range dst {
		if set[name] {
			*p = *f[name]
		}
	}
	if set["tags"] {
		co.Tags = splitList(*f["tags"])
	}
}

func companiesAdd(c *runCtx, args []string) error {
	fs := newFlags("companies add")
	f := newCompanyFlags(fs)
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	set := setFlags(fs)
	if !set["name"] {
		return usagef("companies add: --name is required")
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	co := &localdb.Company{}
	f.apply(co, set)
	if err := s.Create(c.ctx, co); err != nil {
		return err
	}
	fmt.Fprintln(c.out(), co.ID)
	return nil
}

func companiesEdit(c *runCtx, args []string) error {
	fs := newFlags("companies edit")
	f := newCompanyFlags(fs)
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	set := setFlags(fs)
	if len(set) == 0 {
		return usagef("companies edit: nothing to change (flags: %s)", flagList(fs))
	}
	_, id, err := c.resolveID(pos[0], localdb.EntityCompany)
	if err != nil {
		return err
	}
	co, err := c.store.GetCompany(c.ctx, id)
	if err != nil {
		return err
	}
	f.apply(co, set)
	return c.store.Save(c.ctx, co)
}

func companiesList(c *runCtx, args []string) error {
	fs := newFlags("companies list")
	asJSON := fs.Bool("json", false, "print JSON")
	limit := fs.Int("limit", 0, "at most `N` companies (0: all)")
	query := fs.String("query", "", "only companies matching a search")
	city := fs.String("city", "", "only companies whose city or postal code starts with this")
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	cos, err := s.ListCompanies(c.ctx, localdb.CompanyFilter{Query: *query, City: *city, Limit: *limit})
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.out(), nonNil(cos))
	}
	t := newTable(c.out(), "ID", "NAME", "INDUSTRY", "CITY", "PHONE")
	for _, co := range cos {
		t.row(co.ID, co.Name, co.Industry, strings.TrimSpace(co.PostalCode+" "+co.City), co.Phone)
	}
	return t.flush()
}

type companyDetail struct {
	*localdb.Company
	Contacts   []localdb.Contact  `json:"contacts"`
	Deals      []localdb.Deal     `json:"deals"`
	Activities []localdb.Activity `json:"activities"`
}

func companiesShow(c *runCtx, args []string) error {
	fs := newFlags("companies show")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	_, id, err := c.resolveID(pos[0], localdb.EntityCompany)
	if err != nil {
		return err
	}
	s := c.store
	co, err := s.GetCompany(c.ctx, id)
	if err != nil {
		return err
	}
	d := companyDetail{Company: co}
	if d.Contacts, err = s.ListContacts(c.ctx, localdb.ContactFilter{CompanyID: id}); err != nil {
		return err
	}
	if d.Deals, err = s.ListDeals(c.ctx, localdb.DealFilter{CompanyID: id}); err != nil {
		return err
	}
	if d.Activities, err = s.Activities(c.ctx, localdb.ActivityFilter{CompanyID: id, Limit: 10}); err != nil {
		return err
	}
	if *asJSON {
		d.Contacts, d.Deals, d.Activities = nonNil(d.Contacts), nonNil(d.Deals), nonNil(d.Activities)
		return writeJSON(c.out(), d)
	}
	w := c.out()
	fmt.Fprintln(w, co.Name)
	field(w, "ID", co.ID)
	field(w, "Industry", co.Industry)
	field(w, "Phone", co.Phone)
	field(w, "Website", co.Website)
	field(w, "Address", strings.Join(nonEmpty(co.Street, strings.TrimSpace(co.PostalCode+" "+co.City), co.Region, co.Country), ", "))
	field(w, "Tags", strings.Join(co.Tags, ", "))
	field(w, "Notes", co.Notes)
	if len(d.Contacts) > 0 {
		fmt.Fprintln(w, "\nContacts:")
		for _, ct := range d.Contacts {
			fmt.Fprintf(w, "  %s  %s  %s\n", ct.FullName, ct.Title, firstPhone(ct))
		}
	}
	if len(d.Deals) > 0 {
		fmt.Fprintln(w, "\nDeals:")
		for _, dl := range d.Deals {
			fmt.Fprintf(w, "  %s  %s  %s\n", dl.Stage, money(dl.Amount, dl.Currency), dl.Title)
		}
	}
	return nil
}
