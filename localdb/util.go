package localdb

import (
	"errors"
	"sort"
)

func sortBy[T any](xs []T, key func(*T) int) {
	sort.SliceStable(xs, func(i, j int) bool { return key(&xs[i]) < key(&xs[j]) })
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
