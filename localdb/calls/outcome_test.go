package calls_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"repdesk/localdb"
	"repdesk/localdb/calls"
)

func TestAddWorkingDaysSkipsWeekends(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 3, d, 10, 0, 0, 0, berlin) } // 2 March 2026 is a Monday
	for _, tc := range []struct {
		from time.Time
		want time.Weekday
		date int
	}{
		{day(2), time.Wednesday, 4},
		{day(5), time.Monday, 9}, // Thursday
		{day(6), time.Tuesday, 10},
		{day(7), time.Tuesday, 10}, // Saturday
		{day(8), time.Tuesday, 10}, // Sunday
	} {
		got := calls.AddWorkingDays(tc.from, 2)
		assert.Equal(t, tc.want, got.Weekday(), "%s + 2 working days", tc.from.Weekday())
		assert.Equal(t, tc.date, got.Day(), "%s + 2 working days", tc.from.Weekday())
	}
	assert.Equal(t, time.Date(2026, 3, 10, 9, 0, 0, 0, berlin), calls.RetryAt(friday, berlin),
		"a call on Friday is retried on Tuesday at 9:00")
}

// TestFollowUpRules logs one call per outcome on Friday and checks what the
// rules did: the task, the lead status, the flagged number, and that every
// change is in the journal for sync.
func TestFollowUpRules(t *testing.T) {
	callback := time.Date(2026, 3, 9, 14, 30, 0, 0, berlin)
	tuesday9 := time.Date(2026, 3, 10, 9, 0, 0, 0, berlin)
	for _, tc := range []struct {
		outcome    string
		wantTask   string
		wantDue    time.Time
		wantStatus string
		wantFlag   string
	}{
		{outcome: localdb.OutcomeConnected, wantStatus: localdb.LeadContacted},
		{outcome: localdb.OutcomeVoicemail, wantTask: "Call Jana Kurz again", wantDue: tuesday9, wantStatus: localdb.LeadNew},
		{outcome: localdb.OutcomeNoAnswer, wantTask: "Call Jana Kurz again", wantDue: tuesday9, wantStatus: localdb.LeadNew},
		{outcome: localdb.OutcomeBusy, wantStatus: localdb.LeadNew},
		{outcome: localdb.OutcomeWrongNumber, wantStatus: localdb.LeadNew, wantFlag: "+49 30 1234567"},
		{outcome: localdb.OutcomeCallback, wantTask: "Call back Jana Kurz", wantDue: callback, wantStatus: localdb.LeadNew},
		{outcome: localdb.OutcomeNotInterested, wantStatus: localdb.LeadUnqualified},
	} {
		t.Run(tc.outcome, func(t *testing.T) {
			s, _ := openStore(t)
			ctx := context.Background()
			c := contactWith(t, s, "Jana Kurz", func(c *localdb.Contact) {
				c.Phones = append(c.Phones, localdb.Phone{Number: "+49 171 5550101", Type: localdb.PhoneMobile})
			})
			var res *calls.Result
			update(t, s, func(tx *localdb.Tx) error {
				var err error
				res, err = calls.LogCall(tx, calls.Call{ContactID: c.ID, Outcome: tc.outcome, Notes: "  spoke briefly ",
					CallbackAt: callback, Location: berlin})
				return err
			})
			acts, err := s.Activities(ctx, localdb.ActivityFilter{ContactID: c.ID})
			require.NoError(t, err)
			require.Len(t, acts, 1)
			assert.Equal(t, tc.outcome, acts[0].Outcome)
			assert.Equal(t, "out", acts[0].Direction)
			assert.Equal(t, "spoke briefly", acts[0].Body)
			assert.Equal(t, []string{"activity create"}, journaled(t, s, localdb.EntityActivity, acts[0].ID))

			tasks := openTasks(t, s, c.ID)
			if tc.wantTask == "" {
				assert.Empty(t, tasks)
				assert.Nil(t, res.FollowUp)
			} else {
				require.Len(t, tasks, 1)
				assert.Equal(t, tc.wantTask, tasks[0].Title)
				assert.Equal(t, localdb.TaskCall, tasks[0].Kind)
				assert.True(t, tc.wantDue.Equal(tasks[0].Due), "due %s, want %s", tasks[0].Due.In(berlin), tc.wantDue)
				assert.Equal(t, []string{"task create"}, journaled(t, s, localdb.EntityTask, tasks[0].ID))
			}

			stored, err := s.GetContact(ctx, c.ID)
			require.NoError(t, err)
			assert.Equal(t, tc.wantStatus, stored.LeadStatus)
			assert.Equal(t, tc.wantStatus, res.LeadStatus)
			assert.Equal(t, tc.wantFlag, res.FlaggedNumber)
			assert.Equal(t, tc.wantFlag != "", stored.Phones[0].Flagged, "the dialled number is flagged on a wrong number only")
			assert.False(t, stored.Phones[1].Flagged, "the other number stays")
			contactJournal := journaled(t, s, localdb.EntityContact, c.ID)
			if tc.wantFlag != "" || tc.wantStatus != localdb.LeadNew {
				assert.Equal(t, []string{"contact create", "contact patch"}, contactJournal, "the contact's change syncs")
			} else {
				assert.Equal(t, []string{"contact create"}, contactJournal)
			}
		})
	}
}

