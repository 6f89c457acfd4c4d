package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// salesShots are the screenshots of the dashboard's target dialog, a
// customer's add-on suggestions, a deal's line items (and a refused
// quantity), the product catalog (and a refused product) and the reps'
// targets. Each undo opens what the next shot shows, so that it has loaded
// when the next one is taken.
func salesShots(a *App) []shot {
	return []shot{
		{name: "dashboard-target", prepare: func() {
			a.showID("dashboard")
			a.dashboard.setTarget()
		}, undo: func() {
			a.closeDialogs()
			if id := a.shotRecord(`SELECT d.company_id FROM deals d JOIN line_items li ON li.deal_id = d.id
				WHERE d.stage = 'Won' AND d.deleted = 0 GROUP BY d.company_id HAVING COUNT(DISTINCT li.product_id) BETWEEN 1 AND 3
				ORDER BY COUNT(*) DESC, d.company_id LIMIT 1`); id != "" {
				a.openCompany(id)
			}
		}},
		{name: "company-addons", prepare: func() {
			scrollToTitle(a.companies.view(), lang.L("Add-on suggestions"))
		}, undo: func() {
			if id := a.shotRecord(`SELECT deal_id FROM line_items WHERE deleted = 0 GROUP BY deal_id
				ORDER BY COUNT(*) DESC, deal_id LIMIT 1`); id != "" {
				a.openDeal(id)
			}
		}},
		{name: "deal-items", prepare: func() {
			if f, ok := a.editing().(*dealForm); ok {
				scrollToTitle(f.view(), lang.L("Line items"))
			}
		}},
		// The rep sets the last line's quantity to 0 and presses Enter: the
		// store refuses, the panel names the line and the field.
		{name: "deal-items-invalid", prepare: func() {
			if f, ok := a.editing().(*dealForm); ok && f.items != nil && len(f.items.rows) > 0 {
				q := f.items.rows[len(f.items.rows)-1].qty
				q.SetText("0")
				q.OnSubmitted(q.Text)
			}
		}, undo: a.closeDialogs},
		{name: "products", prepare: func() { a.showID("products") }},
		// A product given another's SKU and a negative price.
		{name: "product-invalid", prepare: func() {
			if p := a.products; len(p.all) > 1 {
				prod := p.all[1].Product
				p.openForm(&prod)
				p.form.sku.SetText(p.all[0].SKU)
				p.form.price.SetText("-5")
				p.form.save()
			}
		}, undo: func() {
			a.closeDialogs()
			a.showID("dashboard")
		}},
		{name: "dashboard-reps", prepare: func() {
			scrollToTitle(a.dashboard.view(), lang.L("Targets by rep"))
		}},
	}
}

// shotRecord is the id a screenshot shows, read at once: screenshots only.
func (a *App) shotRecord(query string) string {
	var id string
	if err := a.store.DB().QueryRowContext(context.Background(), query).Scan(&id); err != nil {
		return ""
	}
	return id
}

// scrollToTitle scrolls the scroll container holding the section with this
// title so that the section is at its top.
func scrollToTitle(root fyne.CanvasObject, title string) {
	var walk func(o fyne.CanvasObject, scroll *container.Scroll) bool
	walk = func(o fyne.CanvasObject, scroll *container.Scroll) bool {
		switch x := o.(type) {
		case *widget.Label:
			if x.Text == title && scroll != nil {
				d := fyne.CurrentApp().Driver()
				scroll.Offset.Y = d.AbsolutePositionForObject(x).Y - d.AbsolutePositionForObject(scroll.Content).Y
				scroll.Refresh()
				return true
			}
		case *container.Scroll:
			return walk(x.Content, x)
		case *container.Split:
			return walk(x.Leading, scroll) || walk(x.Trailing, scroll)
		case *surface:
			return walk(x.content, scroll)
		case *fyne.Container:
			for _, c := range x.Objects {
				if walk(c, scroll) {
					return true
				}
			}
		}
		return false
	}
	walk(root, nil)
}
