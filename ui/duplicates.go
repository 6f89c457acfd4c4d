package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"repdesk/localdb"
	"repdesk/localdb/dedupe"
)

var iconDuplicates = svgIcon("duplicates", "M16 1H4a2 2 0 0 0-2 2v14h2V3h12V1zm3 4H8a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h11a2 2 0 0 0 2-2V7a2 2 0 0 0-2-2zm0 16H8V7h11v14z")

// duplicatesScreen lists likely duplicate contacts or companies and shows
// the selected pair side by side: a choice per differing field, Merge, and
// "Not a duplicate".
type duplicatesScreen struct {
	a      *App
	root   fyne.CanvasObject
	entity string
	kind   *widget.RadioGroup
	count  *widget.Label
	list   *widget.List
	left   *fyne.Container // the list, its empty state or a progress bar
	detail *fyne.Container

	pairs    []dedupe.Pair
	selected int // index in pairs; -1: none
	cmp      *dedupe.Comparison
	// take holds the fields whose value comes from the other record;
	// choices the two sides of each differing field.
	take    map[string]bool
	choices map[string][2]*widget.RadioGroup

	loadSlot, cmpSlot slot
	loaded, stale     bool
}

func newDuplicatesScreen(a *App) *duplicatesScreen {
	s := &duplicatesScreen{a: a, entity: localdb.EntityContact, selected: -1}
	contacts, companies := lang.L("Contacts"), lang.L("Companies")
	s.kind = widget.NewRadioGroup([]string{contacts, companies}, nil)
	s.kind.Horizontal = true
	s.kind.Required = true
	s.kind.SetSelected(contacts)
	s.kind.OnChanged = func(v string) {
		entity := localdb.EntityContact
		if v == companies {
			entity = localdb.EntityCompany
		}
		if entity != s.entity {
			s.entity = entity
			s.reload()
		}
	}
	s.count = secondary("")
	s.list = widget.NewList(func() int { return len(s.pairs) },
		func() fyne.CanvasObject {
			return container.NewVBox(truncLabel(""), secondaryLine(""))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(s.pairs) {
				return
			}
			p := s.pairs[id]
			rows := o.(*fyne.Container).Objects
			rows[0].(*widget.Label).SetText(p.Keep.Name + "  ⇄  " + p.Other.Name)
			line := fmt.Sprintf("%d %% · %s", int(p.Score*100+0.5), reasonsText(p.Reasons))
			if p.Keep.Detail != p.Other.Detail {
				line += " · " + joinNonEmpty(" / ", p.Keep.Detail, p.Other.Detail)
			}
			rows[1].(*widget.Label).SetText(line)
		})
	s.list.OnSelected = func(id widget.ListItemID) { s.open(id) }
	s.left = container.NewStack()
	s.detail = container.NewStack(s.placeholder())
	header := container.NewBorder(nil, nil, heading(lang.L("Duplicates")), s.kind)
	leftPane := container.NewBorder(s.count, nil, nil, nil, s.left)
	s.root = container.NewBorder(container.NewVBox(header, widget.NewSeparator()), nil, nil, nil,
		container.New(&split{ratio: 0.36}, panel("", leftPane), panel("", s.detail)))
	return s
}

func (s *duplicatesScreen) id() string              { return "duplicates" }
func (s *duplicatesScreen) label() string           { return lang.L("Duplicates") }
func (s *duplicatesScreen) icon() fyne.Resource     { return iconDuplicates }
func (s *duplicatesScreen) view() fyne.CanvasObject { return s.root }

func (s *duplicatesScreen) stop() {
	s.loadSlot.stop()
	s.cmpSlot.stop()
}

func (s *duplicatesScreen) shown() {
	if !s.loaded || s.stale {
		s.reload()
	}
}

func (s *duplicatesScreen) changed(entity string) {
	if entity == "" || entity == localdb.EntityContact || entity == localdb.EntityCompany {
		s.stale = true
	}
}

// showEntity shows the duplicates of contacts or companies.
func (s *duplicatesScreen) showEntity(entity string) {
	if entity == localdb.EntityCompany {
		s.kind.SetSelected(s.kind.Options[1])
	} else {
		s.kind.SetSelected(s.kind.Options[0])
	}
}

