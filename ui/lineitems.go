package ui

import (
	"context"
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
	pick     *widget.Select
	qty      *keyEntry
	add      *widget.Button
	problem  errorText
}

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
	li.products = d.products
	var names []string
	for _, p := range d.products {
		names = append(names, p.Name+" · "+a.loc.money(p.Price, p.Currency))
	}
	li.pick.SetOptions(names)
	li.box.Objects = nil
	cur := li.f.currency.Selected
	for _, it := range d.items {
		id := it.ID
		remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { li.change(func(t *localdb.Tx) error { return sales.RemoveItem(t, id) }) })
		remove.Importance = widget.LowImportance
		figures := lang.L("{{.Qty}} × {{.Price}}", map[string]any{"Qty": a.loc.number(it.Quantity), "Price": a.loc.money(it.UnitPrice, cur)})
		total := widget.NewLabelWithStyle(a.loc.money(it.Total, cur), fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
		li.box.Add(container.NewBorder(nil, nil, nil, container.NewHBox(secondary(figures), total, remove), truncLabel(it.Product)))
	}
	if len(d.items) == 0 {
		li.box.Add(secondary(lang.L("No line items: the amount is typed in. Add products and the amount follows them.")))
	}
	// With line items the amount is their sum, and their prices are in the
	// deal's currency.
	if len(d.items) > 0 {
		li.f.amount.Disable()
		li.f.currency.Disable()
	} else {
		li.f.amount.Enable()
		li.f.currency.Enable()
	}
	li.box.Refresh()
}

func (li *lineItems) addItem() {
	li.problem.set("")
	i := li.pick.SelectedIndex()
	if i < 0 {
		li.problem.set(lang.L("Pick a product first."))
		return
	}
	qty, err := strconv.ParseInt(strings.TrimSpace(li.qty.Text), 10, 64)
	if err != nil || qty <= 0 {
		li.problem.set(lang.L("Give a whole number of at least 1."))
		return
	}
	p := li.products[i]
	if cur := li.f.currency.Selected; p.Currency != cur {
		li.problem.set(lang.L("{{.Product}} is priced in {{.Their}}, the deal is in {{.Ours}}.", map[string]any{"Product": p.Name, "Their": p.Currency, "Ours": cur}))
		return
	}
	li.change(func(t *localdb.Tx) error {
		_, err := sales.AddItem(t, li.dealID, p.ID, qty, -1) // the catalog price
		return err
	})
}

// change saves an item change, then shows the deal's new amount in the form
// (the rep's other typing stays) and tells the other screens.
func (li *lineItems) change(fn func(t *localdb.Tx) error) {
	a, f := li.f.a, li.f
	background(a, func(ctx context.Context) (*localdb.Deal, error) {
		if err := a.store.Update(ctx, fn); err != nil {
			return nil, err
		}
		return a.store.GetDeal(ctx, li.dealID)
	}, func(fresh *localdb.Deal, err error) {
		if err != nil {
			li.problem.set(errorMessage(err))
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
