// Command devmain runs the desktop app's measuring mode on a database, for
// development until the CLI offers it:
//
//	go run -tags migrated_fynedo ./ui/internal/devmain DB
package main

import (
	"fmt"
	"os"

	"repdesk/localdb"
	"repdesk/ui"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: devmain DB")
		os.Exit(2)
	}
	store, err := localdb.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer store.Close()
	if _, err := ui.Measure(store, ui.Options{}, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
