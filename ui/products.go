package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"repdesk/localdb"
	"repdesk/localdb/sales"
)

var iconProduct = svgIcon("product", "M21.41 11.58l-9-9C12.05 2.22 11.55 2 11 2H4c-1.1 0-2 .9-2 2v7c0 .55.22 1.05.59 1.42l9 9c.36.36.86.58 1.41.58s1.05-.22 1.41-.59l7-7c.37-.36.59-.86.59-1.41s-.23-1.06-.59-1.42zM5.5 7C4.67 7 4 6.33 4 5.5S4.67 4 5.5 4 7 4.67 7 5.5 6.33 7 5.5 7z")

// productsScreen is the product catalog: every product with its SKU, price
// and the won deals that sold it, a filter by name or SKU, and a dialog to
// add, change or delete a product. The catalog is small (hundreds of
// products), so it is read whole, off the UI goroutine, and filtered in
// memory; the table creates only the rows on screen.
type productsScreen struct {
	a       *App
	all     []sales.CatalogEntry // by name; replaced, never changed in place
	folded  []string             // each product's name and SKU folded for the filter
	visible []int                // indices into all that pass the filter
	query   string
	filter  *keyEntry
	count   *widget.Label
	table   *widget.Table
	body    *fyne.Container // the table, the empty state or "nothing matches"
	empty   fyne.CanvasObject
	none    *widget.Label
	root    fyne.CanvasObject
	form    *productForm // the open dialog's form

	slot          slot
	loaded, stale bool
}

func productColumns() []string {
	return []string{lang.L("Name"), lang.L("SKU"), lang.L("Price"), lang.L("Won deals")}
}

var productColumnWidths = []float32{440, 180, 160, 200}

func newProductsScreen(a *App) *productsScreen {
	s := &productsScreen{a: a}
	s.filter = newEntry(a)
	s.filter.SetPlaceHolder(lang.L("Filter by name or SKU"))
	s.filter.ActionItem = widget.NewIcon(theme.SearchIcon())
	s.filter.OnChanged = func(q string) {
		s.query = strings.TrimSpace(q)
		s.refilter()
	}
	s.count = secondary("")
	cols := productColumns()
	s.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(s.visible), len(cols) },
		func() fyne.CanvasObject { return truncLabel("") },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			if id.Row >= len(s.visible) {
				return
			}
			p := s.all[s.visible[id.Row]]
			l.Alignment = fyne.TextAlignLeading
			switch id.Col {
			case 0:
				l.SetText(p.Name)
			case 1:
				l.SetText(p.SKU)
			case 2:
				l.Alignment = fyne.TextAlignTrailing
				l.SetText(a.loc.money(p.Price, p.Currency))
			case 3:
				l.Alignment = fyne.TextAlignTrailing
				l.SetText(a.loc.number(int64(p.WonDeals)))
			}
		})
	s.table.ShowHeaderColumn = false
	s.table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	s.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		l := o.(*widget.Label)
		l.SetText(cols[id.Col])
		l.Alignment = fyne.TextAlignLeading
		if id.Col >= 2 {
			l.Alignment = fyne.TextAlignTrailing
		}
	}
	for i, w := range productColumnWidths {
		s.table.SetColumnWidth(i, w)
	}
	s.table.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(s.visible) {
			p := s.all[s.visible[id.Row]].Product
			s.openForm(&p)
		}
		s.table.UnselectAll()
	}
	add := widget.NewButtonWithIcon(lang.L("New product"), theme.ContentAddIcon(), s.newProduct)
	add.Importance = widget.HighImportance
	s.empty = emptyState(iconProduct, lang.L("No products yet"),
		lang.L("Add the products you sell with their SKU and price; deals then take them as line items."),
		widget.NewButtonWithIcon(lang.L("New product"), theme.ContentAddIcon(), s.newProduct))
	s.none = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{})
	s.none.Wrapping = fyne.TextWrapWord
	s.none.Importance = widget.LowImportance
	s.body = container.NewStack(container.NewCenter(widget.NewProgressBarInfinite()))
	header := container.NewBorder(nil, nil, heading(lang.L("Products")), add)
	filterRow := container.NewBorder(nil, nil, container.New(&fixedWidth{w: 420}, s.filter), s.count)
	s.root = container.NewBorder(container.NewVBox(header, filterRow), nil, nil, nil, s.body)
	return s
}

func (s *productsScreen) id() string              { return "products" }
func (s *productsScreen) label() string           { return lang.L("Products") }
func (s *productsScreen) icon() fyne.Resource     { return iconProduct }
func (s *productsScreen) view() fyne.CanvasObject { return s.root }
func (s *productsScreen) stop()                   { s.slot.stop() }

func (s *productsScreen) shown() {
	if !s.loaded || s.stale {
		s.reload()
	}
}

// changed reloads the catalog when products or what counts their won deals
// changed.
func (s *productsScreen) changed(entity string) {
	switch entity {
	case "", localdb.EntityProduct, localdb.EntityLineItem, localdb.EntityDeal:
		s.stale = true
		if s.a.current() == s {
			s.reload()
		}
	}
}

