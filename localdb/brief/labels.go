package brief

import (
	"fmt"
	"strings"
	"time"

	"repdesk/localdb"
)

// labels are the brief's words in one language. The brief is made outside
// the UI (CLI, tests), so it carries its own two languages instead of the
// UI's translation files.
type labels struct {
	visited, title, fieldRep, purpose, address, report, made, page        string
	company, name, industry, phone, website, tags, contacts, role, email  string
	more, none, deals, deal, stage, probability, amount, closeDate, total string
	lastInteractions, when, kindTitle, subject, tasks, due, task, notes   string
	dateLayout                                                            string
	decimal, thousands                                                    string
	weekdays                                                              [7]string
	statuses, outcomes, kinds, callOutcomes                               map[string]string
}

var english = labels{
	visited: "visit", title: "Visit brief", fieldRep: "Field rep", purpose: "Purpose", address: "Address", report: "Report",
	made: "Made", page: "Page %s of %s",
	company: "Company", name: "Name", industry: "Industry", phone: "Phone", website: "Website", tags: "Tags",
	contacts: "Contacts", role: "Title", email: "E-mail", more: "… and %d more contacts",
	none: "None.", deals: "Open deals", deal: "Deal", stage: "Stage", probability: "Prob.", amount: "Amount",
	closeDate: "Close", total: "Total",
	lastInteractions: "Last %d interactions", when: "When", kindTitle: "Kind", subject: "What",
	tasks: "Open tasks", due: "Due", task: "Task", notes: "Notes",
	dateLayout: "2006-01-02", decimal: ".", thousands: ",",
	weekdays: [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"},
	statuses: map[string]string{localdb.VisitPlanned: "planned", localdb.VisitDone: "done", localdb.VisitCancelled: "cancelled"},
	outcomes: map[string]string{localdb.VisitOutcomePositive: "positive", localdb.VisitOutcomeNeutral: "neutral",
		localdb.VisitOutcomeNegative: "negative", localdb.VisitOutcomeNoShow: "customer not there", localdb.VisitOutcomeFollowUp: "follow-up needed"},
	kinds: map[string]string{localdb.KindCall: "Call", localdb.KindEmail: "E-mail", localdb.KindMeeting: "Meeting",
		localdb.KindVisit: "Visit", localdb.KindNote: "Note"},
	callOutcomes: map[string]string{localdb.OutcomeConnected: "connected", localdb.OutcomeVoicemail: "voicemail",
		localdb.OutcomeNoAnswer: "no answer", localdb.OutcomeBusy: "busy", localdb.OutcomeWrongNumber: "wrong number",
		localdb.OutcomeCallback: "callback", localdb.OutcomeNotInterested: "not interested"},
}

var german = labels{
	visited: "Termin", title: "Besuchsbriefing", fieldRep: "Außendienst", purpose: "Anlass", address: "Adresse", report: "Bericht",
	made: "Erstellt", page: "Seite %s von %s",
	company: "Firma", name: "Name", industry: "Branche", phone: "Telefon", website: "Website", tags: "Schlagwörter",
	contacts: "Ansprechpartner", role: "Position", email: "E-Mail", more: "… und %d weitere Ansprechpartner",
	none: "Keine.", deals: "Offene Verkaufschancen", deal: "Verkaufschance", stage: "Phase", probability: "Wahrsch.",
	amount: "Betrag", closeDate: "Abschluss", total: "Summe",
	lastInteractions: "Letzte %d Kontakte", when: "Wann", kindTitle: "Art", subject: "Was",
	tasks: "Offene Aufgaben", due: "Fällig", task: "Aufgabe", notes: "Notizen",
	dateLayout: "02.01.2006", decimal: ",", thousands: ".",
	weekdays: [7]string{"So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"},
	statuses: map[string]string{localdb.VisitPlanned: "geplant", localdb.VisitDone: "erledigt", localdb.VisitCancelled: "abgesagt"},
	outcomes: map[string]string{localdb.VisitOutcomePositive: "positiv", localdb.VisitOutcomeNeutral: "neutral",
		localdb.VisitOutcomeNegative: "negativ", localdb.VisitOutcomeNoShow: "Kunde nicht angetroffen", localdb.VisitOutcomeFollowUp: "Nachfassen nötig"},
	kinds: map[string]string{localdb.KindCall: "Anruf", localdb.KindEmail: "E-Mail", localdb.KindMeeting: "Termin",
		localdb.KindVisit: "Besuch", localdb.KindNote: "Notiz"},
	callOutcomes: map[string]string{localdb.OutcomeConnected: "erreicht", localdb.OutcomeVoicemail: "Mailbox",
		localdb.OutcomeNoAnswer: "nicht erreicht", localdb.OutcomeBusy: "besetzt", localdb.OutcomeWrongNumber: "falsche Nummer",
		localdb.OutcomeCallback: "Rückruf", localdb.OutcomeNotInterested: "kein Interesse"},
}

func labelsFor(lang string) labels {
	if strings.HasPrefix(strings.ToLower(lang), "de") {
		return german
	}
	return english
}

func (l labels) weekday(t time.Time) string { return l.weekdays[t.Weekday()] }

func lookup(m map[string]string, key string) string {
	if v, ok := m[key]; ok {
		return v
	}
	return key
}

func (l labels) status(s string) string  { return lookup(l.statuses, s) }
func (l labels) outcome(s string) string { return lookup(l.outcomes, s) }

// kind names an activity kind, a call with its outcome.
func (l labels) kind(kind, outcome string) string {
	k := lookup(l.kinds, kind)
	if outcome != "" {
		k += " (" + lookup(l.callOutcomes, outcome) + ")"
	}
	return k
}

// date formats a YYYY-MM-DD date in the language's layout.
func (l labels) date(ymd string) string {
	d, err := time.Parse("2006-01-02", ymd)
	if err != nil {
		return ymd
	}
	return d.Format(l.dateLayout)
}

var currencySymbols = map[string]string{"EUR": "€", "USD": "$", "GBP": "£"}

// money formats minor units: 1234550 EUR is "12.345,50 €" in German and
// "€12,345.50" in English.
func (l labels) money(cents int64, currency string) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	whole := fmt.Sprint(cents / 100)
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(l.thousands)
		}
		b.WriteRune(r)
	}
	n := sign + b.String() + l.decimal + fmt.Sprintf("%02d", cents%100)
	sym, ok := currencySymbols[currency]
	if !ok {
		sym = currency
	}
	if l.decimal == "," || !ok {
		return n + "\u00a0" + sym
	}
	return sym + n
}
