package brief

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"repdesk/assets"
)

// Options of a rendered brief.
type Options struct {
	Lang     string         // "de" or "en" (default)
	Location *time.Location // times are shown in it (default time.Local)
	Now      time.Time      // the "made on" line (default time.Now)
}

// Page layout in millimetres and points: A4 with margins a printer keeps
// and body text of 10 pt, which reads well on paper.
const (
	margin     = 18.0
	bottom     = 16.0
	bodyPt     = 10.0
	smallPt    = 8.5
	headingPt  = 12.5
	titlePt    = 18.0
	lineH      = 4.6 // of body text
	smallLineH = 4.0
	font       = "NotoSans"
	maxBody    = 600 // runes of an interaction's text in the table
)

type writer struct {
	pdf   *fpdf.Fpdf
	l     labels
	loc   *time.Location
	width float64 // between the margins
}

// Write renders b as an A4 PDF.
func Write(w io.Writer, b *Brief, o Options) error {
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes(font, "", assets.NotoSansRegular)
	pdf.AddUTF8FontFromBytes(font, "B", assets.NotoSansBold)
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, bottom+6)
	pdf.AliasNbPages("{nb}")
	pdf.SetCreationDate(o.Now)
	pdf.SetModificationDate(o.Now)
	l := labelsFor(o.Lang)
	title := l.title
	if who := joinNonEmpty(" · ", b.Visit.Company, b.Visit.Contact); who != "" {
		title += ": " + who
	}
	pdf.SetTitle(title, true)
	pdf.SetCreator("RepDesk", true)
	pdf.SetAuthor(b.Visit.Assignee, true)
	pw, ph := pdf.GetPageSize()
	wr := &writer{pdf: pdf, l: l, loc: o.Location, width: pw - 2*margin}
	pdf.SetFooterFunc(func() {
		pdf.SetY(ph - bottom)
		pdf.SetFont(font, "", smallPt)
		pdf.SetTextColor(110, 110, 110)
		pdf.CellFormat(wr.width/2, 5, title, "", 0, "L", false, 0, "")
		pdf.CellFormat(wr.width/2, 5, fmt.Sprintf(l.page, strconv.Itoa(pdf.PageNo()), "{nb}"), "", 0, "R", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})
	pdf.AddPage()
	wr.header(b, o.Now)
	wr.company(b)
	wr.contacts(b)
	wr.deals(b)
	wr.interactions(b)
	wr.tasks(b)
	wr.notes(b)
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("write brief: %w", err)
	}
	return nil
}

func (w *writer) header(b *Brief, now time.Time) {
	p, v := w.pdf, b.Visit
	p.SetFont(font, "B", titlePt)
	p.MultiCell(w.width, 8, orDash(joinNonEmpty(" · ", v.Company, v.Contact)), "", "L", false)
	p.SetFont(font, "", bodyPt)
	p.SetTextColor(90, 90, 90)
	p.MultiCell(w.width, lineH, joinNonEmpty(" · ", w.l.title, when(v.StartAt.In(w.loc), v.EndAt.In(w.loc), w.l), w.l.status(v.Status),
		w.l.fieldRep+": "+orDash(v.Assignee)), "", "L", false)
	p.SetTextColor(0, 0, 0)
	p.Ln(2)
	rows := [][2]string{}
	if v.Purpose != "" {
		rows = append(rows, [2]string{w.l.purpose, v.Purpose})
	}
	if addr := v.Address(); addr != "" {
		rows = append(rows, [2]string{w.l.address, addr})
	}
	if v.Report != "" {
		rows = append(rows, [2]string{w.l.report, joinNonEmpty(" · ", w.l.outcome(v.Outcome), v.Report)})
	}
	w.pairs(rows)
	p.SetFont(font, "", smallPt)
	p.SetTextColor(110, 110, 110)
	p.MultiCell(w.width, smallLineH, w.l.made+" "+now.In(w.loc).Format(w.l.dateLayout+" 15:04"), "", "L", false)
	p.SetTextColor(0, 0, 0)
}

