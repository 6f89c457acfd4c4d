package ui

import (
	"image/color"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// keyEntry is the app's text entry: it passes the app's shortcuts (which
// Fyne would otherwise give only to the focused entry), F5 and Escape on to
// the app, and lets its owner handle keys first (arrows in a search field).
type keyEntry struct {
	widget.Entry
	app   *App
	onKey func(*fyne.KeyEvent) bool // returns true when it handled the key
}

func newEntry(a *App) *keyEntry {
	e := &keyEntry{app: a}
	e.ExtendBaseWidget(e)
	return e
}

func newMultiLineEntry(a *App) *keyEntry {
	e := newEntry(a)
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.SetMinRowsVisible(3)
	return e
}

func newPasswordEntry(a *App) *keyEntry {
	e := newEntry(a)
	e.Password = true
	return e
}

func (e *keyEntry) TypedKey(ev *fyne.KeyEvent) {
	if e.onKey != nil && e.onKey(ev) {
		return
	}
	if e.app.globalKey(ev) {
		return
	}
	e.Entry.TypedKey(ev)
}

func (e *keyEntry) TypedShortcut(s fyne.Shortcut) {
	if cs, ok := s.(*desktop.CustomShortcut); ok && e.app.runShortcut(cs) {
		return
	}
	e.Entry.TypedShortcut(s)
}

// keyList is a widget.List whose selection follows the arrow keys, with
// Enter to open the selected row.
type keyList struct {
	widget.List
	app      *App
	selected widget.ListItemID
	onEnter  func(widget.ListItemID)
}

func newKeyList(a *App, length func() int, create func() fyne.CanvasObject,
	update func(widget.ListItemID, fyne.CanvasObject)) *keyList {
	l := &keyList{app: a, selected: -1}
	l.Length = length
	l.CreateItem = create
	l.UpdateItem = update
	l.ExtendBaseWidget(l)
	return l
}

// track keeps selected in step with the list; call it from OnSelected.
func (l *keyList) track(id widget.ListItemID) { l.selected = id }

func (l *keyList) clearSelection() {
	l.selected = -1
	l.UnselectAll()
}

func (l *keyList) TypedKey(ev *fyne.KeyEvent) {
	n := l.Length()
	move := func(to int) {
		if n == 0 {
			return
		}
		to = max(0, min(n-1, to))
		l.Select(to)
		l.ScrollTo(to)
	}
	switch ev.Name {
	case fyne.KeyDown:
		move(l.selected + 1)
	case fyne.KeyUp:
		move(l.selected - 1)
	case fyne.KeyPageDown:
		move(l.selected + 10)
	case fyne.KeyPageUp:
		move(l.selected - 10)
	case fyne.KeyHome:
		move(0)
	case fyne.KeyEnd:
		move(n - 1)
	case fyne.KeyReturn, fyne.KeyEnter, fyne.KeySpace:
		if l.selected >= 0 && l.onEnter != nil {
			l.onEnter(l.selected)
		}
	default:
		if !l.app.globalKey(ev) {
			l.List.TypedKey(ev)
		}
	}
}

// surface is a rounded panel in a theme colour; unlike a bare rectangle it
// follows theme changes.
type surface struct {
	widget.BaseWidget
	content   fyne.CanvasObject
	colorName fyne.ThemeColorName
	radius    float32
	padded    bool
}

func newSurface(content fyne.CanvasObject, colorName fyne.ThemeColorName) *surface {
	s := &surface{content: content, colorName: colorName, radius: theme.InputRadiusSize(), padded: true}
	s.ExtendBaseWidget(s)
	return s
}

func (s *surface) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(color.Transparent)
	bg.CornerRadius = s.radius
	var inner fyne.CanvasObject = s.content
	if s.padded {
		inner = container.NewPadded(s.content)
	}
	r := &surfaceRenderer{s: s, bg: bg, inner: inner}
	r.Refresh()
	return r
}

type surfaceRenderer struct {
	s     *surface
	bg    *canvas.Rectangle
	inner fyne.CanvasObject
}

func (r *surfaceRenderer) Layout(size fyne.Size) {
	r.bg.Resize(size)
	r.inner.Resize(size)
}

func (r *surfaceRenderer) MinSize() fyne.Size { return r.inner.MinSize() }

func (r *surfaceRenderer) Refresh() {
	r.bg.FillColor = theme.Color(r.s.colorName)
	r.bg.StrokeColor = theme.Color(theme.ColorNameSeparator)
	if r.s.colorName == theme.ColorNameBackground {
		r.bg.StrokeWidth = 1
	}
	r.bg.Refresh()
	r.inner.Refresh()
}

func (r *surfaceRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.bg, r.inner} }
func (r *surfaceRenderer) Destroy()                     {}

