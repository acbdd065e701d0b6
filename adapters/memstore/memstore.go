// Package memstore keeps the application's state in memory, for fast
// use-case tests. Transactions are real: one at a time, each working on a
// private copy of the state that becomes the state only when it commits.
// Stored values are copies, so callers can mutate what they pass in or get
// back without touching the store.
package memstore

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/kyc"
	"github.com/dompet/wallet/domain/operator"
	"github.com/dompet/wallet/domain/otp"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/session"
	"github.com/dompet/wallet/domain/transfer"
	"github.com/dompet/wallet/domain/wallet"
)

// Job kinds.
const (
	JobSend    = "send"    // app.JobQueue.SendNotification
	JobCheck   = "check"   // app.JobQueue.CheckDelivery
	JobKYC     = "kyc"     // app.JobQueue.CheckKYC
	JobSettle  = "settle"  // app.JobQueue.SettleBankTransfer
	JobExpire  = "expire"  // app.JobQueue.ExpireCashOut
	JobDeliver = "deliver" // app.JobQueue.DeliverEvent
)

// Job is one background job enqueued by a committed transaction.
type Job struct {
	Kind           string      // JobSend, JobCheck, JobKYC, JobSettle, JobExpire or JobDeliver
	NotificationID string      // set for JobSend and JobCheck
	Channel        app.Channel // set for JobSend
	At             time.Time   // set for JobCheck
	CustomerID     string      // set for JobKYC
	SubmissionID   string      // set for JobKYC
	ReffID         string      // set for JobSettle and JobExpire (At too)
	EventID        string      // set for JobDeliver
}

// Store is an in-memory app.UnitOfWork. The zero value is not usable; call
// New.
type Store struct {
	mu sync.Mutex
	st *state
}

// PlatformAccounts are the platform-wide accounts every store starts with,
// as the SQL migrations create them.
var PlatformAccounts = []wallet.Kind{
	wallet.KindFeeRevenue, wallet.KindBankSettlement, wallet.KindQRISSettlement, wallet.KindCashOutClearing,
}

// New returns a store holding nothing but the PlatformAccounts.
func New() *Store {
	st := &state{
		customers:        map[string]*customer.Customer{},
		mobiles:          map[customer.MobileNumber]string{},
		partners:         map[string]*partner.Partner{},
		bindings:         map[binding]time.Time{},
		sessions:         map[string]*session.Session{},
		tokens:           map[string]string{},
		accounts:         map[string]*wallet.Account{},
		pockets:          map[string]string{},
		entries:          map[string]bool{},
		totals:           map[string]int64{},
		incoming:         map[incomingKey]int64{},
		transactions:     map[string]*transfer.Transaction{},
		cashOutCodes:     map[string]transfer.CashOutCode{},
		notifications:    map[string]app.NotificationRecord{},
		idempotency:      map[idempotencyKey]app.IdempotencyRecord{},
		events:           map[string]app.Event{},
		snapTokens:       map[string]app.SNAPToken{},
		operators:        map[string]*operator.Operator{},
		operatorSessions: map[string]operator.Session{},
	}
	for _, k := range PlatformAccounts {
		a := wallet.OpenSystem(k, "", time.Time{})
		st.accounts[a.ID()] = a
	}
	return &Store{st: st}
}

var (
	errNested = errors.New("memstore: Do called inside a transaction of the same store")
	errTxDone = errors.New("memstore: repository used after its transaction ended")
)

// txKey marks a context as belonging to a transaction of the store it holds.
type txKey struct{}

// Do runs fn in a transaction. Transactions are serialised by one mutex; fn
// works on a copy of the state that replaces it only when fn returns nil.
// fn's repositories fail once Do has returned. Calling Do, Jobs or TakeJobs
// from inside fn is an error (Do) or a deadlock (Jobs, TakeJobs).
func (s *Store) Do(ctx context.Context, fn func(ctx context.Context, r app.Repos) error) error {
	if ctx.Value(txKey{}) == s {
		return errNested
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &tx{st: s.st.clone()}
	defer func() { t.done = true }()
	if err := fn(context.WithValue(ctx, txKey{}, s), t.repos()); err != nil {
		return err
	}
	s.st = t.st
	return nil
}

// Jobs returns the jobs of committed transactions, oldest first.
func (s *Store) Jobs() []Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.st.jobs)
}

// TakeJobs returns the jobs of committed transactions, oldest first, and
// forgets them.
func (s *Store) TakeJobs() []Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	jobs := s.st.jobs
	s.st.jobs = nil
	return jobs
}