// section starts a titled section; it moves to a new page when not even the
// heading and two lines would fit.
func (w *writer) section(title string) {
	p := w.pdf
	_, ph := p.GetPageSize()
	if p.GetY()+8+3*lineH > ph-bottom-6 {
		p.AddPage()
	}
	p.Ln(4)
	p.SetFont(font, "B", headingPt)
	p.CellFormat(w.width, 7, title, "", 1, "L", false, 0, "")
	y := p.GetY()
	p.SetDrawColor(160, 160, 160)
	p.SetLineWidth(0.3)
	p.Line(margin, y, margin+w.width, y)
	p.Ln(1.5)
	p.SetFont(font, "", bodyPt)
}

func (w *writer) empty(text string) {
	w.pdf.SetTextColor(110, 110, 110)
	w.pdf.MultiCell(w.width, lineH, text, "", "L", false)
	w.pdf.SetTextColor(0, 0, 0)
}

// pairs writes label: value lines, the values wrapped beside the labels.
func (w *writer) pairs(rows [][2]string) {
	cols := []column{{width: 32, bold: true}, {width: w.width - 32}}
	for _, r := range rows {
		w.row(cols, []string{r[0], r[1]})
	}
}

type column struct {
	width float64
	bold  bool
	right bool
}

// row writes one table row whose cells wrap; a row that does not fit on the
// page starts the next one (with head repeated when given).
func (w *writer) row(cols []column, cells []string, head ...string) {
	p := w.pdf
	lines := make([][]string, len(cols))
	n := 1
	for i, c := range cols {
		p.SetFont(font, style(c.bold), bodyPt)
		lines[i] = p.SplitText(cells[i], c.width)
		n = max(n, len(lines[i]))
	}
	h := float64(n)*lineH + 1
	_, ph := p.GetPageSize()
	if p.GetY()+h > ph-bottom-6 {
		p.AddPage()
		if len(head) > 0 {
			w.head(cols, head)
		}
	}
	y := p.GetY()
	x := margin
	for i, c := range cols {
		p.SetFont(font, style(c.bold), bodyPt)
		p.SetXY(x, y)
		align := "L"
		if c.right {
			align = "R"
		}
		p.MultiCell(c.width, lineH, strings.Join(lines[i], "\n"), "", align, false)
		x += c.width
	}
	p.SetXY(margin, y+h)
	p.SetFont(font, "", bodyPt)
}

// head writes a table's column titles.
func (w *writer) head(cols []column, titles []string) {
	p := w.pdf
	p.SetFont(font, "B", smallPt)
	p.SetTextColor(90, 90, 90)
	for i, c := range cols {
		align := "L"
		if c.right {
			align = "R"
		}
		p.CellFormat(c.width, 5, titles[i], "", 0, align, false, 0, "")
	}
	p.Ln(5.5)
	p.SetTextColor(0, 0, 0)
	p.SetFont(font, "", bodyPt)
}

func (w *writer) table(cols []column, titles []string, rows [][]string) {
	w.head(cols, titles)
	for _, r := range rows {
		w.row(cols, r, titles...)
	}
}

func style(bold bool) string {
	if bold {
		return "B"
	}
	return ""
}

func (w *writer) company(b *Brief) {
	c := b.Company
	if c == nil {
		return
	}
	w.section(w.l.company)
	addr := joinNonEmpty(", ", c.Street, strings.TrimSpace(c.PostalCode+" "+c.City), c.Country)
	rows := [][2]string{{w.l.name, c.Name}}
	for _, r := range [][2]string{{w.l.address, addr}, {w.l.industry, c.Industry}, {w.l.phone, c.Phone},
		{w.l.website, c.Website}, {w.l.tags, strings.Join(c.Tags, ", ")}} {
		if r[1] != "" {
			rows = append(rows, r)
		}
	}
	w.pairs(rows)
}

