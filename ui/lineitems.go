package ui

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"repdesk/localdb"
	"repdesk/localdb/sales"
)

// lineItems is the line item panel of a stored deal: its products with
// quantity and price, removing them, and adding one from the catalog. Each
// change is saved at once; the deal's amount follows, and the form shows the
// new amount while keeping what the rep typed elsewhere.
type lineItems struct {
	f        *dealForm
	dealID   string
	box      *fyne.Container
	products []localdb.Product
	rows     []lineRow // the lines' fields, in line order
	pick     *widget.Select
	qty      *keyEntry
	add      *widget.Button
	problem  errorText
}

// lineRow is one line's quantity and unit price fields with what they showed
// when loaded, so that typed but unsaved changes can be told apart.
type lineRow struct {
	n                int
	id               string
	qty, price       *keyEntry
	loadedQ, loadedP string
}

// changed says whether the quantity or unit price differs from the loaded one.
func (r lineRow) changed() bool { return r.qty.Text != r.loadedQ || r.price.Text != r.loadedP }

// lineChange is a line's typed quantity and unit price, read.
type lineChange struct {
	n          int
	id         string
	qty, price int64
}

// lineFailure is a line change the store refused, with the line's number.
type lineFailure struct {
	n   int
	err error
}

func (e *lineFailure) Error() string { return fmt.Sprintf("line %d: %v", e.n, e.err) }
func (e *lineFailure) Unwrap() error { return e.err }

type lineItemsData struct {
	items    []sales.Item
	products []localdb.Product
}

func (f *dealForm) lineItemsView(d *localdb.Deal) fyne.CanvasObject {
	li := &lineItems{f: f, dealID: d.ID, box: container.NewVBox(secondary(lang.L("Loading…"))), problem: newErrorText()}
	li.pick = widget.NewSelect(nil, nil)
	li.pick.PlaceHolder = lang.L("Product")
	li.qty = newEntry(f.a)
	li.qty.SetText("1")
	li.add = widget.NewButtonWithIcon(lang.L("Add"), theme.ContentAddIcon(), li.addItem)
	addRow := container.NewBorder(nil, nil, nil, container.NewHBox(container.New(&fixedWidth{w: 70}, li.qty), li.add), li.pick)
	f.items = li
	li.load()
	return container.NewVBox(li.box, addRow, li.problem)
}

func (li *lineItems) load() {
	a := li.f.a
	background(a, func(ctx context.Context) (lineItemsData, error) {
		items, err := sales.Items(ctx, a.store, li.dealID)
		if err != nil {
			return lineItemsData{}, err
		}
		products, err := a.store.Products(ctx)
		return lineItemsData{items, products}, err
	}, func(d lineItemsData, err error) {
		if err != nil {
			li.box.Objects = []fyne.CanvasObject{newErrorLabel(errorMessage(err))}
			li.box.Refresh()
			return
		}
		li.show(d)
	})
}

func (li *lineItems) show(d lineItemsData) {
	a := li.f.a
	li.products, li.rows = d.products, nil
	var names []string
	for _, p := range d.products {
		names = append(names, p.Name+" · "+a.loc.money(p.Price, p.Currency))
	}
	li.pick.SetOptions(names)
	li.box.Objects = nil
	cur := li.f.currency.Selected
	for n, it := range d.items {
		li.box.Add(li.itemRow(n+1, it, cur))
	}
	// With line items the amount is their sum, and their prices are in the
	// deal's currency.
	if len(d.items) > 0 {
		li.box.Add(secondary(lang.L("Change a quantity or a unit price and press Enter, or save the deal.")))
		li.f.amount.Disable()
		li.f.currency.Disable()
	} else {
		li.box.Add(secondary(lang.L("No line items: the amount is typed in. Add products and the amount follows them.")))
		li.f.amount.Enable()
		li.f.currency.Enable()
	}
	li.box.Refresh()
}

// itemRow is line n of the deal: the product, its quantity and unit price
// (each saved with Enter), the line's total and its remove button.
func (li *lineItems) itemRow(n int, it sales.Item, cur string) fyne.CanvasObject {
	a := li.f.a
	id := it.ID
	qty, price := newEntry(a), newEntry(a)
	qty.SetText(strconv.FormatInt(it.Quantity, 10))
	price.SetText(a.loc.amountInput(it.UnitPrice))
	// Enter saves this line and every other line changed meanwhile, which
	// the reload afterwards would otherwise lose.
	save := func(string) { li.savePending() }
	qty.OnSubmitted, price.OnSubmitted = save, save
	li.rows = append(li.rows, lineRow{n: n, id: id, qty: qty, price: price, loadedQ: qty.Text, loadedP: price.Text})
	remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
		li.changeLine(n, func(t *localdb.Tx) error { return sales.RemoveItem(t, id) })
	})
	remove.Importance = widget.LowImportance
	total := widget.NewLabelWithStyle(a.loc.money(it.Total, cur), fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	figures := container.NewHBox(container.New(&fixedWidth{w: 64}, qty), secondary("×"), container.New(&fixedWidth{w: 110}, price),
		container.New(&fixedWidth{w: 110}, total), remove)
	name := it.Product
	if name == "" {
		name = lang.L("(deleted product)")
	}
	// The number is how problems name the line.
	return container.NewBorder(nil, nil, container.New(&fixedWidth{w: 28}, secondary(strconv.Itoa(n))), figures, truncLabel(name))
}

