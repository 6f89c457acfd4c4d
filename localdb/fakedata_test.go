package localdb

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
)

// Realistic test data: German and international names, companies, e-mail
// addresses, phone numbers and cities, generated deterministically from a
// seed so that benchmarks and tests see the same data set on every run.

var givenNames = []string{
	"Jürgen", "Jörg", "Björn", "Sören", "Günter", "Käthe", "Thomas", "Michael", "Andreas", "Stefan",
	"Peter", "Klaus", "Wolfgang", "Frank", "Uwe", "Matthias", "Christian", "Markus", "Sebastian", "Tobias",
	"Anna", "Maria", "Ursula", "Monika", "Petra", "Sabine", "Claudia", "Susanne", "Julia", "Katrin",
	"Sophie", "Lena", "Hannah", "Lea", "Jana", "Birgit", "Renate", "Heike", "Gisela", "Brigitte",
	"Maximilian", "Lukas", "Jonas", "Felix", "Paul", "Leon", "Niklas", "Jan", "Tim", "Florian",
	"Ömer", "Ayşe", "Mehmet", "Fatma", "Emre", "Zeynep", "Piotr", "Agnieszka", "Tomasz", "Katarzyna",
	"John", "Mary", "James", "Emma", "Olivia", "William", "Sarah", "David", "Laura", "Daniel",
	"Giulia", "Marco", "Luca", "Chiara", "José", "Lucía", "Pierre", "Amélie", "François", "Élodie",
	"Lars", "Ingrid", "Søren", "Åsa", "Jiří", "Zoë", "Noël", "Raphaël", "Zoltán", "Dragoş",
}

var familyNames = []string{
	"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
	"Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
	"Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Schmitz", "Krause", "Meier",
	"Lehmann", "Schmid", "Schulze", "Maier", "Köhler", "Herrmann", "König", "Walter", "Mayer", "Huber",
	"Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Schubert",
	"Vogel", "Friedrich", "Keller", "Günther", "Frank", "Berger", "Winkler", "Roth", "Beck", "Lorenz",
	"Baumann", "Franke", "Albrecht", "Schuster", "Simon", "Ludwig", "Böhm", "Winter", "Kraus", "Martin",
	"Schumacher", "Krämer", "Vogt", "Stein", "Jäger", "Otto", "Sommer", "Groß", "Seidel", "Heinrich",
	"Brandt", "Haas", "Schreiber", "Graf", "Schulte", "Dietrich", "Ziegler", "Kuhn", "Kühn", "Pohl",
	"Mueller", "Müller-Lüdenscheidt", "von Bülow", "Smith", "García", "Rossi", "Nowak", "Yılmaz", "Kowalski", "Dubois",
	"Jansen", "Andersson", "Novák", "Papadopoulos", "Silva", "O'Brien", "Nguyen", "Kim", "Wang", "Öztürk",
	"Şahin", "Wiśniewski", "Bianchi", "Fernández", "Lefèvre", "De Jong", "Hansen", "Nielsen", "Horváth", "Dvořák",
}