func (w *writer) contacts(b *Brief) {
	w.section(fmt.Sprintf("%s (%d)", w.l.contacts, len(b.Contacts)+b.MoreContacts))
	if len(b.Contacts) == 0 {
		w.empty(w.l.none)
		return
	}
	cols := []column{{width: 42, bold: true}, {width: 32}, {width: 34}, {width: w.width - 108}}
	var rows [][]string
	for _, c := range b.Contacts {
		name := c.FullName
		if c.ID == b.Visit.ContactID {
			name += " (" + w.l.visited + ")"
		}
		rows = append(rows, []string{name, joinNonEmpty(", ", c.Title, c.Department), orDash(phones(c)), email(c)})
	}
	w.table(cols, []string{w.l.name, w.l.role, w.l.phone, w.l.email}, rows)
	if b.MoreContacts > 0 {
		w.empty(fmt.Sprintf(w.l.more, b.MoreContacts))
	}
}

func (w *writer) deals(b *Brief) {
	w.section(fmt.Sprintf("%s (%d)", w.l.deals, len(b.Deals)))
	if len(b.Deals) == 0 {
		w.empty(w.l.none)
		return
	}
	cols := []column{{width: w.width - 112}, {width: 32}, {width: 20, right: true}, {width: 34, right: true}, {width: 26, right: true}}
	var rows [][]string
	sums := map[string]int64{}
	var order []string
	for _, d := range b.Deals {
		rows = append(rows, []string{joinNonEmpty(" — ", d.Title, d.NextStep), d.Stage, fmt.Sprintf("%d %%", d.Probability),
			w.l.money(d.Amount, d.Currency), w.l.date(d.ExpectedClose)})
		if _, ok := sums[d.Currency]; !ok {
			order = append(order, d.Currency)
		}
		sums[d.Currency] += d.Amount
	}
	var total []string
	for _, c := range order {
		total = append(total, w.l.money(sums[c], c))
	}
	rows = append(rows, []string{w.l.total, "", "", strings.Join(total, " + "), ""})
	w.table(cols, []string{w.l.deal, w.l.stage, w.l.probability, w.l.amount, w.l.closeDate}, rows)
}

func (w *writer) interactions(b *Brief) {
	w.section(fmt.Sprintf(w.l.lastInteractions, Interactions))
	if len(b.Interactions) == 0 {
		w.empty(w.l.none)
		return
	}
	cols := []column{{width: 32}, {width: 36}, {width: w.width - 68}}
	var rows [][]string
	for _, a := range b.Interactions {
		text := a.Subject
		if a.Body != "" {
			text = joinNonEmpty("\n", a.Subject, clip(a.Body, maxBody))
		}
		rows = append(rows, []string{a.OccurredAt.In(w.loc).Format(w.l.dateLayout + " 15:04"), w.l.kind(a.Kind, a.Outcome), text})
	}
	w.table(cols, []string{w.l.when, w.l.kindTitle, w.l.subject}, rows)
}

func (w *writer) tasks(b *Brief) {
	w.section(fmt.Sprintf("%s (%d)", w.l.tasks, len(b.Tasks)))
	if len(b.Tasks) == 0 {
		w.empty(w.l.none)
		return
	}
	cols := []column{{width: 28}, {width: w.width - 28}}
	var rows [][]string
	for _, t := range b.Tasks {
		due := "–"
		if !t.Due.IsZero() {
			due = t.Due.In(w.loc).Format(w.l.dateLayout)
		}
		rows = append(rows, []string{due, t.Title})
	}
	w.table(cols, []string{w.l.due, w.l.task}, rows)
}

func (w *writer) notes(b *Brief) {
	var rows [][2]string
	if b.Company != nil && b.Company.Notes != "" {
		rows = append(rows, [2]string{b.Company.Name, b.Company.Notes})
	}
	for _, c := range b.Contacts {
		if c.Notes != "" {
			rows = append(rows, [2]string{c.FullName, c.Notes})
		}
	}
	w.section(w.l.notes)
	if len(rows) == 0 {
		w.empty(w.l.none)
		return
	}
	for _, r := range rows {
		w.pdf.SetFont(font, "B", bodyPt)
		w.pdf.MultiCell(w.width, lineH, r[0], "", "L", false)
		w.pdf.SetFont(font, "", bodyPt)
		w.pdf.MultiCell(w.width, lineH, r[1], "", "L", false)
		w.pdf.Ln(1.5)
	}
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// clip shortens s to at most n runes, so that one long interaction cannot
// fill more than a page of a table row.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n])) + "…"
}