func (s *duplicatesScreen) placeholder() fyne.CanvasObject {
	return emptyState(iconDuplicates, lang.L("No pair selected"),
		lang.L("Pick a pair on the left to compare the two records side by side."))
}

// reload finds the pairs again, in the background.
func (s *duplicatesScreen) reload() {
	s.stale = false
	s.cmpSlot.stop()
	bar := widget.NewProgressBarInfinite()
	s.left.Objects = []fyne.CanvasObject{container.NewVBox(secondary(lang.L("Looking for duplicates…")), bar)}
	s.left.Refresh()
	s.count.SetText("")
	entity := s.entity
	run(s.a, &s.loadSlot, func(ctx context.Context) ([]dedupe.Pair, error) {
		if entity == localdb.EntityCompany {
			return dedupe.FindCompanies(ctx, s.a.store)
		}
		return dedupe.FindContacts(ctx, s.a.store)
	}, func(pairs []dedupe.Pair, err error) {
		bar.Stop()
		s.loaded = true
		if err != nil {
			s.left.Objects = []fyne.CanvasObject{newErrorLabel(errorMessage(err))}
			s.left.Refresh()
			return
		}
		s.pairs = pairs
		s.showPairs()
	})
}

// showPairs shows the list (or its empty state) and clears the detail.
func (s *duplicatesScreen) showPairs() {
	s.selected = -1
	s.cmp = nil
	s.list.UnselectAll()
	s.count.SetText(lang.N("{{.N}} likely pair", len(s.pairs), map[string]any{"N": s.a.loc.number(int64(len(s.pairs)))}))
	if len(s.pairs) == 0 {
		s.left.Objects = []fyne.CanvasObject{emptyState(theme.ConfirmIcon(), lang.L("No likely duplicates"),
			lang.L("RepDesk compares e-mail addresses, phone numbers, and names within each company."))}
	} else {
		s.left.Objects = []fyne.CanvasObject{s.list}
	}
	s.left.Refresh()
	s.list.Refresh()
	s.setDetail(s.placeholder())
}

func (s *duplicatesScreen) setDetail(o fyne.CanvasObject) {
	s.detail.Objects = []fyne.CanvasObject{o}
	s.detail.Refresh()
}

// open compares the pair at index i.
func (s *duplicatesScreen) open(i int) {
	if i < 0 || i >= len(s.pairs) {
		return
	}
	s.selected = i
	p := s.pairs[i]
	s.compare(p.Keep.ID, p.Other.ID)
}

// compare loads keepID and otherID side by side; keepID survives a merge.
func (s *duplicatesScreen) compare(keepID, otherID string) {
	entity := s.entity
	run(s.a, &s.cmpSlot, func(ctx context.Context) (*dedupe.Comparison, error) {
		cmp, err := dedupe.Compare(ctx, s.a.store, entity, keepID, otherID)
		if err != nil {
			return nil, err
		}
		return cmp, nameCompanies(ctx, s.a.store, cmp)
	}, func(cmp *dedupe.Comparison, err error) {
		if err != nil {
			s.setDetail(container.NewPadded(newErrorLabel(errorMessage(err))))
			return
		}
		s.cmp = cmp
		s.take = map[string]bool{}
		s.setDetail(s.render(cmp))
	})
}

// nameCompanies shows a contact's company by its name instead of its id.
func nameCompanies(ctx context.Context, st *localdb.Store, cmp *dedupe.Comparison) error {
	for i, d := range cmp.Diffs {
		if d.Field != "company_id" {
			continue
		}
		for _, v := range []*string{&cmp.Diffs[i].Keep, &cmp.Diffs[i].Other} {
			if *v == "" {
				continue
			}
			co, err := st.GetCompany(ctx, *v)
			if err != nil {
				return err
			}
			*v = co.Name
		}
	}
	return nil
}

// recordName is the name of a compared record.
func recordName(rec localdb.Record) string {
	switch r := rec.(type) {
	case *localdb.Contact:
		return r.FullName
	case *localdb.Company:
		return r.Name
	}
	return ""
}

func recordID(rec localdb.Record) string {
	switch r := rec.(type) {
	case *localdb.Contact:
		return r.ID
	case *localdb.Company:
		return r.ID
	}
	return ""
}

