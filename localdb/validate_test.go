package localdb

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidationErrors(t *testing.T) {
	start := time.Date(2025, 4, 2, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		rec   Record
		field string
		value string
		err   string
	}{
		{&Contact{}, "full_name", "", `create contact: full_name "": required: give a name`},
		{&Contact{FullName: "  "}, "full_name", "", `create contact: full_name "": required: give a name`},
		{&Contact{FullName: "Max", Emails: []Email{{Address: "max@"}}}, "email", "max@", `create contact: email "max@": missing domain`},
		{&Contact{FullName: "Max", Emails: []Email{{Address: "max"}}}, "email", "max", `create contact: email "max": missing @`},
		{&Contact{FullName: "Max", Emails: []Email{{Address: "@firma.de"}}}, "email", "@firma.de", `create contact: email "@firma.de": missing the part before @`},
		{&Contact{FullName: "Max", Emails: []Email{{Address: "max@firma"}}}, "email", "max@firma", `create contact: email "max@firma": domain has no dot`},
		{&Contact{FullName: "Max", Emails: []Email{{Address: "max@@firma.de"}}}, "email", "max@@firma.de", `create contact: email "max@@firma.de": more than one @`},
		{&Contact{FullName: "Max", Emails: []Email{{Address: "max muster@firma.de"}}}, "email", "max muster@firma.de", `create contact: email "max muster@firma.de": contains white space`},
		{&Contact{FullName: "Max", Emails: []Email{{Address: "max@firma..de"}}}, "email", "max@firma..de", `create contact: email "max@firma..de": malformed domain`},
		{&Contact{FullName: "Max", Emails: []Email{{Address: "max(at)@firma.de"}}}, "email", "max(at)@firma.de", `create contact: email "max(at)@firma.de": not a valid address`},
		{&Contact{FullName: "Max", Phones: []Phone{{Number: "call me"}}}, "phone", "call me", `create contact: phone "call me": contains letters`},
		{&Contact{FullName: "Max", Phones: []Phone{{Number: "12"}}}, "phone", "12", `create contact: phone "12": too few digits for a phone number`},
		{&Contact{FullName: "Max", Phones: []Phone{{Number: "0171 2345678", Type: "pager"}}}, "phone type", "pager",
			`create contact: phone type "pager": must be one of work, mobile, home, fax, other`},
		{&Contact{FullName: "Max", Birthday: "1980-13-01"}, "birthday", "1980-13-01", `create contact: birthday "1980-13-01": not a date (YYYY-MM-DD or --MM-DD)`},
		{&Contact{FullName: "Max", Birthday: "--02-30"}, "birthday", "--02-30", `create contact: birthday "--02-30": not a date (YYYY-MM-DD or --MM-DD)`},
		{&Contact{FullName: "Max", LeadStatus: "hot"}, "lead_status", "hot",
			`create contact: lead_status "hot": must be one of new, contacted, qualified, unqualified, customer`},
		{&Contact{Meta: Meta{ID: "42"}, FullName: "Max"}, "id", "42", `create contact: id "42": not a UUID`},
		{&Company{}, "name", "", `create company: name "": required: give the company's name`},
		{&Company{Name: "Muster AG", Phone: "zentrale"}, "phone", "zentrale", `create company: phone "zentrale": contains letters`},
		{&Deal{}, "title", "", `create deal: title "": required: give the deal a title`},
		{&Deal{Title: "X", Amount: -5}, "amount", "-5", `create deal: amount "-5": must not be negative`},
		{&Deal{Title: "X", Probability: 101}, "probability", "101", `create deal: probability "101": must be between 0 and 100`},
		{&Deal{Title: "X", Currency: "EURO"}, "currency", "EURO", `create deal: currency "EURO": must be a three-letter ISO 4217 code such as EUR`},
		{&Deal{Title: "X", Stage: "Closed"}, "stage", "Closed",
			`create deal: stage "Closed": no such stage; stages are Lead, Qualified, Proposal, Negotiation, Won, Lost`},
		{&Deal{Title: "X", ExpectedClose: "31.12.2025"}, "expected_close", "31.12.2025", `create deal: expected_close "31.12.2025": not a date (YYYY-MM-DD)`},
		{&Activity{Kind: "fax", Body: "x"}, "kind", "fax", `create activity: kind "fax": must be one of call, email, meeting, visit, note`},
		{&Activity{Kind: KindEmail, Outcome: OutcomeBusy}, "outcome", "busy", `create activity: outcome "busy": only calls have an outcome`},
		{&Activity{Kind: KindCall, Outcome: "great"}, "outcome", "great",
			`create activity: outcome "great": must be one of connected, voicemail, no_answer, busy, wrong_number, callback, not_interested`},
		{&Activity{Kind: KindCall, Direction: "sideways"}, "direction", "sideways", `create activity: direction "sideways": must be one of in, out`},
		{&Activity{Kind: KindCall, DurationS: -1}, "duration", "-1", `create activity: duration "-1": must not be negative`},
		{&Activity{Kind: KindNote, Body: "lose"}, "links", "", `create activity: links "": an activity belongs to a contact, a company or a deal`},
		{&Task{}, "title", "", `create task: title "": required: say what is to be done`},
		{&Task{Title: "x", Kind: "chat"}, "kind", "chat", `create task: kind "chat": must be one of call, email, follow_up, visit_prep`},
		{&Visit{}, "start", "", `create visit: start "": required: when does the visit start`},
		{&Visit{StartAt: start, EndAt: start.Add(-time.Minute)}, "end", "2025-04-02T09:59:00Z", `create visit: end "2025-04-02T09:59:00Z": must be after the start`},
		{&Visit{StartAt: start}, "company", "", `create visit: company "": a visit goes to a company or a contact`},
	}
	ctx := context.Background()
	s, _ := openTestStore(t)
	for _, tc := range tests {
		t.Run(tc.err, func(t *testing.T) {
			err := s.Create(ctx, tc.rec)
			require.EqualError(t, err, tc.err)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
			assert.Equal(t, tc.value, ve.Value)
			sp := specOf(tc.rec)
			assert.Zero(t, rowCount(t, s, sp.table), "nothing written")
			assert.Zero(t, rowCount(t, s, "journal"), "nothing journaled")
		})
	}
}