// cities with their postal code prefix and the landline area code used for
// phones there; the first ones are the most frequent.
var cities = []struct{ name, postal, area, country string }{
	{"Berlin", "10", "030", "DE"}, {"Hamburg", "20", "040", "DE"}, {"München", "80", "089", "DE"},
	{"Köln", "50", "0221", "DE"}, {"Frankfurt am Main", "60", "069", "DE"}, {"Stuttgart", "70", "0711", "DE"},
	{"Düsseldorf", "40", "0211", "DE"}, {"Leipzig", "04", "0341", "DE"}, {"Dortmund", "44", "0231", "DE"},
	{"Essen", "45", "0201", "DE"}, {"Bremen", "28", "0421", "DE"}, {"Dresden", "01", "0351", "DE"},
	{"Hannover", "30", "0511", "DE"}, {"Nürnberg", "90", "0911", "DE"}, {"Duisburg", "47", "0203", "DE"},
	{"Bochum", "44", "0234", "DE"}, {"Wuppertal", "42", "0202", "DE"}, {"Bielefeld", "33", "0521", "DE"},
	{"Bonn", "53", "0228", "DE"}, {"Münster", "48", "0251", "DE"}, {"Mannheim", "68", "0621", "DE"},
	{"Karlsruhe", "76", "0721", "DE"}, {"Augsburg", "86", "0821", "DE"}, {"Wiesbaden", "65", "0611", "DE"},
	{"Mönchengladbach", "41", "02161", "DE"}, {"Gelsenkirchen", "45", "0209", "DE"}, {"Aachen", "52", "0241", "DE"},
	{"Braunschweig", "38", "0531", "DE"}, {"Kiel", "24", "0431", "DE"}, {"Chemnitz", "09", "0371", "DE"},
	{"Halle (Saale)", "06", "0345", "DE"}, {"Magdeburg", "39", "0391", "DE"}, {"Freiburg im Breisgau", "79", "0761", "DE"},
	{"Lübeck", "23", "0451", "DE"}, {"Erfurt", "99", "0361", "DE"}, {"Rostock", "18", "0381", "DE"},
	{"Kassel", "34", "0561", "DE"}, {"Würzburg", "97", "0931", "DE"}, {"Göttingen", "37", "0551", "DE"},
	{"Wien", "10", "+43 1", "AT"}, {"Graz", "80", "+43 316", "AT"}, {"Zürich", "80", "+41 44", "CH"},
	{"Basel", "40", "+41 61", "CH"}, {"London", "", "+44 20", "GB"}, {"Paris", "75", "+33 1", "FR"},
	{"Amsterdam", "10", "+31 20", "NL"}, {"Wrocław", "50", "+48 71", "PL"}, {"İstanbul", "34", "+90 212", "TR"},
	{"Milano", "20", "+39 02", "IT"}, {"Madrid", "28", "+34 91", "ES"},
}

var industries = []string{"Maschinenbau", "Logistik", "Software", "Handel", "Bau", "Medizintechnik",
	"Automotive", "Energie", "Lebensmittel", "Beratung", "Chemie", "Druck"}

var companyForms = []string{"GmbH", "GmbH & Co. KG", "AG", "KG", "e.K.", "SE", "Ltd", "S.A.", "B.V."}

var tagPool = []string{"Kunde", "Messe", "VIP", "Newsletter", "Partner", "Bestandskunde", "Interessent", "A-Kunde"}

var mobilePrefixes = []string{"0151", "0152", "0160", "0162", "0170", "0171", "0172", "0175", "0176", "0179"}

// fakeData generates realistic records from one seed.
type fakeData struct{ rnd *rand.Rand }

func newFakeData(seed uint64) *fakeData { return &fakeData{rnd: rand.New(rand.NewPCG(seed, 0x5eed))} }

// skewed picks an index in [0,n) favouring small indexes, like real name
// and city frequencies: the first of 130 family names (Müller) gets about 9%.
func (f *fakeData) skewed(n int) int {
	x := f.rnd.Float64()
	return min(n-1, int(float64(n)*x*x))
}

func (f *fakeData) digits(n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('0' + f.rnd.IntN(10)))
	}
	return b.String()
}

func (f *fakeData) city() (name, postal, area, country string) {
	c := cities[f.skewed(len(cities))]
	postal = c.postal
	if postal != "" {
		postal += f.digits(5 - len(postal))
		if c.country == "AT" || c.country == "CH" {
			postal = postal[:4]
		}
	}
	return c.name, postal, c.area, c.country
}

// asciiFold spells a name the way it appears in e-mail addresses.
func asciiFold(s string) string {
	r := strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "Ä", "Ae", "Ö", "Oe", "Ü", "Ue", "ß", "ss",
		"é", "e", "è", "e", "ë", "e", "á", "a", "à", "a", "ç", "c", "ñ", "n", "ø", "o", "å", "a", "Å", "A",
		"í", "i", "ó", "o", "ı", "i", "İ", "I", "ş", "s", "Ş", "S", "ğ", "g", "ś", "s", "ł", "l", "ř", "r",
		"ě", "e", "ý", "y", "ž", "z", "č", "c", "Č", "C", "š", "s", "Š", "S", "ô", "o", "É", "E", "Ø", "O",
		"Ö", "O", "ă", "a", "'", "", " ", "-")
	return strings.ToLower(r.Replace(s))
}