func (s *duplicatesScreen) render(cmp *dedupe.Comparison) fyne.CanvasObject {
	keepName, otherName := recordName(cmp.Keep), recordName(cmp.Other)
	keepHead := widget.NewLabelWithStyle(lang.L("Keep: {{.Name}}", map[string]any{"Name": keepName}), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	keepHead.Truncation = fyne.TextTruncateEllipsis
	otherHead := widget.NewLabelWithStyle(lang.L("Merge in: {{.Name}}", map[string]any{"Name": otherName}), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	otherHead.Truncation = fyne.TextTruncateEllipsis
	rows := container.NewVBox(fieldRow(widget.NewLabel(""), keepHead, otherHead), widget.NewSeparator())
	s.choices = map[string][2]*widget.RadioGroup{}
	for _, d := range cmp.Diffs {
		keepText, otherText := choiceText(d.Field, d.Keep), choiceText(d.Field, d.Other)
		if d.Default == dedupe.FromBoth {
			keepText = lang.L("Both: {{.Values}}", map[string]any{"Values": d.Keep + "; " + d.Other})
		}
		// Each side is a one-option group beside its value, which truncates
		// where a radio's own label cannot: choosing one side clears the
		// other, and clearing one side chooses the other.
		keep, other := widget.NewRadioGroup([]string{" "}, nil), widget.NewRadioGroup([]string{" "}, nil)
		field := d.Field
		s.choices[field] = [2]*widget.RadioGroup{keep, other}
		pick := func(fromOther bool) {
			for _, f := range dedupe.Group(cmp.Entity, field) {
				if r, ok := s.choices[f]; ok {
					s.take[f] = fromOther
					r[0].Selected, r[1].Selected = "", ""
					r[btoi(fromOther)].Selected = " "
					r[0].Refresh()
					r[1].Refresh()
				}
			}
		}
		keep.OnChanged = func(v string) { pick(v == "") }
		other.OnChanged = func(v string) { pick(v != "") }
		if d.Default == dedupe.FromOther {
			other.Selected = " "
		} else {
			keep.Selected = " "
		}
		rows.Add(fieldRow(secondary(mergeFieldName(d.Field)),
			container.NewBorder(nil, nil, keep, nil, truncLabel(keepText)),
			container.NewBorder(nil, nil, other, nil, truncLabel(otherText))))
	}
	if len(cmp.Diffs) == 0 {
		rows.Add(secondary(lang.L("Both records have the same values.")))
	}
	note := secondary(lang.L("Deals, activities, tasks and visits of {{.Other}} move to {{.Keep}}; {{.Other}} is deleted.",
		map[string]any{"Other": otherName, "Keep": keepName}))
	note.Wrapping = fyne.TextWrapWord
	merge := widget.NewButtonWithIcon(lang.L("Merge"), theme.ConfirmIcon(), s.confirmMerge)
	merge.Importance = widget.HighImportance
	distinct := widget.NewButtonWithIcon(lang.L("Not a duplicate"), theme.CancelIcon(), s.markDistinct)
	swap := widget.NewButtonWithIcon(lang.L("Keep the other one"), theme.ViewRefreshIcon(), func() {
		s.compare(recordID(cmp.Other), recordID(cmp.Keep))
	})
	actions := container.NewBorder(nil, nil, container.NewHBox(merge, distinct), swap)
	return container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), note, actions), nil, nil,
		container.NewVScroll(rows))
}

// fieldRow lays out a field's caption and its two values in columns.
func fieldRow(caption, keep, other fyne.CanvasObject) fyne.CanvasObject {
	return container.NewBorder(nil, nil, container.New(&fixedWidth{w: 130}, caption), nil,
		container.NewGridWithColumns(2, keep, other))
}

