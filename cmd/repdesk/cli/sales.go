package cli

import (
	"errors"
	"fmt"

	"repdesk/localdb"
	"repdesk/localdb/sales"
)

func init() {
	tables[localdb.EntityProduct] = "products"
	tables[localdb.EntityLineItem] = "line_items"
}

func runProducts(c *runCtx, args []string) error {
	if len(args) == 0 {
		return usagef("products: give add, list, edit or delete")
	}
	switch args[0] {
	case "add":
		return productsAdd(c, args[1:])
	case "list", "ls":
		return productsList(c, args[1:])
	case "edit":
		return productsEdit(c, args[1:])
	case "delete", "rm":
		fs := newFlags("products delete")
		pos, err := parse(fs, args[1:], 1, 1)
		if err != nil {
			return err
		}
		p, err := c.product(pos[0])
		if err != nil {
			return err
		}
		return c.store.Delete(c.ctx, localdb.EntityProduct, p.ID)
	}
	return usagef("products: unknown action %q (add, list, edit, delete)", args[0])
}

// product finds a live product by SKU, id or id prefix.
func (c *runCtx) product(arg string) (*localdb.Product, error) {
	s, err := c.open()
	if err != nil {
		return nil, err
	}
	p, err := s.ProductBySKU(c.ctx, arg)
	if err == nil || !errors.Is(err, localdb.ErrNotFound) {
		return p, err
	}
	_, id, err := c.resolveID(arg, localdb.EntityProduct)
	if err != nil {
		return nil, fmt.Errorf("no product with SKU or id %q", arg)
	}
	p = &localdb.Product{}
	return p, s.Read(c.ctx, p, id)
}

func productsAdd(c *runCtx, args []string) error {
	fs := newFlags("products add")
	name := fs.String("name", "", "product name")
	sku := fs.String("sku", "", "SKU (article number), unique")
	price := fs.String("price", "", "price, e.g. 690 or 49.90EUR")
	currency := fs.String("currency", "EUR", "ISO currency code when --price has none")
	notes := fs.String("notes", "", "notes")
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *name == "" || *sku == "" || *price == "" {
		return usagef("products add: --name, --sku and --price are required")
	}
	amt, cur, err := parseMoney(*price, *currency)
	if err != nil {
		return usagef("products add: --price %v", err)
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	p := &localdb.Product{Name: *name, SKU: *sku, Price: amt, Currency: cur, Notes: *notes}
	if err := s.Create(c.ctx, p); err != nil {
		return err
	}
	fmt.Fprintln(c.out(), p.ID)
	return nil
}

func productsEdit(c *runCtx, args []string) error {
	fs := newFlags("products edit")
	name := fs.String("name", "", "product name")
	sku := fs.String("sku", "", "SKU")
	price := fs.String("price", "", "price, e.g. 690 or 49.90EUR")
	notes := fs.String("notes", "", "notes")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	p, err := c.product(pos[0])
	if err != nil {
		return err
	}
	set := setFlags(fs)
	if set["name"] {
		p.Name = *name
	}
	if set["sku"] {
		p.SKU = *sku
	}
	if set["notes"] {
		p.Notes = *notes
	}
	if set["price"] {
		if p.Price, p.Currency, err = parseMoney(*price, p.Currency); err != nil {
			return usagef("products edit: --price %v", err)
		}
	}
	return c.store.Save(c.ctx, p)
}

func productsList(c *runCtx, args []string) error {
	return listAll(c, "products list", args, (*localdb.Store).Products, []string{"SKU", "NAME", "PRICE", "ID"},
		func(p localdb.Product) []string { return []string{p.SKU, p.Name, money(p.Price, p.Currency), p.ID} })
}

// dealsItems is `deals items`: a deal's line items, and adding, changing
// and removing them (the deal's amount follows).
func dealsItems(c *runCtx, args []string) error {
	if len(args) == 0 {
		return usagef("deals items: give list DEAL_ID, add DEAL_ID --product SKU, set ITEM_ID --qty N or remove ITEM_ID")
	}
	switch args[0] {
	case "list", "ls":
		return itemsList(c, args[1:])
	case "add":
		return itemsAdd(c, args[1:])
	case "set":
		return itemsSet(c, args[1:])
	case "remove", "rm":
		fs := newFlags("deals items remove")
		pos, err := parse(fs, args[1:], 1, 1)
		if err != nil {
			return err
		}
		_, id, err := c.resolveID(pos[0], localdb.EntityLineItem)
		if err != nil {
			return err
		}
		return c.store.Update(c.ctx, func(t *localdb.Tx) error { return sales.RemoveItem(t, id) })
	}
	return usagef("deals items: unknown action %q (list, add, set, remove)", args[0])
}

func itemsList(c *runCtx, args []string) error {
	fs := newFlags("deals items list")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	_, id, err := c.resolveID(pos[0], localdb.EntityDeal)
	if err != nil {
		return err
	}
	return printItems(c, id, *asJSON)
}

func printItems(c *runCtx, dealID string, asJSON bool) error {
	items, err := sales.Items(c.ctx, c.store, dealID)
	if err != nil {
		return err
	}
	d, err := c.store.GetDeal(c.ctx, dealID)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(c.out(), struct {
			DealID   string       `json:"deal_id"`
			Amount   int64        `json:"amount"`
			Currency string       `json:"currency"`
			Items    []sales.Item `json:"items"`
		}{d.ID, d.Amount, d.Currency, items})
	}
	t := newTable(c.out(), "ID", "SKU", "PRODUCT", "QTY", "UNIT PRICE", "TOTAL")
	for _, it := range items {
		t.row(it.ID, it.SKU, it.Product, fmt.Sprint(it.Quantity), money(it.UnitPrice, d.Currency), money(it.Total, d.Currency))
	}
	t.row("", "", "", "", "Deal amount", money(d.Amount, d.Currency))
	return t.flush()
}

