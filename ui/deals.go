package ui

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"repdesk/localdb"
)

// dealRow is a deal as the board and the list show it.
type dealRow struct {
	id, title, stage, currency, expected string
	company, contact, companyID          string
	amount, probability                  int64
}

// weighted is the amount times the probability.
func (d dealRow) weighted() int64 { return d.amount * d.probability / 100 }

func loadDealRows(ctx context.Context, db *sql.DB) ([]dealRow, error) {
	rs, err := db.QueryContext(ctx, `SELECT d.id, d.title, d.stage, d.currency, d.expected_close,
		COALESCE(co.name, ''), COALESCE(ct.full_name, ''), d.company_id, d.amount, d.probability
		FROM deals d
		LEFT JOIN companies co ON co.id = d.company_id AND co.deleted = 0
		LEFT JOIN contacts ct ON ct.id = d.contact_id AND ct.deleted = 0
		WHERE d.deleted = 0
		ORDER BY d.expected_close = '', d.expected_close, d.title COLLATE NOCASE, d.id`)
	if err != nil {
		return nil, fmt.Errorf("load deals: %w", err)
	}
	defer rs.Close()
	var out []dealRow
	for rs.Next() {
		var d dealRow
		if err := rs.Scan(&d.id, &d.title, &d.stage, &d.currency, &d.expected, &d.company, &d.contact, &d.companyID,
			&d.amount, &d.probability); err != nil {
			return nil, fmt.Errorf("load deals: %w", err)
		}
		out = append(out, d)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("load deals: %w", err)
	}
	return out, nil
}

type dealsData struct {
	stages []localdb.Stage
	deals  []dealRow
}

// dealsScreen shows the pipeline as a board (a column per stage; drag a
// card, or right-click it, to move it) or as a sortable list.
type dealsScreen struct {
	a       *App
	root    fyne.CanvasObject
	body    *fyne.Container
	summary *widget.Label
	mode    *widget.RadioGroup
	board   *dealBoard
	table   *dealTable

	data   dealsData
	loaded bool
	stale  bool
	slot   slot
}

func newDealsScreen(a *App) *dealsScreen {
	s := &dealsScreen{a: a}
	s.board = newDealBoard(s)
	s.table = newDealTable(s)
	s.summary = secondary("")
	board, list := lang.L("Board"), lang.L("List")
	s.mode = widget.NewRadioGroup([]string{board, list}, func(v string) { s.showMode(v == list) })
	s.mode.Horizontal = true
	s.mode.Required = true
	newBtn := widget.NewButtonWithIcon(lang.L("New deal"), theme.ContentAddIcon(), func() { s.newDeal("", "") })
	newBtn.Importance = widget.HighImportance
	header := container.NewBorder(nil, nil, container.NewHBox(heading(lang.L("Deals")), container.NewCenter(s.summary)),
		container.NewHBox(s.mode, newBtn))
	s.body = container.NewStack()
	s.root = container.NewBorder(header, nil, nil, nil, s.body)
	s.mode.SetSelected(board)
	return s
}

func (s *dealsScreen) id() string              { return "deals" }
func (s *dealsScreen) label() string           { return lang.L("Deals") }
func (s *dealsScreen) icon() fyne.Resource     { return iconDeal }
func (s *dealsScreen) view() fyne.CanvasObject { return s.root }

func (s *dealsScreen) shown() {
	if !s.loaded || s.stale {
		s.reload()
	}
}

func (s *dealsScreen) changed(entity string) {
	if entity == "" || entity == localdb.EntityDeal || entity == localdb.EntityCompany || entity == localdb.EntityContact {
		s.stale = true
		if s.a.current() == s {
			s.reload()
		}
	}
}

func (s *dealsScreen) stop() { s.slot.stop() }

func (s *dealsScreen) showMode(list bool) {
	if list {
		s.body.Objects = []fyne.CanvasObject{s.table.view()}
	} else {
		s.body.Objects = []fyne.CanvasObject{s.board.view()}
	}
	s.body.Refresh()
}

func (s *dealsScreen) reload() {
	s.stale = false
	run(s.a, &s.slot, func(ctx context.Context) (dealsData, error) {
		stages, err := s.a.store.Stages(ctx)
		if err != nil {
			return dealsData{}, err
		}
		deals, err := loadDealRows(ctx, s.a.store.DB())
		return dealsData{stages, deals}, err
	}, func(d dealsData, err error) {
		if err != nil {
			s.summary.SetText(lang.L("Could not load the deals: {{.Error}}", map[string]any{"Error": errorMessage(err)}))
			return
		}
		s.data, s.loaded = d, true
		s.board.set(d)
		s.table.set(d.deals)
		s.updateSummary()
	})
}