func (f *fakeData) company() *Company {
	fam := familyNames[f.skewed(len(familyNames))]
	city, postal, area, country := f.city()
	var name string
	switch f.rnd.IntN(4) {
	case 0:
		name = fam + " " + companyForms[f.rnd.IntN(len(companyForms))]
	case 1:
		name = fam + " & " + familyNames[f.rnd.IntN(len(familyNames))] + " " + companyForms[f.rnd.IntN(3)]
	case 2:
		name = city + " " + industries[f.rnd.IntN(len(industries))] + " " + companyForms[f.rnd.IntN(len(companyForms))]
	default:
		name = fam + " " + industries[f.rnd.IntN(len(industries))] + " " + companyForms[f.rnd.IntN(3)]
	}
	return &Company{
		Name:       name,
		Industry:   industries[f.rnd.IntN(len(industries))],
		Website:    "https://www." + asciiFold(strings.Fields(name)[0]) + ".example",
		Phone:      area + " " + f.digits(7),
		Street:     familyNames[f.rnd.IntN(len(familyNames))] + "straße " + fmt.Sprint(1+f.rnd.IntN(120)),
		PostalCode: postal,
		City:       city,
		Country:    country,
		Tags:       f.tags(),
	}
}

func (f *fakeData) tags() []string {
	var tags []string
	for range f.rnd.IntN(3) {
		tags = append(tags, tagPool[f.rnd.IntN(len(tagPool))])
	}
	return tags
}

func (f *fakeData) phone(area string) Phone {
	if f.rnd.IntN(3) > 0 {
		num := mobilePrefixes[f.rnd.IntN(len(mobilePrefixes))] + " " + f.digits(7+f.rnd.IntN(2))
		if f.rnd.IntN(2) == 0 {
			num = "+49 " + num[1:]
		}
		return Phone{Number: num, Type: PhoneMobile}
	}
	return Phone{Number: area + " " + f.digits(7), Type: PhoneWork}
}

// contact returns a contact working at co (which may be nil).
func (f *fakeData) contact(co *Company) *Contact {
	given := givenNames[f.skewed(len(givenNames))]
	family := familyNames[f.skewed(len(familyNames))]
	city, postal, area, country := f.city()
	domain := "example.com"
	c := &Contact{GivenName: given, FamilyName: family, LeadStatus: LeadStatuses[f.rnd.IntN(len(LeadStatuses))]}
	if co != nil {
		c.CompanyID = co.ID
		domain = strings.TrimPrefix(co.Website, "https://www.")
		city, postal = co.City, co.PostalCode
		c.Title = []string{"", "Einkauf", "Geschäftsführer", "Vertriebsleiterin", "Head of IT", "Prokurist"}[f.rnd.IntN(6)]
	}
	c.Emails = []Email{{Address: asciiFold(given) + "." + asciiFold(family) + "@" + domain, Type: "work", Primary: true}}
	c.Phones = []Phone{f.phone(area)}
	if f.rnd.IntN(4) == 0 {
		c.Phones = append(c.Phones, f.phone(area))
	}
	c.Addresses = []Address{{Type: "work", Street: familyNames[f.rnd.IntN(len(familyNames))] + "weg " + fmt.Sprint(1+f.rnd.IntN(80)),
		PostalCode: postal, City: city, Country: country}}
	c.Tags = f.tags()
	if f.rnd.IntN(5) == 0 {
		c.Notes = []string{"Kennt " + familyNames[f.rnd.IntN(len(familyNames))] + " von der Messe.",
			"Rückruf erbeten, bevorzugt vormittags.", "Interessiert an Wartungsvertrag.",
			"Entscheidet zusammen mit " + givenNames[f.rnd.IntN(len(givenNames))] + "."}[f.rnd.IntN(4)]
	}
	return c
}

// fillStore writes companies and contacts in batches of one transaction
// each, through the public API, journal and search index included.
func fillStore(s *Store, seed uint64, companies, contacts int) error {
	ctx := context.Background()
	f := newFakeData(seed)
	cos := make([]*Company, 0, companies)
	const batch = 2000
	for start := 0; start < companies; start += batch {
		err := s.Update(ctx, func(t *Tx) error {
			for range min(batch, companies-start) {
				co := f.company()
				if err := t.Create(co); err != nil {
					return err
				}
				cos = append(cos, co)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for start := 0; start < contacts; start += batch {
		err := s.Update(ctx, func(t *Tx) error {
			for range min(batch, contacts-start) {
				var co *Company
				if len(cos) > 0 && f.rnd.IntN(5) > 0 {
					co = cos[f.rnd.IntN(len(cos))]
				}
				if err := t.CreateContact(f.contact(co)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
