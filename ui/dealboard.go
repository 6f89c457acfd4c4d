package ui

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"repdesk/localdb"
)

// dealBoard is the pipeline: a column per stage with the stage's deals as
// cards (each column a virtualized list), the column's total and weighted
// total on top. A card is moved by dragging it onto another column or from
// its right-click menu; a tap opens it.
type dealBoard struct {
	s      *dealsScreen
	cols   []*dealColumn
	grid   *fyne.Container
	layer  *fyne.Container // holds the card being dragged
	ghost  *surface
	ghostL *widget.Label
	root   *fyne.Container

	dragging string // id of the deal being dragged
	dragAt   fyne.Position
}

type dealColumn struct {
	b      *dealBoard
	stage  localdb.Stage
	deals  []dealRow
	title  *widget.Label
	totals *widget.Label
	list   *widget.List
	body   *fyne.Container
	empty  *widget.Label
	bg     *surface
}

// boardColumnMin is the narrowest a column gets; six fit at 1366×768.
const boardColumnMin = 176

func newDealBoard(s *dealsScreen) *dealBoard {
	b := &dealBoard{s: s}
	b.grid = container.NewGridWithColumns(1)
	b.ghostL = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	b.ghost = newSurface(b.ghostL, theme.ColorNameBackground)
	b.ghost.Hide()
	b.layer = container.NewWithoutLayout(b.ghost)
	b.root = container.NewStack(container.NewHScroll(b.grid), b.layer)
	return b
}

func (b *dealBoard) view() fyne.CanvasObject { return b.root }

// set shows data, building the columns again when the stages changed.
func (b *dealBoard) set(d dealsData) {
	same := len(d.stages) == len(b.cols)
	for i := 0; same && i < len(d.stages); i++ {
		same = b.cols[i].stage == d.stages[i]
	}
	if !same {
		b.cols = nil
		var objs []fyne.CanvasObject
		for _, st := range d.stages {
			c := newDealColumn(b, st)
			b.cols = append(b.cols, c)
			objs = append(objs, container.New(&minWidth{w: boardColumnMin}, c.bg))
		}
		b.grid.Objects = objs
		b.grid.Layout = layout.NewGridLayoutWithColumns(max(1, len(objs)))
		b.grid.Refresh()
	}
	for _, c := range b.cols {
		c.deals = c.deals[:0]
		for _, dl := range d.deals {
			if dl.stage == c.stage.Name {
				c.deals = append(c.deals, dl)
			}
		}
		c.update()
	}
}

func newDealColumn(b *dealBoard, st localdb.Stage) *dealColumn {
	c := &dealColumn{b: b, stage: st}
	c.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	c.title.Truncation = fyne.TextTruncateEllipsis
	c.totals = secondary("")
	c.totals.Wrapping = fyne.TextWrapWord
	c.list = widget.NewList(func() int { return len(c.deals) },
		func() fyne.CanvasObject { return newDealCard(b) },
		func(id widget.ListItemID, o fyne.CanvasObject) { o.(*dealCard).set(c.deals[id]) })
	c.list.HideSeparators = true
	c.empty = secondary(lang.L("No deals"))
	c.empty.Alignment = fyne.TextAlignCenter
	c.body = container.NewStack(c.list)
	c.bg = newSurface(container.NewBorder(container.NewVBox(c.title, c.totals, widget.NewSeparator()), nil, nil, nil, c.body), colorChrome)
	return c
}

func (c *dealColumn) update() {
	loc := c.b.s.a.loc
	c.title.SetText(stageName(c.stage.Name) + " · " + loc.number(int64(len(c.deals))))
	total, weighted := stageTotals(c.deals)
	text := loc.moneyParts(total, c.b.s.currencyOrder(total)) + "\n"
	if c.stage.Closed != "" {
		text += lang.L("closed") // a second line like the open stages', so the cards line up
	} else {
		text += lang.L("weighted {{.Amount}}", map[string]any{"Amount": loc.moneyParts(weighted, c.b.s.currencyOrder(weighted))})
	}
	c.totals.SetText(text)
	if len(c.deals) == 0 {
		c.body.Objects = []fyne.CanvasObject{container.NewVBox(c.empty)}
	} else {
		c.body.Objects = []fyne.CanvasObject{c.list}
	}
	c.body.Refresh()
	c.list.Refresh()
}

// minWidth keeps its content at least w wide.
type minWidth struct{ w float32 }

