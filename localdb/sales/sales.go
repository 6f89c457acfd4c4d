// Package sales is add-on selling: the product catalog, line items on deals
// (the deal amount follows them) and add-on suggestions for existing
// customers from what similar customers bought.
package sales

import (
	"context"
	"errors"
	"fmt"

	"repdesk/localdb"
)

// AddonTag marks deals created from a suggestion.
const AddonTag = "add-on"

// AddItem puts quantity of a product on a deal. unitPrice < 0 takes the
// product's catalog price, which must then be in the deal's currency. The
// deal's amount becomes the sum of its line items, in the same transaction.
func AddItem(t *localdb.Tx, dealID, productID string, quantity, unitPrice int64) (*localdb.LineItem, error) {
	deal := &localdb.Deal{}
	if err := t.Read(deal, dealID); err != nil {
		return nil, fmt.Errorf("add line item: %w", err)
	}
	p := &localdb.Product{}
	if err := t.Read(p, productID); err != nil {
		return nil, fmt.Errorf("add line item: %w", err)
	}
	if unitPrice < 0 {
		if p.Currency != deal.Currency {
			return nil, fmt.Errorf("add line item: %w", &localdb.ValidationError{Field: "unit_price", Value: p.SKU,
				Problem: fmt.Sprintf("the product is priced in %s, the deal is in %s: give the unit price in %s", p.Currency, deal.Currency, deal.Currency)})
		}
		unitPrice = p.Price
	}
	item := &localdb.LineItem{DealID: dealID, ProductID: productID, Quantity: quantity, UnitPrice: unitPrice}
	if err := t.Create(item); err != nil {
		return nil, err
	}
	if err := followItems(t, deal); err != nil {
		return nil, fmt.Errorf("add line item: %w", err)
	}
	return item, nil
}

// AddItems puts several line items on a deal and sets its amount once,
// for bulk work such as demo data; the items' DealID is set here and their
// prices are taken as given.
func AddItems(t *localdb.Tx, deal *localdb.Deal, items []localdb.LineItem) error {
	for i := range items {
		items[i].DealID = deal.ID
		if err := t.Create(&items[i]); err != nil {
			return err
		}
	}
	if err := followItems(t, deal); err != nil {
		return fmt.Errorf("add line items: %w", err)
	}
	return nil
}

// SetItem changes the quantity and unit price of a line item (unitPrice < 0
// keeps it) and the deal's amount with it.
func SetItem(t *localdb.Tx, itemID string, quantity, unitPrice int64) (*localdb.LineItem, error) {
	item := &localdb.LineItem{}
	if err := t.Read(item, itemID); err != nil {
		return nil, fmt.Errorf("change line item: %w", err)
	}
	item.Quantity = quantity
	if unitPrice >= 0 {
		item.UnitPrice = unitPrice
	}
	if err := t.Save(item); err != nil {
		return nil, err
	}
	return item, followDeal(t, item.DealID)
}

// RemoveItem deletes a line item; the deal's amount becomes the sum of the
// items left (a deal whose last item goes keeps the amount it had).
func RemoveItem(t *localdb.Tx, itemID string) error {
	item := &localdb.LineItem{}
	if err := t.Read(item, itemID); err != nil {
		return fmt.Errorf("remove line item: %w", err)
	}
	if err := t.Delete(localdb.EntityLineItem, itemID); err != nil {
		return err
	}
	return followDeal(t, item.DealID)
}

func followDeal(t *localdb.Tx, dealID string) error {
	deal := &localdb.Deal{}
	if err := t.Read(deal, dealID); err != nil {
		return fmt.Errorf("deal amount: %w", err)
	}
	return followItems(t, deal)
}

// followItems sets the deal's amount to the sum of its line items, when it
// has any, journaling the change like any other edit so that it syncs.
func followItems(t *localdb.Tx, deal *localdb.Deal) error {
	items, err := t.LineItems(deal.ID)
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return nil
	}
	total, err := Total(items)
	if err != nil {
		return fmt.Errorf("deal %s: %w", deal.ID, err)
	}
	if total == deal.Amount {
		return nil
	}
	deal.Amount = total
	return t.Save(deal)
}

// ErrOverflow is returned when line items add up to more than an int64 holds.
var ErrOverflow = errors.New("line items add up to more than can be stored")

// Total is the sum of quantity × unit price over items.
func Total(items []localdb.LineItem) (int64, error) {
	const limit = 1 << 62
	var sum int64
	for _, it := range items {
		if it.UnitPrice != 0 && it.Quantity > limit/it.UnitPrice {
			return 0, ErrOverflow
		}
		sum += it.Quantity * it.UnitPrice
		if sum > limit {
			return 0, ErrOverflow
		}
	}
	return sum, nil
}

// Item is a line item with its product, as lists show it.
type Item struct {
	localdb.LineItem
	Product string `json:"product"`
	SKU     string `json:"sku"`
	Total   int64  `json:"total"`
}

// Items returns a deal's line items with product names and totals.
func Items(ctx context.Context, s *localdb.Store, dealID string) ([]Item, error) {
	items, err := s.LineItems(ctx, dealID)
	if err != nil {
		return nil, fmt.Errorf("line items: %w", err)
	}
	out := make([]Item, 0, len(items))
	for _, it := range items {
		row := Item{LineItem: it, Total: it.Quantity * it.UnitPrice}
		p := &localdb.Product{}
		switch err := s.Read(ctx, p, it.ProductID); {
		case err == nil:
			row.Product, row.SKU = p.Name, p.SKU
		case !errors.Is(err, localdb.ErrNotFound):
			return nil, fmt.Errorf("line items: %w", err)
		}
		out = append(out, row)
	}
	return out, nil
}
