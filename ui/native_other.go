//go:build !linux || ci || wayland

package ui

import (
	"image"

	"fyne.io/fyne/v2"
)

// screenGrab is only needed under X11 (see native_x11.go).
func screenGrab(fyne.Window) image.Image { return nil }

// windowPosition is not available here: Fyne has no API for it.
func windowPosition(fyne.Window) (x, y int, ok bool) { return 0, 0, false }

func moveWindow(fyne.Window, int, int) {}
