package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"repdesk/localdb"
)

// picker is a text field that links a record: as the rep types it suggests
// matching records below itself (no pop-up, so typing is never
// interrupted), and a tap on a suggestion picks it.
type picker struct {
	a       *App
	entry   *keyEntry
	hint    *widget.Label
	list    *fyne.Container
	icon    fyne.Resource
	find    func(ctx context.Context, text string) ([]suggestion, error)
	noMatch func(text string) string // hint when nothing matches exactly; "" for none
	// id is the picked record, "" when the text names none.
	id   string
	slot slot
}

type suggestion struct{ id, name, detail string }

func newPicker(a *App, icon fyne.Resource, find func(context.Context, string) ([]suggestion, error), noMatch func(string) string) *picker {
	p := &picker{a: a, entry: newEntry(a), hint: secondary(""), list: container.NewVBox(), icon: icon, find: find, noMatch: noMatch}
	p.hint.Hide()
	p.entry.OnChanged = p.changed
	return p
}

func (p *picker) view() fyne.CanvasObject { return container.NewVBox(p.entry, p.hint, p.list) }

// set shows a linked record without suggesting anything.
func (p *picker) set(id, name string) {
	p.entry.OnChanged = nil
	p.entry.SetText(name)
	p.entry.OnChanged = p.changed
	p.id = id
	p.slot.stop()
	p.list.RemoveAll()
	p.hint.Hide()
}

func (p *picker) changed(text string) {
	p.id = ""
	text = strings.TrimSpace(text)
	p.hint.Hide()
	if text == "" {
		p.slot.stop()
		p.list.RemoveAll()
		return
	}
	run(p.a, &p.slot, func(ctx context.Context) ([]suggestion, error) {
		return p.find(ctx, text)
	}, func(found []suggestion, err error) {
		p.list.RemoveAll()
		if err != nil {
			return
		}
		for _, s := range found {
			if strings.EqualFold(s.name, text) {
				p.id = s.id // typed exactly: linked without a tap
				continue
			}
			s := s
			p.list.Add(linkButton(joinNonEmpty(" · ", s.name, s.detail), p.icon, func() { p.set(s.id, s.name) }))
		}
		if p.id == "" && p.noMatch != nil {
			if h := p.noMatch(text); h != "" {
				p.hint.SetText(h)
				p.hint.Show()
			}
		}
	})
}

func findCompanies(st *localdb.Store) func(context.Context, string) ([]suggestion, error) {
	return func(ctx context.Context, text string) ([]suggestion, error) {
		cs, err := st.ListCompanies(ctx, localdb.CompanyFilter{Query: text, Limit: 5})
		var out []suggestion
		for _, c := range cs {
			out = append(out, suggestion{c.ID, c.Name, c.City})
		}
		return out, err
	}
}

func findContacts(st *localdb.Store) func(context.Context, string) ([]suggestion, error) {
	return func(ctx context.Context, text string) ([]suggestion, error) {
		cs, err := st.ListContacts(ctx, localdb.ContactFilter{Query: text, Limit: 5})
		var out []suggestion
		for _, c := range cs {
			out = append(out, suggestion{c.ID, c.FullName, c.Company})
		}
		return out, err
	}
}
