// Package demo fills a store with realistic demo data: German and
// international names, companies across Germany, Austria and Switzerland,
// deals in every stage, activities, tasks and visits. It is also the data set
// the benchmarks run on.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"repdesk/localdb"
)

// Options size the demo data set.
type Options struct {
	Contacts int       // number of contacts (default 500)
	Seed     uint64    // random seed; the same seed gives the same data
	Now      time.Time // "today" for dates (default time.Now)
	// Progress, when set, is called after each committed batch.
	Progress func(done, total int)
}

// Counts reports what Seed created.
type Counts struct {
	Companies, Contacts, Deals, Activities, Tasks, Visits int
	Products, LineItems                                   int
}

const batchSize = 2000

// Seed creates the demo data. Each batch of records is one transaction, so an
// interrupted seed leaves only whole batches behind.
func Seed(ctx context.Context, s *localdb.Store, o Options) (Counts, error) {
	if o.Contacts <= 0 {
		o.Contacts = 500
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if err := markSeeded(ctx, s); err != nil {
		return Counts{}, err
	}
	g := &gen{r: rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)), now: o.Now}
	var n Counts
	nCompanies := max(5, o.Contacts/10)
	nDeals := o.Contacts / 5
	nActivities := o.Contacts / 4
	nTasks := max(5, o.Contacts/25)
	nVisits := max(3, o.Contacts/50)
	total := nCompanies + o.Contacts + nDeals + nActivities + nTasks + nVisits
	done := 0

	companies := make([]companyRef, 0, nCompanies)
	contacts := make([]contactRef, 0, o.Contacts)
	stages, err := s.Stages(ctx)
	if err != nil {
		return n, fmt.Errorf("demo: %w", err)
	}

	type step struct {
		count int
		make  func(t *localdb.Tx, i int) error
	}
	steps := []step{
		{nCompanies, func(t *localdb.Tx, i int) error {
			c := g.company()
			if err := t.Create(c); err != nil {
				return err
			}
			companies = append(companies, companyRef{c.ID, c.Name, c.City})
			n.Companies++
			return nil
		}},
		{o.Contacts, func(t *localdb.Tx, i int) error {
			co := companies[g.r.IntN(len(companies))]
			c := g.contact(co)
			if err := t.Create(c); err != nil {
				return err
			}
			contacts = append(contacts, contactRef{c.ID, co.id, c.FullName})
			n.Contacts++
			return nil
		}},
		{nDeals, func(t *localdb.Tx, i int) error {
			if err := t.Create(g.deal(contacts[g.r.IntN(len(contacts))], stages)); err != nil {
				return err
			}
			n.Deals++
			return nil
		}},
		{nActivities, func(t *localdb.Tx, i int) error {
			if err := t.Create(g.activity(contacts[g.r.IntN(len(contacts))])); err != nil {
				return err
			}
			n.Activities++
			return nil
		}},
		{nTasks, func(t *localdb.Tx, i int) error {
			if err := t.Create(g.task(contacts[g.r.IntN(len(contacts))])); err != nil {
				return err
			}
			n.Tasks++
			return nil
		}},
		{nVisits, func(t *localdb.Tx, i int) error {
			if err := t.Create(g.visit(contacts[g.r.IntN(len(contacts))], s.Owner())); err != nil {
				return err
			}
			n.Visits++
			return nil
		}},
	}
	for _, st := range steps {
		for start := 0; start < st.count; start += batchSize {
			end := min(start+batchSize, st.count)
			err := s.Update(ctx, func(t *localdb.Tx) error {
				for i := start; i < end; i++ {
					if err := st.make(t, i); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return n, fmt.Errorf("demo: %w", err)
			}
			done += end - start
			if o.Progress != nil {
				o.Progress(done, total)
			}
		}
	}
	if n.Products, n.LineItems, err = seedProducts(ctx, s, g); err != nil {
		return n, fmt.Errorf("demo: %w", err)
	}
	return n, nil
}

type companyRef struct{ id, name, city string }
type contactRef struct{ id, companyID, name string }

type gen struct {
	r   *rand.Rand
	now time.Time
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// slug turns a name into an e-mail-safe ASCII word.
func slug(s string) string {
	r := strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "Ä", "ae", "Ö", "oe", "Ü", "ue", "ß", "ss",
		"é", "e", "è", "e", "á", "a", "í", "i", "ó", "o", "ç", "c", "ş", "s", "ı", "i", "ł", "l", "ř", "r", "á", "a",
		"'", "", " ", "")
	return strings.ToLower(r.Replace(s))
}

func (g *gen) phone(countryAndArea [2]string, mobile bool) string {
	if mobile {
		return fmt.Sprintf("+%s 1%d%d %07d", countryAndArea[0], 5+g.r.IntN(3), g.r.IntN(10), g.r.IntN(10000000))
	}
	return fmt.Sprintf("+%s %s %d", countryAndArea[0], countryAndArea[1], 100000+g.r.IntN(8999999))
}

func (g *gen) company() *localdb.Company {
	city := pick(g.r, cities)
	kind := pick(g.r, companyKinds)
	name := pick(g.r, companyStems) + " " + kind.suffix
	if g.r.IntN(3) == 0 {
		name = pick(g.r, familyNames) + " " + kind.suffix
	}
	c := &localdb.Company{
		Name:       name,
		Industry:   kind.industry,
		Website:    "https://www." + slug(strings.Fields(name)[0]) + "-" + slug(kind.industry) + ".example",
		Phone:      g.phone([2]string{countryCode[city.country], city.area}, false),
		Street:     fmt.Sprintf("%s %d", pick(g.r, streets), 1+g.r.IntN(120)),
		PostalCode: city.postal,
		City:       city.name,
		Region:     city.region,
		Country:    city.country,
		Notes:      pick(g.r, notes),
	}
	if g.r.IntN(4) == 0 {
		c.Tags = []string{pick(g.r, tagPool)}
	}
	return c
}

func (g *gen) contact(co companyRef) *localdb.Contact {
	given, family := pick(g.r, givenNames), pick(g.r, familyNames)
	domain := slug(strings.Fields(co.name)[0]) + ".example"
	city := pick(g.r, cities)
	for _, c := range cities {
		if c.name == co.city {
			city = c
		}
	}
	cc := [2]string{countryCode[city.country], city.area}
	c := &localdb.Contact{
		GivenName:  given,
		FamilyName: family,
		Title:      pick(g.r, titles),
		CompanyID:  co.id,
		Emails:     []localdb.Email{{Address: slug(given) + "." + slug(family) + fmt.Sprint(g.r.IntN(100)) + "@" + domain, Type: "work", Primary: true}},
		Phones:     []localdb.Phone{{Number: g.phone(cc, false), Type: localdb.PhoneWork}},
		Addresses: []localdb.Address{{Type: "work", Street: fmt.Sprintf("%s %d", pick(g.r, streets), 1+g.r.IntN(120)),
			PostalCode: city.postal, City: city.name, Region: city.region, Country: city.country}},
		LeadStatus: pick(g.r, localdb.LeadStatuses),
		Source:     pick(g.r, sources),
		Notes:      pick(g.r, notes),
		DoNotCall:  g.r.IntN(40) == 0,
	}
	if g.r.IntN(2) == 0 {
		c.Phones = append(c.Phones, localdb.Phone{Number: g.phone(cc, true), Type: localdb.PhoneMobile})
	}
	if g.r.IntN(5) == 0 {
		c.Prefix = pick(g.r, []string{"Dr.", "Prof. Dr.", "Dipl.-Ing."})
	}
	if g.r.IntN(3) == 0 {
		c.Tags = []string{pick(g.r, tagPool)}
		if g.r.IntN(3) == 0 {
			c.Tags = append(c.Tags, pick(g.r, tagPool))
		}
	}
	if g.r.IntN(4) == 0 {
		c.Birthday = fmt.Sprintf("%d-%02d-%02d", 1960+g.r.IntN(40), 1+g.r.IntN(12), 1+g.r.IntN(28))
	}
	return c
}

func (g *gen) deal(ct contactRef, stages []localdb.Stage) *localdb.Deal {
	st := stages[g.r.IntN(len(stages))]
	d := &localdb.Deal{
		Title:         pick(g.r, dealThemes) + " " + ct.name,
		CompanyID:     ct.companyID,
		ContactID:     ct.id,
		Stage:         st.Name,
		Amount:        int64(500+g.r.IntN(150)) * 100 * int64(1+g.r.IntN(20)),
		Currency:      "EUR",
		ExpectedClose: g.now.AddDate(0, 0, g.r.IntN(180)-30).Format(time.DateOnly),
		NextStep:      pick(g.r, []string{"Angebot senden", "Demo vereinbaren", "Entscheider einbinden", "Vertrag prüfen", ""}),
	}
	if st.Closed == "lost" {
		d.LostReason = pick(g.r, []string{"Preis", "Wettbewerber", "Kein Budget", "Projekt verschoben"})
	}
	return d
}

func (g *gen) activity(ct contactRef) *localdb.Activity {
	a := &localdb.Activity{
		Kind:       pick(g.r, []string{localdb.KindCall, localdb.KindCall, localdb.KindCall, localdb.KindEmail, localdb.KindNote, localdb.KindMeeting}),
		OccurredAt: g.now.Add(-time.Duration(g.r.IntN(90*24)) * time.Hour).Truncate(time.Minute),
		Subject:    pick(g.r, callSubjects),
		ContactID:  ct.id,
		CompanyID:  ct.companyID,
	}
	switch a.Kind {
	case localdb.KindCall:
		a.Direction = "out"
		a.Outcome = pick(g.r, localdb.CallOutcomes)
		if a.Outcome == localdb.OutcomeConnected {
			a.DurationS = int64(60 + g.r.IntN(900))
		}
	case localdb.KindEmail:
		a.Direction = "out"
	}
	return a
}

func (g *gen) task(ct contactRef) *localdb.Task {
	day := time.Date(g.now.Year(), g.now.Month(), g.now.Day(), 9+g.r.IntN(8), 0, 0, 0, g.now.Location())
	return &localdb.Task{
		Title:     pick(g.r, []string{"Zurückrufen: ", "Angebot nachfassen: ", "Termin bestätigen: ", "Unterlagen senden: "}) + ct.name,
		Kind:      pick(g.r, localdb.TaskKinds),
		Due:       day.AddDate(0, 0, g.r.IntN(14)-3),
		ContactID: ct.id,
		CompanyID: ct.companyID,
	}
}

func (g *gen) visit(ct contactRef, assignee string) *localdb.Visit {
	start := time.Date(g.now.Year(), g.now.Month(), g.now.Day(), 8+g.r.IntN(9), 0, 0, 0, g.now.Location()).AddDate(0, 0, g.r.IntN(21)-7)
	status := localdb.VisitPlanned
	if start.Before(g.now) {
		status = localdb.VisitDone
	}
	return &localdb.Visit{
		StartAt:   start,
		EndAt:     start.Add(time.Duration(1+g.r.IntN(2)) * time.Hour),
		CompanyID: ct.companyID,
		ContactID: ct.id,
		Assignee:  assignee,
		Purpose:   pick(g.r, []string{"Jahresgespräch", "Produktvorführung", "Vertragsverlängerung", "Bedarfsanalyse vor Ort"}),
		Status:    status,
	}
}
