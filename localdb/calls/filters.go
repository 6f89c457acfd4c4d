package calls

import (
	"errors"
	"fmt"

	"repdesk/localdb"
)

// SaveFilter stores filter f under name, replacing the filter of that name
// if there is one. Saved filters sync like every other record.
func SaveFilter(t *localdb.Tx, name string, f localdb.QueueFilter) (*localdb.SavedFilter, error) {
	sf, err := t.SavedFilterNamed(name)
	switch {
	case errors.Is(err, localdb.ErrNotFound):
		sf = &localdb.SavedFilter{Name: name, Filter: f}
		err = t.Create(sf)
	case err == nil:
		sf.Filter = f
		err = t.Save(sf)
	}
	if err != nil {
		return nil, fmt.Errorf("save filter: %w", err)
	}
	return sf, nil
}

// DeleteFilter removes the saved filter name.
func DeleteFilter(t *localdb.Tx, name string) error {
	sf, err := t.SavedFilterNamed(name)
	if err != nil {
		return fmt.Errorf("delete filter: %w", err)
	}
	if err := t.Delete(localdb.EntitySavedFilter, sf.ID); err != nil {
		return fmt.Errorf("delete filter: %w", err)
	}
	return nil
}
