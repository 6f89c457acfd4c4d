package ui

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"repdesk/localdb"
	"repdesk/localdb/sales"
)

// addons are a company's add-on suggestions; customer is false for a
// company without won deals, which gets none.
type addons struct {
	customer bool
	list     []sales.Suggestion
}

func loadAddons(ctx context.Context, st *localdb.Store, companyID string) (addons, error) {
	list, err := sales.Suggest(ctx, st, companyID, sales.SuggestOptions{})
	if errors.Is(err, sales.ErrNotCustomer) {
		return addons{}, nil
	}
	return addons{customer: true, list: list}, err
}

// addonReason words a suggestion's reason in the rep's language.
func addonReason(s sales.Suggestion) string {
	return lang.L("Bought by {{.Support}} of {{.Base}} customers who also bought {{.Anchor}}",
		map[string]any{"Support": s.Support, "Base": s.Base, "Anchor": s.Anchor})
}

// addonsView lists the suggestions, each with the button that creates the
// add-on deal and opens it.
func (a *App) addonsView(companyID string, ad addons) fyne.CanvasObject {
	if !ad.customer {
		return secondary(lang.L("Suggestions appear once the company has won deals."))
	}
	if len(ad.list) == 0 {
		return secondary(lang.L("Nothing to suggest: this customer has what similar customers buy."))
	}
	box := container.NewVBox()
	for _, s := range ad.list {
		productID := s.ProductID
		var btn *widget.Button
		btn = widget.NewButtonWithIcon(lang.L("Create add-on deal"), theme.ContentAddIcon(), func() {
			btn.Disable()
			background(a, func(ctx context.Context) (string, error) {
				var d *localdb.Deal
				err := a.store.Update(ctx, func(t *localdb.Tx) error {
					var err error
					d, err = sales.CreateAddon(t, companyID, productID, 1)
					return err
				})
				if err != nil {
					return "", err
				}
				return d.ID, nil
			}, func(id string, err error) {
				btn.Enable()
				if err != nil {
					a.showError(lang.L("Could not create the deal"), err)
					return
				}
				a.changed(nil, localdb.EntityDeal)
				a.openDeal(id)
			})
		})
		name := widget.NewLabelWithStyle(s.Product, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		name.Truncation = fyne.TextTruncateEllipsis
		reason := secondary(addonReason(s))
		reason.Wrapping = fyne.TextWrapWord
		price := widget.NewLabel(a.loc.money(s.Price, s.Currency))
		box.Add(container.NewBorder(nil, nil, nil, container.NewCenter(container.NewHBox(price, btn)), container.New(&tightLines{}, name, reason)))
	}
	return box
}
