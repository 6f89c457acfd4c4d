// Command genicon draws RepDesk's application icon: a person at a desk in
// white on a blue-to-teal rounded square. It writes a 256×256 PNG, so the
// icon is reproducible from source instead of being an opaque binary.
//
//	go run ./assets/internal/genicon assets/icon.png
package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
)

const size = 256

// samples per pixel edge: 4×4 supersampling gives smooth edges.
const samples = 4

var (
	top    = color.NRGBA{0x25, 0x63, 0xEB, 0xFF} // blue
	bottom = color.NRGBA{0x0E, 0xA5, 0xA4, 0xFF} // teal
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: genicon OUT.png")
		os.Exit(2)
	}
	if err := write(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "genicon:", err)
		os.Exit(1)
	}
}

func write(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, draw()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func draw() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for py := range size {
		for px := range size {
			var bg, fg float64
			for sy := range samples {
				for sx := range samples {
					x := float64(px) + (float64(sx)+0.5)/samples
					y := float64(py) + (float64(sy)+0.5)/samples
					if inRoundRect(x, y, 8, 8, 248, 248, 56) {
						bg++
						if foreground(x, y) {
							fg++
						}
					}
				}
			}
			n := float64(samples * samples)
			bg, fg = bg/n, fg/n
			if bg == 0 {
				continue
			}
			t := (float64(px) + float64(py)) / (2 * size) // diagonal gradient
			base := mix(top, bottom, t)
			c := mix(base, color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}, fg/bg)
			c.A = uint8(math.Round(bg * 255))
			img.SetNRGBA(px, py, c)
		}
	}
	return img
}

// foreground is the white glyph: head, shoulders separated from the head by
// a gap, and the desk below.
func foreground(x, y float64) bool {
	head := dist(x, y, 128, 100) <= 34
	shoulders := y <= 190 && sq((x-128)/70)+sq((y-190)/62) <= 1 && dist(x, y, 128, 100) > 44
	desk := inRoundRect(x, y, 52, 200, 204, 216, 8)
	return head || shoulders || desk
}

func inRoundRect(x, y, x0, y0, x1, y1, r float64) bool {
	if x < x0 || x > x1 || y < y0 || y > y1 {
		return false
	}
	cx := math.Max(x0+r, math.Min(x, x1-r))
	cy := math.Max(y0+r, math.Min(y, y1-r))
	return dist(x, y, cx, cy) <= r
}

func dist(x, y, cx, cy float64) float64 { return math.Hypot(x-cx, y-cy) }

func sq(v float64) float64 { return v * v }

func mix(a, b color.NRGBA, t float64) color.NRGBA {
	l := func(p, q uint8) uint8 { return uint8(math.Round(float64(p) + (float64(q)-float64(p))*t)) }
	return color.NRGBA{l(a.R, b.R), l(a.G, b.G), l(a.B, b.B), 0xFF}
}
