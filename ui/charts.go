package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// bar is one row of a barChart: a bar of length value, optionally a darker
// part of length inner drawn over it (e.g. the weighted share of an amount),
// and the figure written after it.
type bar struct {
	label string
	value float64
	inner float64
	text  string
	// strong draws the bar in the primary colour instead of its light tint.
	strong bool
}

// barChart is a horizontal bar chart drawn with canvas rectangles and
// texts: labels on the left, bars scaled to the largest value (or to scale
// when set), figures on the right. A marker draws a vertical line at that
// value, e.g. the target.
type barChart struct {
	widget.BaseWidget
	bars   []bar
	scale  float64
	marker float64
}

func newBarChart(bars []bar) *barChart {
	c := &barChart{bars: bars}
	c.ExtendBaseWidget(c)
	return c
}

const chartRowHeight = 26

func (c *barChart) CreateRenderer() fyne.WidgetRenderer {
	r := &barRenderer{c: c}
	for range c.bars {
		r.rows = append(r.rows, barObjects{
			label: canvas.NewText("", color.Black),
			track: canvas.NewRectangle(color.Transparent),
			bar:   canvas.NewRectangle(color.Transparent),
			inner: canvas.NewRectangle(color.Transparent),
			text:  canvas.NewText("", color.Black),
		})
	}
	r.marker = canvas.NewLine(color.Black)
	r.Refresh()
	return r
}

type barObjects struct {
	label, text       *canvas.Text
	track, bar, inner *canvas.Rectangle
}

type barRenderer struct {
	c      *barChart
	rows   []barObjects
	marker *canvas.Line
}

func (r *barRenderer) max() float64 {
	m := max(r.c.scale, r.c.marker)
	for _, b := range r.c.bars {
		m = max(m, b.value, b.inner)
	}
	return m
}

// columns are the widths of the label and figure columns.
func (r *barRenderer) columns() (label, text float32) {
	for _, o := range r.rows {
		label = max(label, o.label.MinSize().Width)
		text = max(text, o.text.MinSize().Width)
	}
	return label, text
}

func (r *barRenderer) Layout(size fyne.Size) {
	pad := theme.Padding()
	inset := theme.InnerPadding() // as far in as the labels around the chart
	labelW, textW := r.columns()
	x0 := inset + labelW + 2*pad
	barW := max(size.Width-x0-textW-3*pad-inset, 10)
	m := r.max()
	scale := func(v float64) float32 {
		if m <= 0 {
			return 0
		}
		return float32(v/m) * barW
	}
	for i, o := range r.rows {
		b := r.c.bars[i]
		y := float32(i) * chartRowHeight
		h := float32(chartRowHeight) - 8
		o.label.Move(fyne.NewPos(inset, y+(chartRowHeight-o.label.MinSize().Height)/2))
		o.track.Move(fyne.NewPos(x0, y+4))
		o.track.Resize(fyne.NewSize(barW, h))
		o.bar.Move(fyne.NewPos(x0, y+4))
		o.bar.Resize(fyne.NewSize(scale(b.value), h))
		o.inner.Move(fyne.NewPos(x0, y+4))
		o.inner.Resize(fyne.NewSize(scale(b.inner), h))
		o.text.Move(fyne.NewPos(x0+barW+2*pad, y+(chartRowHeight-o.text.MinSize().Height)/2))
	}
	if r.c.marker > 0 {
		x := x0 + scale(r.c.marker)
		r.marker.Position1 = fyne.NewPos(x, 0)
		r.marker.Position2 = fyne.NewPos(x, float32(len(r.rows))*chartRowHeight)
	}
}

func (r *barRenderer) MinSize() fyne.Size {
	labelW, textW := r.columns()
	return fyne.NewSize(labelW+textW+4*theme.Padding()+2*theme.InnerPadding()+120, float32(len(r.rows))*chartRowHeight)
}

func (r *barRenderer) Refresh() {
	fg := theme.Color(theme.ColorNameForeground)
	primary := theme.Color(theme.ColorNamePrimary)
	light := tint(primary, 0x70)
	for i, o := range r.rows {
		b := r.c.bars[i]
		o.label.Text, o.label.Color, o.label.TextSize = b.label, fg, theme.TextSize()
		o.text.Text, o.text.Color, o.text.TextSize = b.text, fg, theme.TextSize()
		o.text.TextStyle.Bold = b.strong
		o.track.FillColor = theme.Color(theme.ColorNameInputBackground)
		o.track.CornerRadius = 3
		o.bar.FillColor = light
		if b.strong {
			o.bar.FillColor = primary
		}
		o.bar.CornerRadius = 3
		o.inner.FillColor = primary
		o.inner.CornerRadius = 3
		for _, x := range []fyne.CanvasObject{o.label, o.text, o.track, o.bar, o.inner} {
			x.Refresh()
		}
	}
	r.marker.StrokeColor = theme.Color(theme.ColorNameError)
	r.marker.StrokeWidth = 2
	r.marker.Hidden = r.c.marker <= 0
	r.marker.Refresh()
	r.Layout(r.c.Size())
}

func (r *barRenderer) Objects() []fyne.CanvasObject {
	var out []fyne.CanvasObject
	for _, o := range r.rows {
		out = append(out, o.track, o.bar, o.inner, o.label, o.text)
	}
	return append(out, r.marker)
}

func (r *barRenderer) Destroy() {}

// tint is c with alpha a, a lighter shade on the card.
func tint(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}