func (s *productsScreen) editing() editor {
	if s.form == nil {
		return nil
	}
	return s.form
}

func (s *productsScreen) reload() {
	s.stale = false
	type catalog struct {
		all    []sales.CatalogEntry
		folded []string
	}
	run(s.a, &s.slot, func(ctx context.Context) (catalog, error) {
		all, err := sales.Catalog(ctx, s.a.store)
		if err != nil {
			return catalog{}, err
		}
		// Folded once here, not per product on every keystroke.
		folded := make([]string, len(all))
		for i, p := range all {
			folded[i] = foldText(p.Name, p.SKU)
		}
		return catalog{all, folded}, nil
	}, func(c catalog, err error) {
		if err != nil {
			s.body.Objects = []fyne.CanvasObject{container.NewPadded(newErrorLabel(
				lang.L("Could not load the list: {{.Error}}", map[string]any{"Error": errorMessage(err)})))}
			s.body.Refresh()
			return
		}
		s.all, s.folded, s.loaded = c.all, c.folded, true
		s.refilter()
	})
}

// refilter shows the products whose name or SKU holds every typed word.
func (s *productsScreen) refilter() {
	if !s.loaded {
		return
	}
	words := strings.Fields(foldText(s.query))
	s.visible = make([]int, 0, len(s.all))
	for i, text := range s.folded {
		if containsAll(text, words) {
			s.visible = append(s.visible, i)
		}
	}
	n := lang.N("{{.N}} product", len(s.all), map[string]any{"N": s.a.loc.number(int64(len(s.all)))})
	switch {
	case len(s.all) == 0:
		s.count.SetText("")
		s.body.Objects = []fyne.CanvasObject{s.empty}
	case len(s.visible) == 0:
		s.count.SetText(n)
		s.none.SetText(lang.L("Nothing matches “{{.Query}}”.", map[string]any{"Query": s.query}))
		s.body.Objects = []fyne.CanvasObject{container.NewPadded(s.none)}
	default:
		if len(s.visible) < len(s.all) {
			n = lang.L("{{.Shown}} of {{.All}}", map[string]any{"Shown": s.a.loc.number(int64(len(s.visible))), "All": n})
		}
		s.count.SetText(n)
		s.body.Objects = []fyne.CanvasObject{s.table}
	}
	s.body.Refresh()
	s.table.Refresh()
}

func (s *productsScreen) newProduct() {
	s.openForm(&localdb.Product{Currency: s.a.currency()})
}

// skuOwner is the name of another product with this SKU (trimmed; compared
// case-insensitively), or "".
func (s *productsScreen) skuOwner(sku, self string) string {
	for _, p := range s.all {
		if p.ID != self && strings.EqualFold(p.SKU, sku) {
			return p.Name
		}
	}
	return ""
}

// productForm adds or changes a product in a dialog.
type productForm struct {
	*recordForm[localdb.Product]
	s                       *productsScreen
	d                       *dialog.CustomDialog
	name, sku, price, notes *keyEntry
	currency                *widget.Select
	fields                  map[string]*field
}

func (s *productsScreen) openForm(p *localdb.Product) {
	a := s.a
	f := &productForm{s: s, fields: map[string]*field{}}
	f.name, f.sku, f.price, f.notes = newEntry(a), newEntry(a), newEntry(a), newMultiLineEntry(a)
	f.currency = widget.NewSelect(currencies, nil)
	add := func(key, label string, input fyne.CanvasObject) *field {
		fl := newField(label, input)
		f.fields[key] = fl
		return fl
	}
	grid := formGrid(
		add("name", lang.L("Name")+" *", f.name),
		add("sku", lang.L("SKU")+" *", f.sku),
		add("price", lang.L("Price"), container.NewBorder(nil, nil, nil, container.New(&fixedWidth{w: 100}, f.currency), f.price)),
		add("notes", lang.L("Notes"), f.notes),
	)
	body := container.NewVBox(grid)
	title := lang.L("New product")
	if p.ID != "" {
		title = lang.L("Product") + " · " + p.Name
		body.Add(container.NewHBox(f.deleteButton(p)))
	}
	f.recordForm = newRecordForm(a, p, "", body, formHooks[localdb.Product]{
		toValues: f.valuesOf,
		values:   f.values,
		fill:     f.fill,
		check:    f.check,
		build:    f.build,
		persist: func(ctx context.Context, p *localdb.Product) error {
			if p.ID == "" {
				return a.store.Create(ctx, p)
			}
			return a.store.Save(ctx, p)
		},
		reload: func(ctx context.Context, orig *localdb.Product) (*localdb.Product, error) {
			fresh := &localdb.Product{}
			return fresh, a.store.Read(ctx, fresh, orig.ID)
		},
		fieldError: f.fieldError,
		onSaved: func(*localdb.Product) {
			f.close()
			s.saved()
		},
		onClosed:    f.close,
		discardText: lang.L("Your changes to this product are not saved yet."),
	})
	// Checked as typed once the form holds the product.
	f.name.OnChanged = func(string) { f.checkName() }
	f.sku.OnChanged = func(string) { f.checkSKU() }
	f.price.OnChanged = func(string) { f.checkPrice() }
	f.d = dialog.NewCustomWithoutButtons(title, f.view(), a.win)
	s.form = f
	a.showFormDialog(f.d, f)
	size := a.win.Canvas().Size()
	f.d.Resize(fyne.NewSize(min(600, size.Width-40), min(520, size.Height-40)))
	a.focus(f.name)
}