// choiceText is a value of field as a choice shows it.
func choiceText(field, v string) string {
	switch {
	case v == "":
		return lang.L("(empty)")
	case field == "lead_status":
		return leadStatusName(v)
	}
	return strings.ReplaceAll(v, "\n", " ")
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// mergeFieldName is a field's name in the rep's language.
func mergeFieldName(f string) string {
	names := map[string]string{
		"given_name": lang.L("Given name"), "family_name": lang.L("Family name"), "prefix": lang.L("Prefix"),
		"suffix": lang.L("Suffix"), "emails": lang.L("E-mails"), "phones": lang.L("Phones"),
		"addresses": lang.L("Addresses"), "source": lang.L("Source"), "do_not_call": lang.L("Do not call"),
		"department": lang.L("Department"), "role": lang.L("Role"), "photo": lang.L("Photo"),
		"region": lang.L("Region"), "territory": lang.L("Territory"), "uid": lang.L("vCard UID"),
	}
	if n, ok := names[f]; ok {
		return n
	}
	return fieldName(f)
}

// reasonsText says why a pair looks like one record.
func reasonsText(rs []dedupe.Reason) string {
	parts := make([]string, 0, len(rs))
	for _, r := range rs {
		switch r.Kind {
		case dedupe.ReasonEmail:
			parts = append(parts, lang.L("same e-mail"))
		case dedupe.ReasonPhone:
			parts = append(parts, lang.L("same phone"))
		case dedupe.ReasonName:
			parts = append(parts, lang.L("similar name"))
		case dedupe.ReasonNameCity:
			parts = append(parts, lang.L("same name and city"))
		case dedupe.ReasonNameWebsite:
			parts = append(parts, lang.L("same name and website"))
		case dedupe.ReasonWebsite:
			parts = append(parts, lang.L("same website"))
		}
	}
	return strings.Join(parts, ", ")
}

// takeList is the fields the rep chose from the other record.
func (s *duplicatesScreen) takeList() []string {
	var out []string
	for _, d := range s.cmp.Diffs {
		if s.take[d.Field] {
			out = append(out, d.Field)
		}
	}
	return out
}

func (s *duplicatesScreen) confirmMerge() {
	cmp := s.cmp
	if cmp == nil {
		return
	}
	keepName, otherName := recordName(cmp.Keep), recordName(cmp.Other)
	d := dialog.NewConfirm(lang.L("Merge records?"),
		lang.L("Merge {{.Other}} into {{.Keep}}? This cannot be undone here.", map[string]any{"Other": otherName, "Keep": keepName}),
		func(ok bool) {
			if ok {
				s.merge()
			}
		}, s.a.win)
	d.SetConfirmText(lang.L("Merge"))
	d.SetDismissText(lang.L("Cancel"))
	s.a.showDialog(d)
}

func (s *duplicatesScreen) merge() {
	cmp, take := s.cmp, s.takeList()
	keepID, otherID := recordID(cmp.Keep), recordID(cmp.Other)
	background(s.a, func(ctx context.Context) (dedupe.Result, error) {
		return dedupe.Merge(ctx, s.a.store, cmp.Entity, keepID, otherID, take)
	}, func(_ dedupe.Result, err error) {
		if err != nil {
			s.a.showError(lang.L("Could not merge"), err)
			return
		}
		s.drop(otherID, keepID, true)
		s.a.changed(s, cmp.Entity)
	})
}

func (s *duplicatesScreen) markDistinct() {
	cmp := s.cmp
	if cmp == nil {
		return
	}
	a, b := recordID(cmp.Keep), recordID(cmp.Other)
	background(s.a, func(ctx context.Context) (none, error) {
		return none{}, dedupe.MarkDistinct(ctx, s.a.store, cmp.Entity, a, b)
	}, func(_ none, err error) {
		if err != nil {
			s.a.showError(lang.L("Could not save"), err)
			return
		}
		s.drop(a, b, false)
	})
}

// drop removes the decided pair from the list; after a merge also every
// other pair of the removed record, which no longer exists. The next pair
// opens.
func (s *duplicatesScreen) drop(removed, other string, merged bool) {
	kept := s.pairs[:0]
	for _, p := range s.pairs {
		decided := (p.Keep.ID == removed && p.Other.ID == other) || (p.Keep.ID == other && p.Other.ID == removed)
		gone := merged && (p.Keep.ID == removed || p.Other.ID == removed)
		if !decided && !gone {
			kept = append(kept, p)
		}
	}
	s.pairs = kept
	next := s.selected
	s.showPairs()
	if next >= 0 && next < len(s.pairs) {
		s.list.Select(next)
	}
}

// showDuplicates opens the duplicates screen for contacts or companies.
func (a *App) showDuplicates(entity string) {
	a.duplicates.showEntity(entity)
	a.showID("duplicates")
}