func (m *minWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (m *minWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := fyne.NewSize(m.w, 0)
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}

// columnAt is the column under an absolute position, or nil.
func (b *dealBoard) columnAt(abs fyne.Position) *dealColumn {
	d := fyne.CurrentApp().Driver()
	for _, c := range b.cols {
		p := d.AbsolutePositionForObject(c.bg)
		sz := c.bg.Size()
		if abs.X >= p.X && abs.X < p.X+sz.Width && abs.Y >= p.Y && abs.Y < p.Y+sz.Height {
			return c
		}
	}
	return nil
}

func (b *dealBoard) drag(d dealRow, ev *fyne.DragEvent) {
	if b.dragging != d.id {
		b.dragging = d.id
		b.ghostL.SetText(d.title)
		b.ghost.Resize(fyne.NewSize(boardColumnMin, b.ghost.MinSize().Height))
		b.ghost.Show()
	}
	b.dragAt = ev.AbsolutePosition
	origin := fyne.CurrentApp().Driver().AbsolutePositionForObject(b.layer)
	b.ghost.Move(b.dragAt.Subtract(origin).SubtractXY(boardColumnMin/2, b.ghost.Size().Height/2))
	target := b.columnAt(b.dragAt)
	for _, c := range b.cols {
		name := colorChrome
		if c == target && c.stage.Name != d.stage {
			name = theme.ColorNameSelection
		}
		if c.bg.colorName != name {
			c.bg.colorName = name
			c.bg.Refresh()
		}
	}
}

func (b *dealBoard) dragEnd(d dealRow) {
	target := b.columnAt(b.dragAt)
	b.dragging = ""
	b.ghost.Hide()
	for _, c := range b.cols {
		if c.bg.colorName != colorChrome {
			c.bg.colorName = colorChrome
			c.bg.Refresh()
		}
	}
	if target != nil && target.stage.Name != d.stage {
		b.s.move(d.id, target.stage.Name)
	}
}

// menu offers the other stages to move a card to.
func (b *dealBoard) menu(d dealRow, at fyne.Position) {
	items := []*fyne.MenuItem{fyne.NewMenuItem(lang.L("Open"), func() { b.s.open(d.id) }), fyne.NewMenuItemSeparator()}
	for _, c := range b.cols {
		if c.stage.Name == d.stage {
			continue
		}
		stage := c.stage.Name
		items = append(items, fyne.NewMenuItem(lang.L("Move to {{.Stage}}", map[string]any{"Stage": stageName(stage)}),
			func() { b.s.move(d.id, stage) }))
	}
	widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", items...), b.s.a.win.Canvas(), at)
}

// dealCard is one deal on the board.
type dealCard struct {
	widget.BaseWidget
	b       *dealBoard
	d       dealRow
	title   *widget.Label
	company *widget.Label
	amount  *widget.Label
	close   *widget.Label
}

var (
	_ fyne.Tappable          = (*dealCard)(nil)
	_ fyne.SecondaryTappable = (*dealCard)(nil)
	_ fyne.Draggable         = (*dealCard)(nil)
)

func newDealCard(b *dealBoard) *dealCard {
	c := &dealCard{b: b}
	c.title = truncLabel("")
	c.title.TextStyle.Bold = true
	c.company = secondaryLine("")
	c.amount = widget.NewLabel("")
	c.close = secondary("")
	c.close.Alignment = fyne.TextAlignTrailing
	c.ExtendBaseWidget(c)
	return c
}

func (c *dealCard) CreateRenderer() fyne.WidgetRenderer {
	lines := container.New(&tightLines{}, c.title, c.company, container.NewBorder(nil, nil, c.amount, nil, c.close))
	s := newSurface(lines, theme.ColorNameBackground)
	s.padded = false
	return widget.NewSimpleRenderer(container.NewPadded(s))
}

func (c *dealCard) set(d dealRow) {
	c.d = d
	c.title.SetText(d.title)
	c.company.SetText(joinNonEmpty(" · ", d.company, d.contact))
	c.amount.SetText(c.b.s.a.loc.money(d.amount, d.currency))
	c.close.SetText(c.b.s.a.loc.isoDate(d.expected))
}

func (c *dealCard) Tapped(*fyne.PointEvent) { c.b.s.open(c.d.id) }

func (c *dealCard) TappedSecondary(ev *fyne.PointEvent) { c.b.menu(c.d, ev.AbsolutePosition) }

func (c *dealCard) Dragged(ev *fyne.DragEvent) { c.b.drag(c.d, ev) }

func (c *dealCard) DragEnd() { c.b.dragEnd(c.d) }

// stageIndex is the position of stage name in stages, or -1.
func stageIndex(stages []localdb.Stage, name string) int {
	return slices.IndexFunc(stages, func(s localdb.Stage) bool { return s.Name == name })
}
