package localdb

// PinnedIndex reports whether snapshots never suspend the index name.
func PinnedIndex(name string) bool { return pinnedIndexes[name] }