// itemPrice reads --price for a deal in currency; "" is the catalog's.
func itemPrice(name, price, currency string) (int64, error) {
	if price == "" {
		return -1, nil
	}
	amt, cur, err := parseMoney(price, currency)
	if err != nil {
		return 0, usagef("%s: --price %v", name, err)
	}
	if cur != currency {
		return 0, usagef("%s: --price is in %s, the deal is in %s", name, cur, currency)
	}
	return amt, nil
}

func itemsAdd(c *runCtx, args []string) error {
	fs := newFlags("deals items add")
	productArg := fs.String("product", "", "product SKU or id")
	qty := fs.Int64("qty", 1, "quantity")
	price := fs.String("price", "", "unit price (default: the catalog price)")
	asJSON := fs.Bool("json", false, "print the deal's items as JSON")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if *productArg == "" {
		return usagef("deals items add: --product is required")
	}
	_, dealID, err := c.resolveID(pos[0], localdb.EntityDeal)
	if err != nil {
		return err
	}
	p, err := c.product(*productArg)
	if err != nil {
		return err
	}
	d, err := c.store.GetDeal(c.ctx, dealID)
	if err != nil {
		return err
	}
	unit, err := itemPrice("deals items add", *price, d.Currency)
	if err != nil {
		return err
	}
	err = c.store.Update(c.ctx, func(t *localdb.Tx) error {
		_, err := sales.AddItem(t, dealID, p.ID, *qty, unit)
		return err
	})
	if err != nil {
		return err
	}
	return printItems(c, dealID, *asJSON)
}

func itemsSet(c *runCtx, args []string) error {
	fs := newFlags("deals items set")
	qty := fs.Int64("qty", 0, "new quantity")
	price := fs.String("price", "", "new unit price")
	asJSON := fs.Bool("json", false, "print the deal's items as JSON")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	_, id, err := c.resolveID(pos[0], localdb.EntityLineItem)
	if err != nil {
		return err
	}
	item := &localdb.LineItem{}
	if err := c.store.Read(c.ctx, item, id); err != nil {
		return err
	}
	d, err := c.store.GetDeal(c.ctx, item.DealID)
	if err != nil {
		return err
	}
	unit, err := itemPrice("deals items set", *price, d.Currency)
	if err != nil {
		return err
	}
	if !setFlags(fs)["qty"] {
		*qty = item.Quantity
	}
	err = c.store.Update(c.ctx, func(t *localdb.Tx) error {
		_, err := sales.SetItem(t, id, *qty, unit)
		return err
	})
	if err != nil {
		return err
	}
	return printItems(c, item.DealID, *asJSON)
}

func runSuggest(c *runCtx, args []string) error {
	fs := newFlags("suggest")
	asJSON := fs.Bool("json", false, "print JSON")
	limit := fs.Int("limit", 5, "at most `N` suggestions")
	create := fs.String("create", "", "create an add-on deal for this product (`SKU` or id) and print its id")
	qty := fs.Int64("qty", 1, "quantity of the add-on deal's line item")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	_, companyID, err := c.resolveID(pos[0], localdb.EntityCompany)
	if err != nil {
		return err
	}
	if *create != "" {
		p, err := c.product(*create)
		if err != nil {
			return err
		}
		var d *localdb.Deal
		err = c.store.Update(c.ctx, func(t *localdb.Tx) error {
			d, err = sales.CreateAddon(t, companyID, p.ID, *qty)
			return err
		})
		if err != nil {
			return err
		}
		fmt.Fprintln(c.out(), d.ID)
		return nil
	}
	got, err := sales.Suggest(c.ctx, c.store, companyID, sales.SuggestOptions{Limit: *limit})
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.out(), nonNil(got))
	}
	if len(got) == 0 {
		fmt.Fprintln(c.out(), "No add-ons to suggest: this customer has what its peers buy.")
		return nil
	}
	for _, s := range got {
		// The reason on a line of its own: a table would clip it.
		fmt.Fprintf(c.out(), "%s  %s  %s\n    %s\n", s.SKU, s.Product, money(s.Price, s.Currency), s.Reason)
	}
	fmt.Fprintf(c.out(), "\nCreate one: repdesk suggest %s --create SKU\n", pos[0])
	return nil
}