// parseLine reads line n's quantity and unit price as typed, or says what
// is wrong with them, naming the line and the field.
func (li *lineItems) parseLine(n int, qtyText, priceText string) (qty, price int64, problem string) {
	qty, err := strconv.ParseInt(strings.TrimSpace(qtyText), 10, 64)
	if err != nil {
		return 0, 0, lineProblem(n, "quantity", lang.L("must be a whole number"))
	}
	price, ok := li.f.a.loc.parseMoney(priceText)
	if !ok {
		return 0, 0, lineProblem(n, "unit_price", lang.L("must be an amount such as {{.Example}}",
			map[string]any{"Example": li.f.a.loc.amountInput(1250050)}))
	}
	return qty, price, ""
}

// pendingKey sums up the lines whose quantity or unit price was changed
// but not saved yet, for the form's values: the form then counts them as
// unsaved changes, and Cancel asks before they go.
func (li *lineItems) pendingKey() string {
	var b strings.Builder
	for _, r := range li.rows {
		if r.changed() {
			fmt.Fprintf(&b, "%d:%s×%s;", r.n, r.qty.Text, r.price.Text)
		}
	}
	return b.String()
}

// pendingChanges reads the changed lines; false, with the problem shown,
// when one of them cannot be read.
func (li *lineItems) pendingChanges() ([]lineChange, bool) {
	var out []lineChange
	for _, r := range li.rows {
		if !r.changed() {
			continue
		}
		q, p, problem := li.parseLine(r.n, r.qty.Text, r.price.Text)
		if problem != "" {
			li.problem.set(problem)
			return nil, false
		}
		out = append(out, lineChange{n: r.n, id: r.id, qty: q, price: p})
	}
	return out, true
}

// applyChanges writes line changes in the transaction.
func applyChanges(t *localdb.Tx, changes []lineChange) error {
	for _, c := range changes {
		if _, err := sales.SetItem(t, c.id, c.qty, c.price); err != nil {
			return &lineFailure{n: c.n, err: err}
		}
	}
	return nil
}

// savePending saves every changed line at once (Enter in one of them): the
// reload afterwards would lose the others.
func (li *lineItems) savePending() {
	changes, ok := li.pendingChanges()
	if !ok || len(changes) == 0 {
		return
	}
	li.changeLine(changes[0].n, func(t *localdb.Tx) error { return applyChanges(t, changes) })
}

// lineProblem says what is wrong with a field (the store's name) of line n
// in a sentence: "Line 2: quantity must be at least 1".
func lineProblem(n int, field, problem string) string {
	name := map[string]string{"quantity": lang.L("quantity"), "unit_price": lang.L("unit price"),
		"product_id": lang.L("product")}[field]
	if name == "" {
		name = fieldName(field)
	}
	return lang.L("Line {{.Line}}: {{.Field}} {{.Problem}}", map[string]any{"Line": n, "Field": name, "Problem": problem})
}

// lineError words an error of saving line n; a validation error names the
// line and the field.
func lineError(n int, err error) string {
	var lf *lineFailure
	if errors.As(err, &lf) {
		n, err = lf.n, lf.err
	}
	var ve *localdb.ValidationError
	if errors.As(err, &ve) {
		return lineProblem(n, ve.Field, problemText(ve.Problem))
	}
	return errorMessage(err)
}

func (li *lineItems) addItem() {
	li.problem.set("")
	n := len(li.rows) + 1 // the line the new item becomes
	i := li.pick.SelectedIndex()
	if i < 0 {
		li.problem.set(lang.L("Line {{.Line}}: pick a product first.", map[string]any{"Line": n}))
		return
	}
	qty, err := strconv.ParseInt(strings.TrimSpace(li.qty.Text), 10, 64)
	if err != nil {
		li.problem.set(lineProblem(n, "quantity", lang.L("must be a whole number")))
		return
	}
	p := li.products[i]
	if cur := li.f.currency.Selected; p.Currency != cur {
		li.problem.set(lang.L("{{.Product}} is priced in {{.Their}}, the deal is in {{.Ours}}.", map[string]any{"Product": p.Name, "Their": p.Currency, "Ours": cur}))
		return
	}
	li.changeLine(n, func(t *localdb.Tx) error {
		_, err := sales.AddItem(t, li.dealID, p.ID, qty, -1) // the catalog price
		return err
	})
}

// changeLine saves a change of line n, then shows the deal's new amount in
// the form (the rep's other typing stays) and tells the other screens.
func (li *lineItems) changeLine(n int, fn func(t *localdb.Tx) error) {
	a, f := li.f.a, li.f
	background(a, func(ctx context.Context) (*localdb.Deal, error) {
		if err := a.store.Update(ctx, fn); err != nil {
			return nil, err
		}
		return a.store.GetDeal(ctx, li.dealID)
	}, func(fresh *localdb.Deal, err error) {
		if err != nil {
			li.problem.set(lineError(n, err))
			return
		}
		li.problem.set("")
		merged := changedOnto(f.valuesOf(fresh), f.start, f.values())
		merged["amount"] = f.valuesOf(fresh)["amount"]
		f.orig, f.start = fresh, f.valuesOf(fresh)
		f.fill(merged)
		li.qty.SetText("1")
		li.load()
		a.changed(nil, localdb.EntityDeal)
	})
}