// panel is a titled section of a screen on a light card.
func panel(title string, content fyne.CanvasObject) fyne.CanvasObject {
	if title == "" {
		return newSurface(content, theme.ColorNameBackground)
	}
	return newSurface(container.NewBorder(sectionTitle(title), nil, nil, nil, content), theme.ColorNameBackground)
}

func heading(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}

func sectionTitle(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// secondary is a label for less important text (captions, sub-lines).
func secondary(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Importance = widget.LowImportance
	return l
}

// secondaryLine is a secondary label that cuts what does not fit with "…",
// for rows of lists.
func secondaryLine(text string) *widget.Label {
	l := secondary(text)
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

func truncLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

// errorText is a red message, hidden while empty.
type errorText struct{ *widget.Label }

func newErrorText() errorText {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return errorText{l}
}

func (e errorText) set(msg string) {
	e.SetText(msg)
	if msg == "" {
		e.Hide()
	} else {
		e.Show()
	}
}

// emptyState is the calm message a screen shows when it has nothing yet,
// with the actions that change that.
func emptyState(icon fyne.Resource, title, text string, actions ...fyne.CanvasObject) fyne.CanvasObject {
	img := widget.NewIcon(icon)
	iconBox := container.NewGridWrap(fyne.NewSquareSize(64), img)
	t := widget.NewLabelWithStyle(title, fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	t.SizeName = theme.SizeNameSubHeadingText
	d := widget.NewLabelWithStyle(text, fyne.TextAlignCenter, fyne.TextStyle{})
	d.Wrapping = fyne.TextWrapWord
	d.Importance = widget.LowImportance
	box := container.NewVBox(container.NewCenter(iconBox), t, d)
	if len(actions) > 0 {
		box.Add(container.NewCenter(container.NewHBox(actions...)))
	}
	return container.NewCenter(container.New(&column{w: 420}, box))
}

// maxWidth centres its children and makes them no wider than w, e.g. to
// keep a form readable on a 4K screen; it asks for no more room than they
// need.
type maxWidth struct{ w float32 }

func (m *maxWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	w := min(size.Width, m.w)
	for _, o := range objs {
		w := max(w, o.MinSize().Width)
		o.Move(fyne.NewPos((size.Width-w)/2, 0))
		o.Resize(fyne.NewSize(w, size.Height))
	}
}

func (m *maxWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}

// column is a text column of width w: wrapped text in dialogs and empty
// states gets a readable line length instead of the narrowest possible.
type column struct{ w float32 }

func (c *column) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (c *column) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := fyne.NewSize(c.w, 0)
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}

// avatar is a round badge with a person's or company's initials.
type avatar struct {
	widget.BaseWidget
	text string
	size float32
}

func newAvatar(name string, size float32) *avatar {
	a := &avatar{text: initials(name), size: size}
	a.ExtendBaseWidget(a)
	return a
}

func (a *avatar) setName(name string) {
	a.text = initials(name)
	a.Refresh()
}

func (a *avatar) CreateRenderer() fyne.WidgetRenderer {
	circle := canvas.NewCircle(color.Transparent)
	txt := canvas.NewText("", color.White)
	txt.TextStyle.Bold = true
	txt.Alignment = fyne.TextAlignCenter
	r := &avatarRenderer{a: a, circle: circle, text: txt}
	r.Refresh()
	return r
}

type avatarRenderer struct {
	a      *avatar
	circle *canvas.Circle
	text   *canvas.Text
}

func (r *avatarRenderer) Layout(size fyne.Size) {
	d := min(size.Width, size.Height)
	pos := fyne.NewPos((size.Width-d)/2, (size.Height-d)/2)
	r.circle.Move(pos)
	r.circle.Resize(fyne.NewSquareSize(d))
	ts := r.text.MinSize()
	r.text.Move(fyne.NewPos((size.Width-ts.Width)/2, (size.Height-ts.Height)/2))
	r.text.Resize(ts)
}

func (r *avatarRenderer) MinSize() fyne.Size { return fyne.NewSquareSize(r.a.size) }

func (r *avatarRenderer) Refresh() {
	r.circle.FillColor = avatarColor(r.a.text)
	r.text.Text = r.a.text
	r.text.TextSize = r.a.size * 0.4
	r.circle.Refresh()
	r.text.Refresh()
	r.Layout(r.a.Size())
}

func (r *avatarRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.circle, r.text} }
func (r *avatarRenderer) Destroy()                     {}

var avatarPalette = []color.NRGBA{
	{0x25, 0x63, 0xEB, 0xFF}, {0x0E, 0xA5, 0xA4, 0xFF}, {0x7C, 0x3A, 0xED, 0xFF},
	{0xDB, 0x27, 0x77, 0xFF}, {0xEA, 0x58, 0x0C, 0xFF}, {0x16, 0xA3, 0x4A, 0xFF},
	{0x4F, 0x46, 0xE5, 0xFF}, {0x0D, 0x94, 0x88, 0xFF},
}

func avatarColor(s string) color.Color {
	h := 0
	for _, r := range s {
		h = h*31 + int(r)
	}
	if h < 0 {
		h = -h
	}
	return avatarPalette[h%len(avatarPalette)]
}

func initials(name string) string {
	var out []rune
	for _, w := range strings.Fields(name) {
		r := []rune(w)[0]
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			out = append(out, unicode.ToUpper(r))
		}
	}
	switch len(out) {
	case 0:
		return "?"
	case 1:
		return string(out)
	}
	return string([]rune{out[0], out[len(out)-1]})
}

