package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Theme choices.
const (
	themeSystem = ""
	themeLight  = "light"
	themeDark   = "dark"
)

var themes = []string{themeSystem, themeLight, themeDark}

// repTheme is Fyne's default theme in RepDesk's colours, optionally forced
// to light or dark (theme.LightTheme/DarkTheme are deprecated because they
// ignore the system's preference; this keeps it unless the rep chose).
type repTheme struct {
	mode string
}

var _ fyne.Theme = repTheme{}

var (
	brandLight = color.NRGBA{0x25, 0x63, 0xEB, 0xFF}
	brandDark  = color.NRGBA{0x5B, 0x8D, 0xF6, 0xFF}
	// Sidebar and header backgrounds, a shade off the content background.
	chromeLight = color.NRGBA{0xF1, 0xF4, 0xF9, 0xFF}
	chromeDark  = color.NRGBA{0x1B, 0x1E, 0x24, 0xFF}
	okGreen     = color.NRGBA{0x16, 0xA3, 0x4A, 0xFF}
	// Secondary text (Fyne's disabled colour, which low-importance labels
	// use) dark enough to read, in both variants.
	mutedLight = color.NRGBA{0x70, 0x78, 0x84, 0xFF}
	mutedDark  = color.NRGBA{0x93, 0x9B, 0xA8, 0xFF}
)

// Custom colour names of the theme.
const (
	colorChrome fyne.ThemeColorName = "repdesk-chrome"
	colorOK     fyne.ThemeColorName = "repdesk-ok"
)

func (t repTheme) variant(v fyne.ThemeVariant) fyne.ThemeVariant {
	switch t.mode {
	case themeLight:
		return theme.VariantLight
	case themeDark:
		return theme.VariantDark
	}
	return v
}

func (t repTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	v = t.variant(v)
	dark := v == theme.VariantDark
	switch n {
	case theme.ColorNamePrimary, theme.ColorNameHyperlink, theme.ColorNameFocus:
		c := brandLight
		if dark {
			c = brandDark
		}
		if n == theme.ColorNameFocus {
			c.A = 0x7F
		}
		return c
	case colorChrome:
		if dark {
			return chromeDark
		}
		return chromeLight
	case colorOK:
		return okGreen
	case theme.ColorNameDisabled, theme.ColorNamePlaceHolder:
		if dark {
			return mutedDark
		}
		return mutedLight
	case theme.ColorNameSelection:
		c := brandLight
		c.A = 0x30
		if dark {
			c = brandDark
			c.A = 0x40
		}
		return c
	}
	return theme.DefaultTheme().Color(n, v)
}

func (t repTheme) Font(s fyne.TextStyle) fyne.Resource { return theme.DefaultTheme().Font(s) }

func (t repTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

func (t repTheme) Size(n fyne.ThemeSizeName) float32 { return theme.DefaultTheme().Size(n) }
