package vcard_test

import (
	"bytes"
	"errors"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb/vcard"
)

// readAll reads every card of r, collecting cards and per-card errors.
func readAll(t *testing.T, r io.Reader, opts ...vcard.Option) ([]vcard.Card, []*vcard.CardError) {
	t.Helper()
	rd := vcard.NewReader(r, opts...)
	var cards []vcard.Card
	var cardErrs []*vcard.CardError
	for {
		c, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return cards, cardErrs
		}
		var ce *vcard.CardError
		if errors.As(err, &ce) {
			cardErrs = append(cardErrs, ce)
			continue
		}
		require.NoError(t, err)
		cards = append(cards, *c)
	}
}

func readFile(t *testing.T, name string, opts ...vcard.Option) ([]vcard.Card, []*vcard.CardError) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	require.NoError(t, err)
	defer f.Close()
	return readAll(t, f, opts...)
}

func testdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

func TestReadProducers(t *testing.T) {
	jpeg := testdata(t, "photo.jpg")
	png := testdata(t, "photo.png")
	tests := []struct {
		file string
		want []vcard.Card
	}{
		{
			file: "outlook-2.1-cp1252.vcf",
			want: []vcard.Card{{
				Number: 1, Line: 1,
				FullName: "Dr. Jürgen Müller", GivenName: "Jürgen", FamilyName: "Müller", Prefix: "Dr.",
				Org: "Bäckerei Müller GmbH", Department: "Vertrieb Süd", Title: "Geschäftsführer", Role: "Einkauf",
				Emails: []vcard.Email{
					{Address: "juergen.mueller@baeckerei-mueller.example", Type: "other", Primary: true},
					{Address: "j.mueller@privat.example", Type: "other"},
				},
				Phones: []vcard.Phone{
					{Number: "+49 89 1234567", Type: "work"},
					{Number: "+49 171 2345678", Type: "mobile", Primary: true},
					{Number: "+49 89 1234568", Type: "fax"},
					{Number: "+49 89 7654321", Type: "home"},
				},
				Addresses: []vcard.Address{
					{Type: "work", Street: "Hauptstraße 5", PostalCode: "80331", City: "München", Region: "Bayern", Country: "Deutschland"},
					{Type: "home", Street: "Am Grünen Weg 3", PostalCode: "82166", City: "Gräfelfing", Country: "Deutschland"},
				},
				Birthday: "1970-04-15",
				Website:  "http://www.baeckerei-mueller.example",
				Notes:    "Kunde seit 2015. Bevorzugt Anrufe vormittags.\nGrößere Bestellungen über Herrn Müller, Preise in €.",
				Tags:     []string{"Kunden", "Großhandel"},
				Warnings: []string{"line 25: CATEGORIES is not UTF-8 and has no CHARSET; read as Windows-1252"},
			}, {
				Number: 2, Line: 29,
				FullName: "Anna Fischer", GivenName: "Anna", FamilyName: "Fischer", Org: "Fischer & Söhne KG",
				Emails: []vcard.Email{{Address: "anna@fischer-soehne.example", Type: "other", Primary: true}},
				Photo:  jpeg, PhotoType: "image/jpeg",
			}},
		},
		{
			file: "apple-3.0.vcf",
			want: []vcard.Card{{
				Number: 1, Line: 1,
				FullName: "Dr. Johnny Appleseed Jr.", GivenName: "Johnny", FamilyName: "Appleseed", Prefix: "Dr.", Suffix: "Jr.",
				Org: "Apple Inc.", Department: "Engineering", Title: "Senior Engineer",
				Emails: []vcard.Email{
					{Address: "johnny@apple.example", Type: "work", Primary: true},
					{Address: "j.appleseed@home.example", Type: "other"},
					{Address: "johnny@golfclub.example", Type: "other", Label: "Golf Club"},
				},
				Phones: []vcard.Phone{
					{Number: "+1 (408) 555-0100", Type: "mobile", Primary: true},
					{Number: "+1 408 555 0101", Type: "work"},
					{Number: "+1 408 555 0102", Type: "work"},
					{Number: "+1 408 555 0103", Type: "other", Label: "Assistant"},
					{Number: "+1 408 555 0104", Type: "fax"},
				},
				Addresses: []vcard.Address{
					{Type: "work", Street: "1 Infinite Loop\nBuilding 4", PostalCode: "95014", City: "Cupertino", Region: "CA", Country: "United States"},
					{Type: "other", Label: "Cabin", Street: "12 Vacation Rd", PostalCode: "96150", City: "Lake Tahoe", Region: "CA", Country: "United States"},
				},
				Birthday: "--03-12", // X-APPLE-OMIT-YEAR=1604
				Website:  "https://www.apple.example/johnny",
				Notes:    "Met at WWDC, loves espresso.\nAsk about the ;semicolon; project.",
				Photo:    jpeg, PhotoType: "image/jpeg",
			}, {
				Number: 2, Line: 43,
				FullName: "Acme Corporation", Org: "Acme Corporation",
				Phones: []vcard.Phone{
					{Number: "+1 800 555 0199", Type: "work", Primary: true},
					{Number: "+1 800 555 0198", Type: "fax"},
				},
				Birthday: "1985-03-12",
			}},
		},
		{
			file: "google-3.0.vcf",
			want: []vcard.Card{{
				Number: 1, Line: 1,
				FullName: "María José García", GivenName: "María José", FamilyName: "García",
				Org: "Empresa S.L.", Title: "Directora Comercial",
				Emails: []vcard.Email{
					{Address: "majo@gmail.example", Type: "home"},
					{Address: "mj.garcia@empresa.example", Type: "work"},
				},
				Phones: []vcard.Phone{
					{Number: "+34 612 345 678", Type: "mobile"},
					{Number: "+34 91 123 45 67", Type: "work"},
					{Number: "+34 600 000 001", Type: "other"},
					{Number: "+34 91 765 43 21", Type: "other", Label: "Oficina Central"},
				},
				Addresses: []vcard.Address{
					{Type: "home", Street: "Calle Mayor 10, 3º B", PostalCode: "28013", City: "Madrid", Region: "Comunidad de Madrid", Country: "España"},
				},
				Birthday: "--05-23",
				Website:  "https://empresa.example/majo", // written as https\://
				Notes:    "Prefiere WhatsApp.\nHabla alemán, inglés.",
				Tags:     []string{"Kunden", "VIP"}, // Google's system group myContacts dropped
				PhotoURI: "https://lh3.googleusercontent.com/contacts/AG6tpzE-example=s100",
			}, {
				Number: 2, Line: 23,
				FullName: "info@lieferant.example", // no FN, empty N: named after the e-mail
				Emails:   []vcard.Email{{Address: "info@lieferant.example", Type: "other"}},
			}},
		},
		{
			file: "android-2.1.vcf",
			want: []vcard.Card{{
				Number: 1, Line: 1,
				FullName: "Łukasz Żyła", GivenName: "Łukasz", FamilyName: "Żyła",
				Org: "Przedsiębiorstwo Handlowo-Usługowe „Łódź” Sp. z o.o.", Department: "Zaopatrzenie",
				Title: "Kierownik Zaopatrzenia",
				Emails: []vcard.Email{
					{Address: "lukasz@poczta.example", Type: "home"},
					{Address: "l.zyla@firma.example", Type: "work"},
				},
				Phones: []vcard.Phone{
					{Number: "+48600123456", Type: "mobile", Primary: true},
					{Number: "+48 22 123 45 67", Type: "home"},
					{Number: "+48 22 999 88 77", Type: "other"},
				},
				Addresses: []vcard.Address{
					{Type: "work", Street: "ul. Piotrkowska 120", PostalCode: "90-006", City: "Łódź", Region: "łódzkie", Country: "Polska"},
				},
				Birthday: "1990-07-01",
				Website:  "http://firma.example",
				Notes:    "Zamówienia zawsze w poniedziałki.\nDzwonić po 10:00, nie w piątki.",
				Photo:    jpeg, PhotoType: "image/jpeg",
			}, {
				// The soft line break splits the UTF-8 sequence of "ł" (=C5=|=82).
				Number: 2, Line: 35,
				FullName: "Małgorzata Świątek", GivenName: "Małgorzata", FamilyName: "Świątek",
				Phones: []vcard.Phone{{Number: "+48 12 345 67 89", Type: "work"}},
			}},
		},
		{
			file: "nextcloud-4.0.vcf",
			want: []vcard.Card{{
				Number: 1, Line: 1,
				UID:      "urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1",
				FullName: "Prof. Anna Maria Schmidt", GivenName: "Anna", FamilyName: "Schmidt", Prefix: "Prof.",
				Org: "Firma AG", Department: "IT, Support", Title: "Leiterin IT", Role: "Projektleitung",
				Emails: []vcard.Email{
					{Address: "anna@privat.example", Type: "home"},
					{Address: "anna.schmidt@firma.example", Type: "work", Primary: true}, // PREF=1 beats PREF=2
				},
				Phones: []vcard.Phone{
					{Number: "+49-170-1234567", Type: "mobile"},
					{Number: "+49-30-1234567 ext. 12", Type: "work", Primary: true},
				},
				Addresses: []vcard.Address{
					{Type: "work", Street: "Friedrichstr. 1", PostalCode: "10117", City: "Berlin", Country: "Germany"},
				},
				Birthday: "--04-15",
				Website:  "https://firma.example",
				Notes:    "Erste Notiz.\n\nZweite Notiz.",
				Tags:     []string{"Kunde", "VIP", "Partner"},
				Photo:    png, PhotoType: "image/png",
			}, {
				Number: 2, Line: 28,
				UID: "a1b2c3", FullName: "Nur Firma GmbH", Org: "Nur Firma GmbH",
				Phones:   []vcard.Phone{{Number: "+49-40-555-0000", Type: "other"}},
				Warnings: []string{`line 32: BDAY "circa 1960" is not a full date; ignored`},
			}, {
				Number: 3, Line: 35,
				FullName: "Lars Date", Birthday: "1985-03-12",
				PhotoURI: "https://photos.example/lars.jpg",
			}},
		},
		{
			file: "thunderbird-4.0.vcf",
			want: []vcard.Card{{
				Number: 1, Line: 1,
				UID:      "7e0c7c27-8a8c-4d0b-9f43-5e9f1e0c1a11",
				FullName: "Peter Meier", GivenName: "Peter", FamilyName: "Meier", Org: "Meier Holzbau AG",
				Emails: []vcard.Email{{Address: "peter.meier@holzbau.example", Type: "other", Primary: true}},
				Phones: []vcard.Phone{
					{Number: "+41 44 123 45 67", Type: "work"},
					{Number: "+41 79 123 45 67", Type: "mobile"},
				},
				Addresses: []vcard.Address{{Type: "other", Street: "Seestrasse 12", PostalCode: "8002", City: "Zürich", Region: "ZH", Country: "Schweiz"}},
				Birthday:  "1978-01-02",
				Website:   "https://meier-holzbau.example",
				Notes:     "Bestellt jeweils im Frühling.",
			}},
		},
		{
			file: "nokia-2.1-latin1.vcf",
			want: []vcard.Card{{
				Number: 1, Line: 3, // after a junk header
				FullName: "Liisa Mäkinen", GivenName: "Liisa", FamilyName: "Mäkinen",
				Phones: []vcard.Phone{
					{Number: "+358401234567", Type: "mobile", Primary: true},
					{Number: "+35891234567", Type: "home"},
					{Number: "+35891234500", Type: "fax"},
				},
				Birthday: "1975-11-30",
			}, {
				Number: 2, Line: 14,
				FullName: "Matti Virtanen", GivenName: "Matti", FamilyName: "Virtanen",
				Phones: []vcard.Phone{{Number: "0501234567", Type: "other"}},
				Notes:  "Soita aamulla, ei illalla.",
			}},
		},
		{
			file: "docomo-2.1-shift_jis.vcf",
			want: []vcard.Card{{
				Number: 1, Line: 1,
				// 能 is 0x94 0x5C in Shift_JIS: decoded before splitting, the
				// 0x5C does not escape the ';' that follows it.
				FullName: "山田 太郎", GivenName: "太郎", FamilyName: "山田",
				Org: "日本技能", Department: "営業部", Title: "課長",
				Emails:    []vcard.Email{{Address: "taro.yamada@docomo.example", Type: "other"}},
				Phones:    []vcard.Phone{{Number: "090-1234-5678", Type: "mobile"}},
				Addresses: []vcard.Address{{Type: "home", Street: "表参道3-5", PostalCode: "150-0001", City: "渋谷区", Region: "東京都", Country: "日本"}},
				Notes:     "ソフト表示の件で連絡",
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			cards, cardErrs := readFile(t, tt.file)
			require.Empty(t, cardErrs)
			require.Len(t, cards, len(tt.want))
			for i := range tt.want {
				assert.Equal(t, tt.want[i], cards[i], "card %d", i+1)
				if len(cards[i].Photo) > 0 {
					_, format, err := image.Decode(bytes.NewReader(cards[i].Photo))
					require.NoError(t, err, "photo of card %d must be a usable image", i+1)
					assert.Equal(t, cards[i].PhotoType, "image/"+format)
				}
			}
		})
	}
}