// currencyOrder lists the currencies of sums: the rep's first, then the
// others alphabetically.
func (s *dealsScreen) currencyOrder(sums map[string]int64) []string {
	home := s.a.currency()
	var others []string
	for c := range sums {
		if c != home {
			others = append(others, c)
		}
	}
	slices.Sort(others)
	return append([]string{home}, others...)
}

func (s *dealsScreen) updateSummary() {
	open := map[string]bool{}
	for _, st := range s.data.stages {
		open[st.Name] = st.Closed == ""
	}
	var openDeals []dealRow
	for _, d := range s.data.deals {
		if open[d.stage] {
			openDeals = append(openDeals, d)
		}
	}
	n := len(openDeals)
	total, weighted := stageTotals(openDeals)
	s.summary.SetText(lang.N("{{.N}} open deal", n, map[string]any{"N": s.a.loc.number(int64(n))}) + " · " +
		s.a.loc.moneyParts(total, s.currencyOrder(total)) + " · " +
		lang.L("weighted {{.Amount}}", map[string]any{"Amount": s.a.loc.moneyParts(weighted, s.currencyOrder(weighted))}))
}

// move puts deal id into stage.
func (s *dealsScreen) move(id, stage string) {
	i := slices.IndexFunc(s.data.deals, func(d dealRow) bool { return d.id == id })
	if i < 0 || s.data.deals[i].stage == stage {
		return
	}
	background(s.a, func(ctx context.Context) (*localdb.Deal, error) {
		return s.a.store.MoveDeal(ctx, id, stage)
	}, func(d *localdb.Deal, err error) {
		if err != nil {
			s.a.showError(lang.L("Could not move the deal"), err)
			return
		}
		// Show the move at once; the reload confirms it.
		deals := slices.Clone(s.data.deals)
		if j := slices.IndexFunc(deals, func(r dealRow) bool { return r.id == id }); j >= 0 {
			deals[j].stage, deals[j].probability = d.Stage, d.Probability
		}
		s.data.deals = deals
		s.board.set(s.data)
		s.table.set(deals)
		s.updateSummary()
		s.a.changed(s, localdb.EntityDeal)
	})
}

// open shows deal id in its dialog.
func (s *dealsScreen) open(id string) {
	background(s.a, func(ctx context.Context) (*localdb.Deal, error) {
		return s.a.store.GetDeal(ctx, id)
	}, func(d *localdb.Deal, err error) {
		if err != nil {
			s.a.showError(lang.L("Could not open the deal"), err)
			return
		}
		s.openForm(d)
	})
}

// newDeal opens the dialog for a new deal, at a company when given.
func (s *dealsScreen) newDeal(companyID, company string) {
	s.openForm(&localdb.Deal{CompanyID: companyID, Company: company, Currency: s.a.currency(), Stage: firstStage(s.data.stages)})
}

func firstStage(st []localdb.Stage) string {
	if len(st) == 0 {
		return "Lead"
	}
	return st[0].Name
}

func (s *dealsScreen) openForm(d *localdb.Deal) {
	if len(s.data.stages) == 0 { // the screen has not loaded yet
		background(s.a, func(ctx context.Context) ([]localdb.Stage, error) {
			return s.a.store.Stages(ctx)
		}, func(st []localdb.Stage, err error) {
			if err != nil {
				s.a.showError(lang.L("Could not open the deal"), err)
				return
			}
			s.data.stages = st
			s.openForm(d)
		})
		return
	}
	newDealDialog(s.a, d, s.data.stages, func() {
		s.reload()
		s.a.changed(s, localdb.EntityDeal)
		if d.CompanyID == "" {
			s.a.changed(s, localdb.EntityCompany) // a company may have been created
		}
	})
}

// stageTotals sums a column: amounts and weighted amounts per currency, the
// weighted ones rounded to whole units (a forecast has no cents).
func stageTotals(deals []dealRow) (total, weighted map[string]int64) {
	total, weighted = map[string]int64{}, map[string]int64{}
	for _, d := range deals {
		total[d.currency] += d.amount
		weighted[d.currency] += d.weighted()
	}
	for c, v := range weighted {
		weighted[c] = (v + 50) / 100 * 100
	}
	return total, weighted
}

