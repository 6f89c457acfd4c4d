package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"repdesk/localdb"
)

// Icons Fyne's theme lacks, as SVG in the theme's foreground colour.
func svgIcon(name, path string) fyne.Resource {
	svg := `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path fill="#000000" fill-rule="evenodd" d="` + path + `"/></svg>`
	return theme.NewThemedResource(fyne.NewStaticResource(name+".svg", []byte(svg)))
}

var (
	iconPhone   = svgIcon("phone", "M6.62 10.79c1.44 2.83 3.76 5.14 6.59 6.59l2.2-2.2c.27-.27.67-.36 1.02-.24 1.12.37 2.33.57 3.57.57.55 0 1 .45 1 1V20c0 .55-.45 1-1 1-9.39 0-17-7.61-17-17 0-.55.45-1 1-1h3.5c.55 0 1 .45 1 1 0 1.25.2 2.45.57 3.57.11.35.03.74-.25 1.02l-2.2 2.2z")
	iconCompany = svgIcon("company", "M3 21V3h11v6h7v12H3zM6 6v2h2V6H6zm4 0v2h2V6h-2zm-4 4v2h2v-2H6zm4 0v2h2v-2h-2zm-4 4v2h2v-2H6zm4 0v2h2v-2h-2zm6-2v2h2v-2h-2zm0 4v2h2v-2h-2zm-6 2v3h2v-3h-2z")
	iconDeal    = svgIcon("deal", "M9 3h6a2 2 0 0 1 2 2v1h3a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2h3V5a2 2 0 0 1 2-2zm0 3h6V5H9v1zm-5 5v1h16v-1H4z")
	iconVisit   = svgIcon("visit", "M12 2C8.13 2 5 5.13 5 9c0 5.25 7 13 7 13s7-7.75 7-13c0-3.87-3.13-7-7-7zm0 9.5c-1.38 0-2.5-1.12-2.5-2.5s1.12-2.5 2.5-2.5 2.5 1.12 2.5 2.5-1.12 2.5-2.5 2.5z")
	iconToday   = svgIcon("today", "M7 2h2v2h6V2h2v2h2a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2h2V2zM5 9v11h14V9H5zm2 2h5v5H7v-5z")
)

// activityIcon is the timeline icon of an activity kind.
func activityIcon(kind string) fyne.Resource {
	switch kind {
	case localdb.KindCall:
		return iconPhone
	case localdb.KindEmail:
		return theme.MailComposeIcon()
	case localdb.KindMeeting:
		return theme.AccountIcon()
	case localdb.KindVisit:
		return iconVisit
	}
	return theme.DocumentCreateIcon()
}

// entityIcon is the icon of a kind of record.
func entityIcon(entity string) fyne.Resource {
	switch entity {
	case localdb.EntityContact:
		return theme.AccountIcon()
	case localdb.EntityCompany:
		return iconCompany
	case localdb.EntityDeal:
		return iconDeal
	case localdb.EntityVisit:
		return iconVisit
	case localdb.EntityTask:
		return theme.CheckButtonCheckedIcon()
	}
	return activityIcon(localdb.KindNote)
}
