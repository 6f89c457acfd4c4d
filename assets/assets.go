// Package assets holds the files RepDesk embeds: the application icon and the
// translations of the desktop app.
package assets

import (
	"embed"
	_ "embed" // the icon
)

//go:generate go run ./internal/genicon icon.png

// Icon is the 256×256 PNG application icon.
//
//go:embed icon.png
var Icon []byte

// Translations holds translations/<lang>.json in the format of Fyne's lang
// package (lang.AddTranslationsFS(Translations, "translations")).
//
//go:embed translations/*.json
var Translations embed.FS

// NotoSansRegular and NotoSansBold (SIL Open Font License, fonts/OFL.txt)
// are embedded in the PDF visit briefs, so that ä, ö, ü, ß and € print on
// every machine.
var (
	//go:embed fonts/NotoSans-Regular.ttf
	NotoSansRegular []byte
	//go:embed fonts/NotoSans-Bold.ttf
	NotoSansBold []byte
)
