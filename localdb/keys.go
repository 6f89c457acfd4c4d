package localdb

// Helpers for sibling packages (the importer) that must derive the same keys
// and make the same checks as the store does when it writes a contact.

// CheckPhone reports whether number looks like a phone number at all (the
// store rejects a contact with a phone that does not).
func CheckPhone(number string) error { return checkPhone(number) }

// SplitName splits a full name into given and family name the way the store
// does for a contact that has neither: the last word is the family name.
func SplitName(full string) (given, family string) { return splitName(full) }