// Postings returns every committed journal line, in posting order, with
// BalanceAfter set on the lines of pockets.
func (s *Store) Postings() []wallet.Posting {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]wallet.Posting, len(s.st.postings))
	for i, p := range s.st.postings {
		out[i] = p.Posting
	}
	return out
}

// AccountBalance returns a pocket's committed balance, or the sum of the
// committed postings of any other account; zero for an unknown id.
func (s *Store) AccountBalance(id string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.st.accounts[id]; ok && a.Kind() == wallet.KindPocket {
		return a.Balance()
	}
	return s.st.totals[id]
}

type binding struct{ partnerID, customerID string }

type idempotencyKey struct{ partnerID, key string }

type incomingKey struct{ customerID, month string }

// posting is one stored journal line. hasBalance is set for pockets, whose
// BalanceAfter Post records.
type posting struct {
	entryID, transactionID string
	wallet.Posting
	hasBalance bool
}

// state is everything the store holds. Its maps and slices are copied per
// transaction but their elements are shared, so elements are never
// mutated in place: a change stores a new element.
type state struct {
	customers         map[string]*customer.Customer
	mobiles           map[customer.MobileNumber]string // mobile → customer id
	otps              []*otp.OTP                       // in insertion order
	partners          map[string]*partner.Partner
	bindings          map[binding]time.Time
	sessions          map[string]*session.Session
	tokens            map[string]string // token hash → session id
	accounts          map[string]*wallet.Account
	pockets           map[string]string // customer id → pocket id
	entries           map[string]bool   // journal entry ids
	postings          []posting         // in posting order
	totals            map[string]int64  // sharded account id → sum of its postings
	incoming          map[incomingKey]int64
	transactions      map[string]*transfer.Transaction
	cashOutCodes      map[string]transfer.CashOutCode // string(code hash) → code
	kyc               []*kyc.Submission               // in insertion order
	notifications     map[string]app.NotificationRecord
	notificationOrder []string
	idempotency       map[idempotencyKey]app.IdempotencyRecord
	events            map[string]app.Event
	snapTokens        map[string]app.SNAPToken // string(hash) → token
	guesses           []guess
	jobs              []Job
	operators         map[string]*operator.Operator
	operatorSessions  map[string]operator.Session // string(token hash) → session
	audit             []operator.AuditEntry       // oldest first
}

func (s *state) clone() *state {
	return &state{
		customers:         maps.Clone(s.customers),
		mobiles:           maps.Clone(s.mobiles),
		otps:              slices.Clone(s.otps),
		partners:          maps.Clone(s.partners),
		bindings:          maps.Clone(s.bindings),
		sessions:          maps.Clone(s.sessions),
		tokens:            maps.Clone(s.tokens),
		accounts:          maps.Clone(s.accounts),
		pockets:           maps.Clone(s.pockets),
		entries:           maps.Clone(s.entries),
		postings:          slices.Clone(s.postings),
		totals:            maps.Clone(s.totals),
		incoming:          maps.Clone(s.incoming),
		transactions:      maps.Clone(s.transactions),
		cashOutCodes:      maps.Clone(s.cashOutCodes),
		kyc:               slices.Clone(s.kyc),
		notifications:     maps.Clone(s.notifications),
		notificationOrder: slices.Clone(s.notificationOrder),
		idempotency:       maps.Clone(s.idempotency),
		events:            maps.Clone(s.events),
		snapTokens:        maps.Clone(s.snapTokens),
		guesses:           slices.Clone(s.guesses),
		jobs:              slices.Clone(s.jobs),
		operators:         maps.Clone(s.operators),
		operatorSessions:  maps.Clone(s.operatorSessions),
		audit:             slices.Clone(s.audit),
	}
}

// tx is one transaction's view of the store.
type tx struct {
	st   *state
	done bool
}

// check fails once the transaction has ended or its context is done, as a
// database connection would.
func (t *tx) check(ctx context.Context) error {
	if t.done {
		return errTxDone
	}
	return ctx.Err()
}

func (t *tx) repos() app.Repos {
	return app.Repos{
		Customers:     customerRepo{t},
		OTPs:          otpRepo{t},
		Partners:      partnerRepo{t},
		Bindings:      bindingRepo{t},
		Sessions:      sessionRepo{t},
		Accounts:      accountRepo{t},
		Transactions:  transactionRepo{t},
		KYC:           kycRepo{t},
		Events:        eventRepo{t},
		Notifications: notificationRepo{t},
		Jobs:          jobQueue{t},
		Idempotency:   idempotencyRepo{t},
		SNAPTokens:    snapTokenRepo{t},
		Payers:        payerRepo{t},
		Operators:     operatorRepo{t},
		Lookups:       lookups{t},
		Guesses:       guessRepo{t},
		Retention:     retentionRepo{t},
	}
}