// dealTable is the sortable list of deals.
type dealTable struct {
	s       *dealsScreen
	table   *widget.Table
	deals   []dealRow
	sortCol int
	desc    bool
	empty   fyne.CanvasObject
	stack   *fyne.Container
}

func dealColumns() []string {
	return []string{lang.L("Title"), lang.L("Company"), lang.L("Stage"), lang.L("Amount"), lang.L("Probability"),
		lang.L("Weighted"), lang.L("Expected close")}
}

var dealColumnWidths = []float32{260, 200, 120, 120, 100, 120, 130}

func newDealTable(s *dealsScreen) *dealTable {
	t := &dealTable{s: s, sortCol: 6}
	cols := dealColumns()
	t.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(t.deals), len(cols) },
		func() fyne.CanvasObject { return truncLabel("") },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			d := t.deals[id.Row]
			l.Alignment = fyne.TextAlignLeading
			loc := s.a.loc
			switch id.Col {
			case 0:
				l.SetText(d.title)
			case 1:
				l.SetText(d.company)
			case 2:
				l.SetText(stageName(d.stage))
			case 3:
				l.Alignment = fyne.TextAlignTrailing
				l.SetText(loc.money(d.amount, d.currency))
			case 4:
				l.Alignment = fyne.TextAlignTrailing
				l.SetText(loc.percent(d.probability))
			case 5:
				l.Alignment = fyne.TextAlignTrailing
				l.SetText(loc.money(d.weighted(), d.currency))
			case 6:
				l.SetText(loc.isoDate(d.expected))
			}
		})
	t.table.ShowHeaderColumn = false
	t.table.CreateHeader = func() fyne.CanvasObject {
		b := widget.NewButton("", nil)
		b.Importance = widget.LowImportance
		b.Alignment = widget.ButtonAlignLeading
		return b
	}
	t.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		b := o.(*widget.Button)
		b.SetText(cols[id.Col])
		b.SetIcon(nil)
		if id.Col == t.sortCol {
			b.SetIcon(theme.MenuDropUpIcon())
			if t.desc {
				b.SetIcon(theme.MenuDropDownIcon())
			}
		}
		col := id.Col
		b.OnTapped = func() { t.sortBy(col) }
	}
	for i, w := range dealColumnWidths {
		t.table.SetColumnWidth(i, w)
	}
	t.table.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(t.deals) {
			t.s.open(t.deals[id.Row].id)
		}
		t.table.UnselectAll()
	}
	t.empty = emptyState(iconDeal, lang.L("No deals yet"), lang.L("Add a deal from here, a company or a contact."))
	t.stack = container.NewStack(t.table)
	return t
}

func (t *dealTable) view() fyne.CanvasObject { return t.stack }

func (t *dealTable) set(deals []dealRow) {
	t.deals = slices.Clone(deals)
	t.sort()
	if len(deals) == 0 {
		t.stack.Objects = []fyne.CanvasObject{t.empty}
	} else {
		t.stack.Objects = []fyne.CanvasObject{t.table}
	}
	t.stack.Refresh()
}

// sortBy sorts by column col; sorting by it again reverses the order.
func (t *dealTable) sortBy(col int) {
	if t.sortCol == col {
		t.desc = !t.desc
	} else {
		t.sortCol, t.desc = col, false
	}
	t.sort()
}

func (t *dealTable) sort() {
	stagePos := map[string]int{}
	for _, st := range t.s.data.stages {
		stagePos[st.Name] = st.Position
	}
	key := func(a, b dealRow) int {
		switch t.sortCol {
		case 0:
			return cmp.Compare(strings.ToLower(a.title), strings.ToLower(b.title))
		case 1:
			return cmp.Compare(strings.ToLower(a.company), strings.ToLower(b.company))
		case 2:
			return cmp.Compare(stagePos[a.stage], stagePos[b.stage])
		case 3:
			return cmp.Compare(a.amount, b.amount)
		case 4:
			return cmp.Compare(a.probability, b.probability)
		case 5:
			return cmp.Compare(a.weighted(), b.weighted())
		}
		// Deals without an expected close go last either way.
		if (a.expected == "") != (b.expected == "") {
			if a.expected == "" {
				return 1
			}
			return -1
		}
		return cmp.Compare(a.expected, b.expected)
	}
	slices.SortStableFunc(t.deals, func(a, b dealRow) int {
		c := key(a, b)
		if t.desc {
			c = -c
		}
		if c == 0 {
			c = cmp.Compare(a.id, b.id)
		}
		return c
	})
	t.table.Refresh()
}