func TestValidationOfLinkedRecords(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	co := &Company{Name: "Ziel GmbH"}
	require.NoError(t, s.Create(ctx, co))
	visits := rowCount(t, s, "visits")
	err := s.Create(ctx, &Visit{StartAt: time.Now(), CompanyID: co.ID, Status: "maybe"})
	assert.EqualError(t, err, `create visit: status "maybe": must be one of planned, done, cancelled`)
	err = s.Create(ctx, &Activity{Kind: KindCall, CompanyID: co.ID, DurationS: -60})
	assert.EqualError(t, err, `create activity: duration "-60": must not be negative`)
	assert.Equal(t, visits, rowCount(t, s, "visits"))
	assert.Zero(t, rowCount(t, s, "activities"))
}

func TestValidationAcceptsGoodInput(t *testing.T) {
	for _, addr := range []string{"max@firma.de", "m.mueller+crm@sub.firma.co.uk", "jürgen@müller.de"} {
		assert.NoError(t, ValidateEmail(addr), addr)
	}
	for _, b := range []string{"", "1980-02-29", "--02-29", "--12-31"} {
		assert.NoError(t, ValidateBirthday(b), b)
	}
	for _, p := range []string{"+49 171 2345678", "(030) 123 456-7", "0171 2345678 ext. 12", "112"} {
		assert.NoError(t, checkPhone(p), p)
	}
}

func TestNormalization(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	c := &Contact{
		GivenName: " Jürgen ", FamilyName: "Müller", Prefix: "Dr.",
		Emails: []Email{{Address: " j@x.de ", Primary: true}, {Address: "J@X.DE"}, {Address: "j2@x.de", Primary: true}, {Address: ""}},
		Phones: []Phone{{Number: "0171 2345678"}, {Number: "+49 (171) 234-5678"}, {Number: "  "}, {Number: "030 1234567", Type: PhoneWork}},
		Tags:   []string{" Messe ", "messe", "", "VIP"},
	}
	require.NoError(t, s.CreateContact(ctx, c))
	assert.Equal(t, "Dr. Jürgen Müller", c.FullName, "the full name is made from its parts")
	assert.Equal(t, []Email{{Address: "j@x.de", Primary: true}, {Address: "j2@x.de"}}, c.Emails, "trimmed, deduplicated, one primary")
	assert.Equal(t, []Phone{
		{Number: "0171 2345678", Type: PhoneOther, E164: "+491712345678"},
		{Number: "030 1234567", Type: PhoneWork, E164: "+49301234567"},
	}, c.Phones, "E.164 filled in, the same number only once")
	assert.Equal(t, []string{"Messe", "VIP"}, c.Tags)
	assert.Equal(t, LeadNew, c.LeadStatus)

	split := &Contact{FullName: "Anna Lena Schmidt"}
	require.NoError(t, s.CreateContact(ctx, split))
	assert.Equal(t, "Anna Lena", split.GivenName)
	assert.Equal(t, "Schmidt", split.FamilyName)

	us := &Contact{FullName: "John Smith", Phones: []Phone{{Number: "+1 415 555 2671"}}}
	require.NoError(t, s.CreateContact(ctx, us))
	assert.Equal(t, "+14155552671", us.Phones[0].E164)
	s2, _ := openTestStore(t, WithRegion("at"))
	at := &Contact{FullName: "Franz Huber", Phones: []Phone{{Number: "0664 1234567"}}}
	require.NoError(t, s2.CreateContact(ctx, at))
	assert.Equal(t, "+436641234567", at.Phones[0].E164, "numbers without country code are read in the store's region")
}