// statusDot is a small filled circle in a theme colour.
type statusDot struct {
	widget.BaseWidget
	colorName fyne.ThemeColorName
}

func newStatusDot() *statusDot {
	d := &statusDot{colorName: theme.ColorNameDisabled}
	d.ExtendBaseWidget(d)
	return d
}

func (d *statusDot) setColor(n fyne.ThemeColorName) {
	d.colorName = n
	d.Refresh()
}

func (d *statusDot) CreateRenderer() fyne.WidgetRenderer {
	c := canvas.NewCircle(color.Transparent)
	r := &dotRenderer{d: d, c: c}
	r.Refresh()
	return r
}

type dotRenderer struct {
	d *statusDot
	c *canvas.Circle
}

func (r *dotRenderer) Layout(size fyne.Size) {
	s := float32(10)
	r.c.Move(fyne.NewPos((size.Width-s)/2, (size.Height-s)/2))
	r.c.Resize(fyne.NewSquareSize(s))
}
func (r *dotRenderer) MinSize() fyne.Size { return fyne.NewSquareSize(14) }
func (r *dotRenderer) Refresh() {
	r.c.FillColor = theme.Color(r.d.colorName)
	r.c.Refresh()
}
func (r *dotRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.c} }
func (r *dotRenderer) Destroy()                     {}

// field is a labelled input with room for an error message below it.
type field struct {
	label  string
	input  fyne.CanvasObject
	errMsg errorText
}

func newField(label string, input fyne.CanvasObject) *field {
	return &field{label: label, input: input, errMsg: newErrorText()}
}

func (f *field) setError(msg string) { f.errMsg.set(msg) }

// formGrid lays out fields as a two-column form: labels on the left,
// inputs with their error messages on the right.
func formGrid(fields ...*field) *fyne.Container {
	var objs []fyne.CanvasObject
	for _, f := range fields {
		l := widget.NewLabelWithStyle(f.label, fyne.TextAlignTrailing, fyne.TextStyle{})
		objs = append(objs, container.NewVBox(l), container.NewVBox(f.input, f.errMsg))
	}
	return container.New(layout.NewFormLayout(), objs...)
}

// linkLabel is a link in a list: an icon and a text that is cut with "…"
// when the row is narrow.
func linkLabel(text string, icon fyne.Resource, tapped func()) fyne.CanvasObject {
	h := widget.NewHyperlink(text, nil)
	h.Truncation = fyne.TextTruncateEllipsis
	h.OnTapped = tapped
	return container.NewBorder(nil, nil, widget.NewIcon(icon), nil, h)
}

// linkButton is a flat button that reads like a link.
func linkButton(text string, icon fyne.Resource, tapped func()) *widget.Button {
	b := widget.NewButtonWithIcon(text, icon, tapped)
	b.Importance = widget.LowImportance
	b.Alignment = widget.ButtonAlignLeading
	return b
}

// labelled is a value with its caption in a fixed-width column before it.
func labelled(caption string, value fyne.CanvasObject) fyne.CanvasObject {
	c := secondary(caption)
	return container.NewBorder(nil, nil, container.New(&fixedWidth{w: 120}, c), nil, value)
}

// split lays out two objects side by side, the first taking ratio of the
// width.
type split struct{ ratio float32 }

func (s *split) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	gap := theme.Padding()
	w0 := (size.Width - gap) * s.ratio
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(fyne.NewSize(w0, size.Height))
	objs[1].Move(fyne.NewPos(w0+gap, 0))
	objs[1].Resize(fyne.NewSize(size.Width-w0-gap, size.Height))
}

func (s *split) MinSize(objs []fyne.CanvasObject) fyne.Size {
	a, b := objs[0].MinSize(), objs[1].MinSize()
	return fyne.NewSize(a.Width+b.Width+theme.Padding(), max(a.Height, b.Height))
}

// fixedWidth gives its content a fixed width.
type fixedWidth struct{ w float32 }

func (f *fixedWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(fyne.NewSize(f.w, size.Height))
	}
}

func (f *fixedWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var h float32
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(f.w, h)
}
