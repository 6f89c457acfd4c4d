package ui

import (
	"bufio"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"

	"repdesk/localdb"
)

// Measurements are what Measure found.
type Measurements struct {
	Contacts int
	// FirstFrame is the time from the start of the process to the first
	// frame the window painted; FirstFrameSinceRun from the call of Measure
	// (after the database was opened).
	FirstFrame, FirstFrameSinceRun time.Duration
	// ListLoaded is the time from the call until every contact's name was in
	// the list; ListComplete until every row also had its company, e-mail,
	// phone and city (read in the background).
	ListLoaded, ListComplete time.Duration
	// Query is the median time the search query alone takes, and RoundTrip
	// the median time the UI goroutine needs to run a function handed to
	// it: what a keystroke costs beyond its own work on this machine.
	Query, RoundTrip []time.Duration
	// Search and Filter are the medians from a keystroke in the global
	// search (or the list filter) to its results on screen.
	Search, Filter []time.Duration
	// RSS is the resident memory with everything loaded, in bytes.
	RSS int64
}

// Measure opens the real window on store, measures how fast it starts,
// loads, searches and filters, and how much memory it holds, writes the
// numbers to out, and quits.
func Measure(store *localdb.Store, opts Options, out io.Writer) (Measurements, error) {
	start := time.Now()
	fa := app.NewWithID(AppID + ".measure")
	fa.Preferences().SetBool(prefWelcomed, true)
	fa.Preferences().SetString(prefScreen, "contacts")
	fa.Preferences().SetString(prefLanguage, "en")
	w := fa.NewWindow("RepDesk")
	var painted atomic.Int64 // unix nanos of the first paint
	events := make(chan string, 64)
	a, err := newAppWithProbe(fa, w, store, opts, func() {
		painted.CompareAndSwap(0, time.Now().UnixNano())
	}, func(ev string) {
		select {
		case events <- ev:
		default:
		}
	})
	if err != nil {
		return Measurements{}, err
	}
	defer a.close()
	w.Resize(screenshotSize)
	var m Measurements
	errc := make(chan error, 1)
	go func() {
		err := measure(a, start, &painted, events, &m)
		fyne.DoAndWait(fa.Quit)
		errc <- err
	}()
	w.ShowAndRun()
	if err := <-errc; err != nil {
		return m, err
	}
	fmt.Fprintf(out, "contacts:                 %d\n", m.Contacts)
	fmt.Fprintf(out, "first frame:              %s after process start (%s after the database was open)\n",
		m.FirstFrame.Round(time.Millisecond), m.FirstFrameSinceRun.Round(time.Millisecond))
	fmt.Fprintf(out, "contact list loaded:      %s (names), %s (complete rows)\n", m.ListLoaded.Round(time.Millisecond), m.ListComplete.Round(time.Millisecond))
	fmt.Fprintf(out, "search keystroke:         median %s (min %s, max %s, %d keystrokes)\n", summary(m.Search)...)
	fmt.Fprintf(out, "  of it the query alone:  median %s (min %s, max %s, %d queries)\n", summary(m.Query)...)
	fmt.Fprintf(out, "filter keystroke:         median %s (min %s, max %s, %d keystrokes)\n", summary(m.Filter)...)
	fmt.Fprintf(out, "UI goroutine round trip:  median %s (min %s, max %s, %d calls)\n", summary(m.RoundTrip)...)
	fmt.Fprintf(out, "resident memory:          %d MB\n", m.RSS>>20)
	return m, nil
}

func summary(ds []time.Duration) []any {
	if len(ds) == 0 {
		return []any{0, 0, 0, 0}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	r := func(d time.Duration) time.Duration { return d.Round(100 * time.Microsecond) }
	return []any{r(s[len(s)/2]), r(s[0]), r(s[len(s)-1]), len(s)}
}

// keystrokes are typed one after the other into the search and the filter.
var keystrokes = []string{"m", "mü", "mül", "müll", "mülle", "müller", "s", "sc", "sch", "schm", "schmi", "0", "01", "017", "0171"}

func measure(a *App, start time.Time, painted *atomic.Int64, events chan string, m *Measurements) error {
	wait := func(want string) error {
		timeout := time.After(60 * time.Second)
		for {
			select {
			case ev := <-events:
				if ev == want {
					return nil
				}
			case <-timeout:
				return fmt.Errorf("measure: no %q within a minute", want)
			}
		}
	}
	for painted.Load() == 0 {
		if time.Since(start) > time.Minute {
			return errors.New("measure: the window never painted")
		}
		time.Sleep(time.Millisecond)
	}
	first := time.Unix(0, painted.Load())
	m.FirstFrameSinceRun = first.Sub(start)
	m.FirstFrame = m.FirstFrameSinceRun + processAge(start)
	if err := wait("list-loaded"); err != nil {
		return err
	}
	m.ListLoaded = time.Since(start)
	if err := wait("list-enriched"); err != nil {
		return err
	}
	m.ListComplete = time.Since(start)
	fyne.DoAndWait(func() { m.Contacts = len(a.contacts.list.rows) })
	for range 20 {
		t0 := time.Now()
		fyne.DoAndWait(func() {})
		m.RoundTrip = append(m.RoundTrip, time.Since(t0))
	}
	for _, q := range keystrokes {
		t0 := time.Now()
		if _, err := a.store.Search(a.ctx, q, localdb.SearchOptions{Limit: searchLimit}); err != nil {
			return err
		}
		m.Query = append(m.Query, time.Since(t0))
	}
	for _, q := range keystrokes {
		var t0 time.Time
		fyne.DoAndWait(func() {
			t0 = time.Now()
			a.search.entry.SetText(q)
		})
		if err := wait("search:" + q); err != nil {
			return err
		}
		m.Search = append(m.Search, time.Since(t0))
	}
	fyne.DoAndWait(a.search.clear)
	for _, q := range keystrokes {
		var t0 time.Time
		fyne.DoAndWait(func() {
			t0 = time.Now()
			a.contacts.list.entry.SetText(q)
		})
		if err := wait("filter:" + q); err != nil {
			return err
		}
		m.Filter = append(m.Filter, time.Since(t0))
	}
	// What the process holds once the garbage of loading is returned.
	debug.FreeOSMemory()
	m.RSS = residentMemory()
	return nil
}

// processAge is how long the process had run at t (Linux; 0 elsewhere).
func processAge(t time.Time) time.Duration {
	stat, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	// The command name may hold spaces; the fields after it are fixed.
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	up, err := os.ReadFile("/proc/uptime")
	if err != nil || len(fields) < 20 {
		return 0
	}
	startTicks, err1 := strconv.ParseFloat(fields[19], 64)
	uptime, err2 := strconv.ParseFloat(strings.Fields(string(up))[0], 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	age := time.Duration((uptime - startTicks/100) * float64(time.Second))
	return max(0, age-time.Since(t))
}

// residentMemory is the process's resident set (Linux; 0 elsewhere).
func residentMemory() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// paintProbe is a 1×1 transparent raster: the painter generates its pixels
// when it draws a frame, which tells Measure when the first frame was drawn.
func paintProbe(painted func()) fyne.CanvasObject {
	r := canvas.NewRaster(func(w, h int) image.Image {
		painted()
		img := image.NewNRGBA(image.Rect(0, 0, max(w, 1), max(h, 1)))
		img.Set(0, 0, color.Transparent)
		return img
	})
	r.SetMinSize(fyne.NewSquareSize(1))
	return r
}