func TestWrongNumberFlagsTheNumberDialled(t *testing.T) {
	s, _ := openStore(t)
	c := contactWith(t, s, "Tom Berger", func(c *localdb.Contact) {
		c.Phones = append(c.Phones, localdb.Phone{Number: "0171 5550101", Type: localdb.PhoneMobile})
	})
	update(t, s, func(tx *localdb.Tx) error {
		_, err := calls.LogCall(tx, calls.Call{ContactID: c.ID, Outcome: localdb.OutcomeWrongNumber, Number: "0171 5550101"})
		return err
	})
	stored, err := s.GetContact(context.Background(), c.ID)
	require.NoError(t, err)
	assert.False(t, stored.Phones[0].Flagged)
	assert.True(t, stored.Phones[1].Flagged)
	p, ok := calls.Dialable(stored.Phones)
	require.True(t, ok)
	assert.Equal(t, "+49 30 1234567", p.Number, "the queue dials the number still good")

	err = s.Update(context.Background(), func(tx *localdb.Tx) error {
		_, err := calls.LogCall(tx, calls.Call{ContactID: c.ID, Outcome: localdb.OutcomeWrongNumber, Number: "0800 000"})
		return err
	})
	require.ErrorContains(t, err, `number "0800 000": not a number of Tom Berger`)
	acts, err := s.Activities(context.Background(), localdb.ActivityFilter{ContactID: c.ID})
	require.NoError(t, err)
	assert.Len(t, acts, 1, "a refused call writes nothing")
}

func TestLogCallRefusesBadInput(t *testing.T) {
	s, _ := openStore(t)
	c := contactWith(t, s, "Eva Roth", nil)
	for _, tc := range []struct {
		call calls.Call
		want string
	}{
		{calls.Call{ContactID: c.ID}, `outcome "": required`},
		{calls.Call{ContactID: c.ID, Outcome: "hung_up"}, `outcome "hung_up": must be one of connected, voicemail`},
		{calls.Call{ContactID: c.ID, Outcome: localdb.OutcomeCallback}, `callback_at "": required: say when to call back`},
		{calls.Call{Outcome: localdb.OutcomeBusy}, `contact_id "": required`},
	} {
		err := s.Update(context.Background(), func(tx *localdb.Tx) error {
			_, err := calls.LogCall(tx, tc.call)
			return err
		})
		require.ErrorContains(t, err, tc.want)
	}
	acts, err := s.Activities(context.Background(), localdb.ActivityFilter{ContactID: c.ID})
	require.NoError(t, err)
	assert.Empty(t, acts)
}

// A call takes care of the contact's call tasks due today, but not of later
// ones.
func TestCallCompletesTheCallsDueToday(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	c := contactWith(t, s, "Lena Vogt", nil)
	dueToday := &localdb.Task{Title: "Call Lena", Kind: localdb.TaskCall, Due: friday.Add(-time.Hour), ContactID: c.ID}
	later := &localdb.Task{Title: "Call Lena next week", Kind: localdb.TaskCall, Due: friday.AddDate(0, 0, 7), ContactID: c.ID}
	mail := &localdb.Task{Title: "Send offer", Kind: localdb.TaskEmail, Due: friday, ContactID: c.ID}
	for _, k := range []*localdb.Task{dueToday, later, mail} {
		require.NoError(t, s.Create(ctx, k))
	}
	var res *calls.Result
	update(t, s, func(tx *localdb.Tx) error {
		var err error
		res, err = calls.LogCall(tx, calls.Call{ContactID: c.ID, Outcome: localdb.OutcomeBusy, Location: berlin})
		return err
	})
	assert.Equal(t, []string{dueToday.ID}, res.Completed)
	var titles []string
	for _, k := range openTasks(t, s, c.ID) {
		titles = append(titles, k.Title)
	}
	assert.Equal(t, []string{"Send offer", "Call Lena next week"}, titles)
	assert.Equal(t, []string{"task create", "task patch"}, journaled(t, s, localdb.EntityTask, dueToday.ID))
}
