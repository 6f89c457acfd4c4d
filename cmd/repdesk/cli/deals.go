package cli

import (
	"fmt"
	"strconv"
	"strings"

	"repdesk/localdb"
)

func runDeals(c *runCtx, args []string) error {
	if len(args) == 0 {
		return usagef("deals: give add, list, show, move, delete or items")
	}
	switch args[0] {
	case "add":
		return dealsAdd(c, args[1:])
	case "list", "ls":
		return dealsList(c, args[1:])
	case "show":
		return dealsShow(c, args[1:])
	case "move":
		return dealsMove(c, args[1:])
	case "delete", "rm":
		return deleteCmd(c, "deals delete", localdb.EntityDeal, args[1:])
	case "items":
		return dealsItems(c, args[1:])
	}
	return usagef("deals: unknown action %q (add, list, show, move, delete, items)", args[0])
}

// parseAmount reads "1234", "1234.5", "1.234,50" or "1234,50" into minor units.
func parseAmount(s string) (int64, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	if s == "" {
		return 0, fmt.Errorf("amount is empty")
	}
	if i, j := strings.LastIndex(s, ","), strings.LastIndex(s, "."); i > j {
		// German style: dots group thousands, the comma marks the decimals.
		s = strings.ReplaceAll(s, ".", "")
		s = strings.Replace(s, ",", ".", 1)
	} else {
		s = strings.ReplaceAll(s, ",", "")
	}
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 {
		return 0, fmt.Errorf("amount %q: more than two decimals", s)
	}
	frac += strings.Repeat("0", 2-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || strings.HasPrefix(whole, "-") {
		return 0, fmt.Errorf("amount %q: not a positive number", s)
	}
	return n, nil
}

func dealsAdd(c *runCtx, args []string) error {
	fs := newFlags("deals add")
	title := fs.String("title", "", "deal title")
	company := fs.String("company", "", "company name or id (a new name creates the company)")
	contact := fs.String("contact", "", "primary contact id")
	stage := fs.String("stage", "Lead", "pipeline stage")
	amount := fs.String("amount", "0", "amount, e.g. 12500 or 12.500,00")
	currency := fs.String("currency", "EUR", "ISO currency code")
	prob := fs.Int("probability", -1, "win probability in percent (default: the stage's)")
	closeDate := fs.String("close", "", "expected close date YYYY-MM-DD")
	next := fs.String("next-step", "", "next step")
	tags := fs.String("tags", "", "comma-separated tags")
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *title == "" {
		return usagef("deals add: --title is required")
	}
	amt, err := parseAmount(*amount)
	if err != nil {
		return usagef("deals add: %v", err)
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	d := &localdb.Deal{Title: *title, Stage: *stage, Amount: amt, Currency: *currency, ExpectedClose: *closeDate,
		NextStep: *next, Tags: splitList(*tags)}
	if *contact != "" {
		if _, d.ContactID, err = c.resolveID(*contact, localdb.EntityContact); err != nil {
			return err
		}
	}
	err = s.Update(c.ctx, func(t *localdb.Tx) error {
		if d.CompanyID, err = companyID(t, *company); err != nil {
			return err
		}
		if d.CompanyID == "" && d.ContactID != "" {
			ct, err := t.GetContact(d.ContactID)
			if err != nil {
				return err
			}
			d.CompanyID = ct.CompanyID
		}
		if *prob >= 0 {
			d.Probability = int64(*prob)
		}
		return t.Create(d)
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(c.out(), d.ID)
	return nil
}

func dealsList(c *runCtx, args []string) error {
	fs := newFlags("deals list")
	asJSON := fs.Bool("json", false, "print JSON")
	limit := fs.Int("limit", 0, "at most `N` deals (0: all)")
	stage := fs.String("stage", "", "only deals in this stage")
	open := fs.Bool("open", false, "only deals that are neither won nor lost")
	query := fs.String("query", "", "only deals matching a search")
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	ds, err := s.ListDeals(c.ctx, localdb.DealFilter{Stage: *stage, Open: *open, Query: *query, Limit: *limit})
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.out(), nonNil(ds))
	}
	t := newTable(c.out(), "ID", "TITLE", "COMPANY", "STAGE", "AMOUNT", "CLOSE")
	for _, d := range ds {
		t.row(d.ID, d.Title, d.Company, fmt.Sprintf("%s %d%%", d.Stage, d.Probability), money(d.Amount, d.Currency), d.ExpectedClose)
	}
	return t.flush()
}

func dealsShow(c *runCtx, args []string) error {
	fs := newFlags("deals show")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	_, id, err := c.resolveID(pos[0], localdb.EntityDeal)
	if err != nil {
		return err
	}
	d, err := c.store.GetDeal(c.ctx, id)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.out(), d)
	}
	printDeal(c, d)
	return nil
}

func printDeal(c *runCtx, d *localdb.Deal) {
	w := c.out()
	fmt.Fprintln(w, d.Title)
	field(w, "ID", d.ID)
	field(w, "Company", d.Company)
	field(w, "Contact", d.Contact)
	field(w, "Stage", fmt.Sprintf("%s (%d%%)", d.Stage, d.Probability))
	field(w, "Amount", money(d.Amount, d.Currency))
	field(w, "Weighted", money(d.Amount*d.Probability/100, d.Currency))
	field(w, "Expected", d.ExpectedClose)
	field(w, "Next step", d.NextStep)
	field(w, "Lost reason", d.LostReason)
	field(w, "Closed", d.ClosedAt)
}

func dealsMove(c *runCtx, args []string) error {
	fs := newFlags("deals move")
	asJSON := fs.Bool("json", false, "print JSON")
	reason := fs.String("reason", "", "why the deal was lost")
	pos, err := parse(fs, args, 2, 2)
	if err != nil {
		return err
	}
	_, id, err := c.resolveID(pos[0], localdb.EntityDeal)
	if err != nil {
		return err
	}
	var d *localdb.Deal
	err = c.store.Update(c.ctx, func(t *localdb.Tx) error {
		var err error
		if d, err = t.MoveDeal(id, pos[1]); err != nil {
			return err
		}
		if *reason != "" {
			d.LostReason = *reason
			return t.Save(d)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if d, err = c.store.GetDeal(c.ctx, id); err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.out(), d)
	}
	printDeal(c, d)
	return nil
}