func (f *productForm) close() {
	f.d.Hide()
	if f.s.form == f {
		f.s.form = nil
	}
}

// saved shows the changed catalog here and tells the other screens.
func (s *productsScreen) saved() {
	s.reload()
	s.a.changed(s, localdb.EntityProduct)
}

func (f *productForm) deleteButton(p *localdb.Product) fyne.CanvasObject {
	a := f.s.a
	del := widget.NewButtonWithIcon(lang.L("Delete product"), theme.DeleteIcon(), func() {
		a.confirmDeleteRecord(lang.L("Delete product?"),
			lang.L("Delete {{.Name}}? Deals that sold it keep their line items and amounts.", map[string]any{"Name": p.Name}),
			localdb.EntityProduct, p.ID, func() {
				f.close()
				f.s.saved()
			})
	})
	del.Importance = widget.DangerImportance
	return del
}

func (f *productForm) valuesOf(p *localdb.Product) formValues {
	price := ""
	if p.ID != "" {
		price = f.s.a.loc.amountInput(p.Price)
	}
	cur := p.Currency
	if cur == "" {
		cur = f.s.a.currency()
	}
	return formValues{"name": p.Name, "sku": p.SKU, "price": price, "currency": cur, "notes": p.Notes}
}

func (f *productForm) fill(v formValues) {
	f.name.SetText(v["name"])
	f.sku.SetText(v["sku"])
	f.price.SetText(v["price"])
	f.currency.SetSelected(v["currency"])
	f.notes.SetText(v["notes"])
}

func (f *productForm) values() formValues {
	return formValues{"name": f.name.Text, "sku": f.sku.Text, "price": f.price.Text, "currency": f.currency.Selected,
		"notes": f.notes.Text}
}

func (f *productForm) checkName() bool {
	if strings.TrimSpace(f.name.Text) == "" {
		f.fields["name"].setError(lang.L("Required: give the product a name."))
		return false
	}
	f.fields["name"].setError("")
	return true
}

func (f *productForm) checkSKU() bool {
	sku := strings.TrimSpace(f.sku.Text)
	if sku == "" {
		f.fields["sku"].setError(lang.L("Required: give the product a SKU (article number)."))
		return false
	}
	if owner := f.s.skuOwner(sku, f.orig.ID); owner != "" {
		f.fields["sku"].setError(lang.L("SKU already used by {{.Product}}.", map[string]any{"Product": owner}))
		return false
	}
	f.fields["sku"].setError("")
	return true
}

func (f *productForm) checkPrice() bool {
	text := strings.TrimSpace(f.price.Text)
	switch _, ok := f.s.a.loc.parseMoney(text); {
	case strings.HasPrefix(text, "-"):
		f.fields["price"].setError(lang.L("Price must not be negative."))
		return false
	case !ok:
		f.fields["price"].setError(lang.L("Not an amount; write it like {{.Example}}.", map[string]any{"Example": f.s.a.loc.amountInput(1250050)}))
		return false
	}
	f.fields["price"].setError("")
	return true
}

func (f *productForm) check() bool {
	for _, c := range []struct {
		ok    bool
		focus fyne.Focusable
	}{{f.checkName(), f.name}, {f.checkSKU(), f.sku}, {f.checkPrice(), f.price}} {
		if !c.ok {
			f.s.a.focus(c.focus)
			return false
		}
	}
	return true
}

func (f *productForm) build(orig *localdb.Product, v formValues) *localdb.Product {
	p := *orig
	p.Name, p.SKU = strings.TrimSpace(v["name"]), strings.TrimSpace(v["sku"])
	p.Price, _ = f.s.a.loc.parseMoney(v["price"])
	p.Currency, p.Notes = v["currency"], strings.TrimSpace(v["notes"])
	return &p
}

// fieldError shows the store's verdict at its field; a SKU another product
// took meanwhile (on this machine or from a sync) is said in the rep's
// language.
func (f *productForm) fieldError(ve *localdb.ValidationError) bool {
	key := map[string]string{"name": "name", "sku": "sku", "price": "price", "currency": "price", "notes": "notes"}[ve.Field]
	if key == "" {
		return false
	}
	msg := fieldProblem(ve)
	if ve.Field == "sku" && ve.TakenBy != "" {
		msg = lang.L("SKU already used by {{.Product}}.", map[string]any{"Product": ve.TakenBy})
	}
	f.fields[key].setError(msg)
	return true
}
