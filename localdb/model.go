package localdb

import "time"

// Meta is what every record carries: identity, timestamps, the version that
// grows with each change, the tombstone flag and the owner.
type Meta struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int64     `json:"version"`
	Deleted   bool      `json:"deleted,omitempty"`
	Owner     string    `json:"owner"`
}

func (m *Meta) meta() *Meta { return m }

// Email is one e-mail address of a contact.
type Email struct {
	Address string `json:"address"`
	Type    string `json:"type,omitempty"`
	Primary bool   `json:"primary,omitempty"`
}

// Phone is one phone number: as entered, its type, and the E.164 form when the
// number could be understood.
type Phone struct {
	Number  string `json:"number"`
	Type    string `json:"type,omitempty"`
	E164    string `json:"e164,omitempty"`
	Primary bool   `json:"primary,omitempty"`
	// Flagged is set when a call found the number wrong.
	Flagged bool `json:"flagged,omitempty"`
}

// Address is a postal address.
type Address struct {
	Type       string `json:"type,omitempty"`
	Street     string `json:"street,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	City       string `json:"city,omitempty"`
	Region     string `json:"region,omitempty"`
	Country    string `json:"country,omitempty"`
}

// Phone types.
const (
	PhoneWork   = "work"
	PhoneMobile = "mobile"
	PhoneHome   = "home"
	PhoneFax    = "fax"
	PhoneOther  = "other"
)

// Lead statuses.
const (
	LeadNew         = "new"
	LeadContacted   = "contacted"
	LeadQualified   = "qualified"
	LeadUnqualified = "unqualified"
	LeadCustomer    = "customer"
)

// LeadStatuses lists the lead statuses in their natural order.
var LeadStatuses = []string{LeadNew, LeadContacted, LeadQualified, LeadUnqualified, LeadCustomer}

// Company is an account.
type Company struct {
	Meta
	Name       string   `json:"name" db:"name"`
	Industry   string   `json:"industry" db:"industry"`
	Website    string   `json:"website" db:"website"`
	Phone      string   `json:"phone" db:"phone"`
	Street     string   `json:"street" db:"street"`
	PostalCode string   `json:"postal_code" db:"postal_code"`
	City       string   `json:"city" db:"city"`
	Region     string   `json:"region" db:"region"`
	Country    string   `json:"country" db:"country"`
	Tags       []string `json:"tags" db:"tags,json"`
	Notes      string   `json:"notes" db:"notes"`
	Territory  string   `json:"territory,omitempty" db:"territory"`
}

// Contact is a person.
type Contact struct {
	Meta
	FullName   string    `json:"full_name" db:"full_name"`
	GivenName  string    `json:"given_name" db:"given_name"`
	FamilyName string    `json:"family_name" db:"family_name"`
	Prefix     string    `json:"prefix" db:"prefix"`
	Suffix     string    `json:"suffix" db:"suffix"`
	Title      string    `json:"title" db:"title"`
	CompanyID  string    `json:"company_id" db:"company_id"`
	Emails     []Email   `json:"emails" db:"emails,json"`
	Phones     []Phone   `json:"phones" db:"phones,json"`
	Addresses  []Address `json:"addresses" db:"addresses,json"`
	Birthday   string    `json:"birthday" db:"birthday"`
	Website    string    `json:"website" db:"website"`
	Tags       []string  `json:"tags" db:"tags,json"`
	Notes      string    `json:"notes" db:"notes"`
	LeadStatus string    `json:"lead_status" db:"lead_status"`
	Source     string    `json:"source" db:"source"`
	DoNotCall  bool      `json:"do_not_call" db:"do_not_call"`
	UID        string    `json:"uid,omitempty" db:"uid"`
	Department string    `json:"department,omitempty" db:"department"`
	Role       string    `json:"role,omitempty" db:"role"`
	// Photo is a data: URI (data:image/jpeg;base64,...) or the URL of a photo.
	Photo string `json:"photo,omitempty" db:"photo"`
	// Lead qualification (BANT), see localdb/calls.Qualify.
	Budget    string `json:"budget" db:"budget"`
	Authority string `json:"authority" db:"authority"`
	Need      string `json:"need" db:"need"`
	Timeline  string `json:"timeline" db:"timeline"`

	// Company is the company's name, filled in on reads.
	Company string `json:"company"`
}

// Deal is a sales opportunity. Amount is in minor units (cents) of Currency.
type Deal struct {
	Meta
	Title         string   `json:"title" db:"title"`
	CompanyID     string   `json:"company_id" db:"company_id"`
	ContactID     string   `json:"contact_id" db:"contact_id"`
	Stage         string   `json:"stage" db:"stage"`
	Amount        int64    `json:"amount" db:"amount"`
	Currency      string   `json:"currency" db:"currency"`
	Probability   int64    `json:"probability" db:"probability"`
	ExpectedClose string   `json:"expected_close" db:"expected_close"`
	NextStep      string   `json:"next_step" db:"next_step"`
	LostReason    string   `json:"lost_reason" db:"lost_reason"`
	ClosedAt      string   `json:"closed_at" db:"closed_at"`
	Tags          []string `json:"tags" db:"tags,json"`

	// Company and Contact are names, filled in on reads.
	Company string `json:"company"`
	Contact string `json:"contact"`
}

// Activity kinds.
const (
	KindCall    = "call"
	KindEmail   = "email"
	KindMeeting = "meeting"
	KindVisit   = "visit"
	KindNote    = "note"
)

// ActivityKinds lists the activity kinds.
var ActivityKinds = []string{KindCall, KindEmail, KindMeeting, KindVisit, KindNote}

// Call outcomes.
const (
	OutcomeConnected     = "connected"
	OutcomeVoicemail     = "voicemail"
	OutcomeNoAnswer      = "no_answer"
	OutcomeBusy          = "busy"
	OutcomeWrongNumber   = "wrong_number"
	OutcomeCallback      = "callback"
	OutcomeNotInterested = "not_interested"
)

// CallOutcomes lists the call outcomes in the order of the queue's keys 1–7.
var CallOutcomes = []string{OutcomeConnected, OutcomeVoicemail, OutcomeNoAnswer, OutcomeBusy,
	OutcomeWrongNumber, OutcomeCallback, OutcomeNotInterested}

// Activity is something that happened: a call, an e-mail, a meeting, a visit
// or a note.
type Activity struct {
	Meta
	Kind       string    `json:"kind" db:"kind"`
	Direction  string    `json:"direction" db:"direction"`
	Outcome    string    `json:"outcome" db:"outcome"`
	DurationS  int64     `json:"duration_s" db:"duration_s"`
	OccurredAt time.Time `json:"occurred_at" db:"occurred_at"`
	Subject    string    `json:"subject" db:"subject"`
	Body       string    `json:"body" db:"body"`
	ContactID  string    `json:"contact_id" db:"contact_id"`
	CompanyID  string    `json:"company_id" db:"company_id"`
	DealID     string    `json:"deal_id" db:"deal_id"`
}

// Task kinds.
const (
	TaskCall      = "call"
	TaskEmail     = "email"
	TaskFollowUp  = "follow_up"
	TaskVisitPrep = "visit_prep"
)

// TaskKinds lists the task kinds.
var TaskKinds = []string{TaskCall, TaskEmail, TaskFollowUp, TaskVisitPrep}

// Task is something to do.
type Task struct {
	Meta
	Title     string    `json:"title" db:"title"`
	Kind      string    `json:"kind" db:"kind"`
	Due       time.Time `json:"due" db:"due"`
	Done      bool      `json:"done" db:"done"`
	ContactID string    `json:"contact_id" db:"contact_id"`
	CompanyID string    `json:"company_id" db:"company_id"`
	DealID    string    `json:"deal_id" db:"deal_id"`
}

// Visit statuses.
const (
	VisitPlanned   = "planned"
	VisitDone      = "done"
	VisitCancelled = "cancelled"
)

// Visit outcomes, written in the visit report.
const (
	VisitOutcomePositive = "positive"
	VisitOutcomeNeutral  = "neutral"
	VisitOutcomeNegative = "negative"
	VisitOutcomeNoShow   = "no_show"
	VisitOutcomeFollowUp = "follow_up"
)

// VisitOutcomes lists the visit outcomes.
var VisitOutcomes = []string{VisitOutcomePositive, VisitOutcomeNeutral, VisitOutcomeNegative, VisitOutcomeNoShow, VisitOutcomeFollowUp}

// Visit is a planned customer visit of a field rep.
type Visit struct {
	Meta
	StartAt   time.Time `json:"start_at" db:"start_at"`
	EndAt     time.Time `json:"end_at" db:"end_at"`
	CompanyID string    `json:"company_id" db:"company_id"`
	ContactID string    `json:"contact_id" db:"contact_id"`
	Assignee  string    `json:"assignee" db:"assignee"`
	Purpose   string    `json:"purpose" db:"purpose"`
	Status    string    `json:"status" db:"status"`
	Report    string    `json:"report" db:"report"`
	// Position orders a day's visits as the rep planned the route (the
	// planner keeps it); visits of equal position go by start time.
	Position int64 `json:"position" db:"position"`
	// Outcome is the visit report's result, one of VisitOutcomes.
	Outcome string `json:"outcome" db:"outcome"`
}

// Stage is a pipeline stage.
type Stage struct {
	Name        string `json:"name"`
	Position    int    `json:"position"`
	Probability int64  `json:"probability"`
	Closed      string `json:"closed,omitempty"` // "", "won" or "lost"
}
