// Package calendar writes iCalendar files (RFC 5545) of events, small enough
// to own instead of pulling in a library: one VCALENDAR with VEVENTs, text
// escaped, lines ended with CRLF and folded at 75 octets without splitting a
// UTF-8 sequence.
//
// Times: events are written with TZID=Europe/Berlin and the VTIMEZONE block
// describing it when the calendar's location keeps Central European time
// (Europe/Berlin, or time.Local on a machine set to it) (Outlook
// needs the block to place a TZID time, Google Calendar and Thunderbird
// read the IANA name; with both, all three show the rep's wall-clock time
// and handle the daylight-saving switch). Any other location is written in
// UTC (DTSTART:...Z), which all three import without a VTIMEZONE.
package calendar

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Berlin on machines without a zone database (Windows)
	"unicode/utf8"
)

// Status values of an event.
const (
	StatusConfirmed = "CONFIRMED"
	StatusCancelled = "CANCELLED"
	StatusTentative = "TENTATIVE"
)

// Event is one VEVENT.
type Event struct {
	// UID stays the same for the same appointment, so that importing again
	// updates the event instead of adding a second one.
	UID string
	// Sequence grows with each revision, so that calendars take the newer
	// one.
	Sequence     int64
	Start, End   time.Time
	Summary      string
	Description  string
	Location     string
	Status       string // StatusConfirmed when empty
	Created      time.Time
	LastModified time.Time
}

// Calendar is a VCALENDAR.
type Calendar struct {
	Name   string // X-WR-CALNAME, shown by Google Calendar and Thunderbird
	Events []Event
	// Location is the rep's time zone: Berlin's time writes TZID times,
	// any other (or nil) UTC (see the package comment).
	Location *time.Location
	// Stamp is DTSTAMP, when the file was made (time.Now when zero).
	Stamp time.Time
}

// ProdID names the program that made the file.
const ProdID = "-//RepDesk//RepDesk Visits//EN"

const berlin = "Europe/Berlin"

// vtimezoneBerlin is Central European Time with the EU's daylight-saving
// rules (last Sunday of March 02:00 to last Sunday of October 03:00), as
// Outlook and Google write it.
var vtimezoneBerlin = []string{
	"BEGIN:VTIMEZONE",
	"TZID:Europe/Berlin",
	"X-LIC-LOCATION:Europe/Berlin",
	"BEGIN:DAYLIGHT",
	"TZOFFSETFROM:+0100",
	"TZOFFSETTO:+0200",
	"TZNAME:CEST",
	"DTSTART:19700329T020000",
	"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
	"END:DAYLIGHT",
	"BEGIN:STANDARD",
	"TZOFFSETFROM:+0200",
	"TZOFFSETTO:+0100",
	"TZNAME:CET",
	"DTSTART:19701025T030000",
	"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
	"END:STANDARD",
	"END:VTIMEZONE",
}

// Write writes c as an iCalendar file.
func Write(w io.Writer, c Calendar) error {
	bw := bufio.NewWriter(w)
	stamp := c.Stamp
	if stamp.IsZero() {
		stamp = time.Now()
	}
	zone := berlinZone(c.Location, c.Events)
	zoned := zone != nil
	lines := []string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:" + ProdID, "CALSCALE:GREGORIAN", "METHOD:PUBLISH"}
	if c.Name != "" {
		lines = append(lines, "X-WR-CALNAME:"+Escape(c.Name))
	}
	if zoned {
		lines = append(lines, "X-WR-TIMEZONE:"+berlin)
		lines = append(lines, vtimezoneBerlin...)
	}
	for _, l := range lines {
		writeLine(bw, l)
	}
	for _, e := range c.Events {
		if e.UID == "" {
			return fmt.Errorf("write calendar: event %q has no UID", e.Summary)
		}
		if !e.End.After(e.Start) {
			return fmt.Errorf("write calendar: event %s ends (%s) before it starts (%s)", e.UID, e.End, e.Start)
		}
		status := e.Status
		if status == "" {
			status = StatusConfirmed
		}
		ev := []string{"BEGIN:VEVENT", "UID:" + Escape(e.UID), "DTSTAMP:" + utc(stamp),
			"DTSTART" + dateTime(e.Start, zone), "DTEND" + dateTime(e.End, zone),
			fmt.Sprintf("SEQUENCE:%d", max(e.Sequence, 0)), "STATUS:" + status, "SUMMARY:" + Escape(e.Summary)}
		if e.Location != "" {
			ev = append(ev, "LOCATION:"+Escape(e.Location))
		}
		if e.Description != "" {
			ev = append(ev, "DESCRIPTION:"+Escape(e.Description))
		}
		if !e.Created.IsZero() {
			ev = append(ev, "CREATED:"+utc(e.Created))
		}
		if !e.LastModified.IsZero() {
			ev = append(ev, "LAST-MODIFIED:"+utc(e.LastModified))
		}
		if status != StatusCancelled {
			ev = append(ev, "TRANSP:OPAQUE")
		}
		ev = append(ev, "END:VEVENT")
		for _, l := range ev {
			writeLine(bw, l)
		}
	}
	writeLine(bw, "END:VCALENDAR")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write calendar: %w", err)
	}
	return nil
}

// berlinZone returns Europe/Berlin when loc keeps Berlin's time at every
// event and in winter and summer of their years (time.Local is named
// "Local", so the offsets decide), nil otherwise.
func berlinZone(loc *time.Location, events []Event) *time.Location {
	if loc == nil {
		return nil
	}
	b, err := time.LoadLocation(berlin)
	if err != nil {
		return nil
	}
	same := func(t time.Time) bool {
		_, o1 := t.In(loc).Zone()
		_, o2 := t.In(b).Zone()
		return o1 == o2
	}
	for _, e := range events {
		y := e.Start.Year()
		for _, t := range []time.Time{e.Start, e.End, time.Date(y, 1, 15, 12, 0, 0, 0, time.UTC), time.Date(y, 7, 15, 12, 0, 0, 0, time.UTC)} {
			if !same(t) {
				return nil
			}
		}
	}
	if loc.String() != berlin && len(events) == 0 {
		return nil
	}
	return b
}

func utc(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// dateTime is the value part of DTSTART/DTEND, with its parameter:
// ";TZID=Europe/Berlin:20261201T100000" in zone, or ":20261201T090000Z".
func dateTime(t time.Time, zone *time.Location) string {
	if zone != nil {
		return ";TZID=" + berlin + ":" + t.In(zone).Format("20060102T150405")
	}
	return ":" + utc(t)
}

// Escape escapes a TEXT value: backslash, semicolon, comma and newlines
// (RFC 5545 3.3.11). A CR of a CRLF is dropped, a lone CR is a newline.
func Escape(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.NewReplacer(`\`, `\\`, `;`, `\;`, `,`, `\,`, "\n", `\n`).Replace(s)
}

// writeLine writes one content line, folded so that no line exceeds 75
// octets before its CRLF; a continuation line starts with a space. A fold
// never splits a UTF-8 sequence.
func writeLine(w *bufio.Writer, line string) {
	limit := 75
	for len(line) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		w.WriteString(line[:cut])
		w.WriteString("\r\n ")
		line = line[cut:]
		limit = 74 // the leading space counts
	}
	w.WriteString(line)
	w.WriteString("\r\n")
}
