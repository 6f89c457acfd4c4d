//go:build linux && !ci && !wayland

package ui

/*
#cgo LDFLAGS: -lX11
#include <stdlib.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>

static int xerror;

// ignoreErrors keeps a failed request from ending the program (Xlib's
// default handler exits).
static int ignoreErrors(Display *d, XErrorEvent *e) {
	xerror = e->error_code;
	return 0;
}

// grab copies the screen's pixels under the window as RGBA into out
// (w*h*4 bytes). Reading from the root window works whatever the window's
// visual; the caller keeps the rectangle on the screen.
static int grab(Display *d, int x, int y, int w, int h, unsigned char *out) {
	xerror = 0;
	XSetErrorHandler(ignoreErrors);
	XImage *img = XGetImage(d, DefaultRootWindow(d), x, y, w, h, AllPlanes, ZPixmap);
	XSync(d, False);
	if (!img || xerror) return 0;
	for (int y = 0; y < h; y++) {
		for (int x = 0; x < w; x++) {
			unsigned long p = XGetPixel(img, x, y);
			unsigned char *o = out + (y * w + x) * 4;
			o[0] = (p & img->red_mask) >> 16;
			o[1] = (p & img->green_mask) >> 8;
			o[2] = (p & img->blue_mask);
			o[3] = 255;
		}
	}
	XDestroyImage(img);
	return 1;
}

// position reports the window's top-left corner on the screen.
static int position(Display *d, Window win, int *x, int *y) {
	Window child;
	return XTranslateCoordinates(d, win, DefaultRootWindow(d), 0, 0, x, y, &child);
}
*/
import "C"

import (
	"image"
	"unsafe"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver"
)

// x11Window is the window's X11 handle, or 0.
func x11Window(w fyne.Window) C.Window {
	var handle uintptr
	if nw, ok := w.(driver.NativeWindow); ok {
		nw.RunNative(func(ctx any) {
			if x, ok := ctx.(driver.X11WindowContext); ok {
				handle = x.WindowHandle
			}
		})
	}
	return C.Window(handle)
}

// screenGrab reads the window's pixels from the X server. Under Xvfb's
// software OpenGL, glReadPixels of the front buffer (what Canvas.Capture
// does) returns an empty image, while the X server has what was drawn.
func screenGrab(w fyne.Window) image.Image {
	win := x11Window(w)
	if win == 0 {
		return nil
	}
	d := C.XOpenDisplay(nil)
	if d == nil {
		return nil
	}
	defer C.XCloseDisplay(d)
	var attrs C.XWindowAttributes
	var x, y C.int
	if C.XGetWindowAttributes(d, win, &attrs) == 0 || C.position(d, win, &x, &y) == 0 {
		return nil
	}
	// Keep the rectangle on the screen.
	sw, sh := int(C.XDisplayWidth(d, 0)), int(C.XDisplayHeight(d, 0))
	x0, y0 := max(int(x), 0), max(int(y), 0)
	width, height := min(int(x)+int(attrs.width), sw)-x0, min(int(y)+int(attrs.height), sh)-y0
	if width <= 0 || height <= 0 {
		return nil
	}
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	if C.grab(d, C.int(x0), C.int(y0), C.int(width), C.int(height), (*C.uchar)(unsafe.Pointer(&img.Pix[0]))) == 0 {
		return nil
	}
	return img
}

// windowPosition is where the window is on the screen.
func windowPosition(w fyne.Window) (x, y int, ok bool) {
	win := x11Window(w)
	if win == 0 {
		return 0, 0, false
	}
	d := C.XOpenDisplay(nil)
	if d == nil {
		return 0, 0, false
	}
	defer C.XCloseDisplay(d)
	var cx, cy C.int
	if C.position(d, win, &cx, &cy) == 0 {
		return 0, 0, false
	}
	return int(cx), int(cy), true
}

// moveWindow puts the window at x, y on the screen.
func moveWindow(w fyne.Window, x, y int) {
	win := x11Window(w)
	if win == 0 {
		return
	}
	d := C.XOpenDisplay(nil)
	if d == nil {
		return
	}
	defer C.XCloseDisplay(d)
	C.XMoveWindow(d, win, C.int(x), C.int(y))
	C.XFlush(d)
}
