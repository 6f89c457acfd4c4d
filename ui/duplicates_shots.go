package ui

import "repdesk/localdb"

// duplicatesShots are the screenshots of the duplicates screen: the pairs,
// one pair side by side, for contacts and for companies.
func duplicatesShots(a *App) []shot {
	selectFirst := func() {
		if len(a.duplicates.pairs) > 0 {
			a.duplicates.list.Select(0)
		}
	}
	return []shot{
		{name: "duplicates", prepare: func() { a.showDuplicates(localdb.EntityContact) }, undo: selectFirst},
		{name: "duplicates-pair", prepare: func() {}},
		{name: "duplicates-companies", prepare: func() { a.showDuplicates(localdb.EntityCompany) }, undo: selectFirst},
		{name: "duplicates-company-pair", prepare: func() {}},
	}
}
