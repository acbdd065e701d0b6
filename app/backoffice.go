package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/kyc"
	"github.com/dompet/wallet/domain/operator"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/session"
	"github.com/dompet/wallet/domain/transfer"
	"github.com/dompet/wallet/domain/wallet"
)

// Lookups are the read-only searches of the back office.
type Lookups interface {
	// PendingKYC returns pending KYC submissions, oldest first.
	PendingKYC(ctx context.Context, limit int) ([]*kyc.Submission, error)
	// SearchTransactions returns the transactions matching every field set
	// in f, newest first.
	SearchTransactions(ctx context.Context, f TransactionSearch) ([]*transfer.Transaction, error)
	// Postings returns the journal lines of a business transaction, in
	// posting order; none when it moved no money (yet).
	Postings(ctx context.Context, transactionID string) ([]wallet.Posting, error)
	// Partners returns every partner, by name.
	Partners(ctx context.Context) ([]*partner.Partner, error)
}

// TransactionSearch narrows a transaction search; zero fields match all.
type TransactionSearch struct {
	ReffID    string
	OrderID   string
	PartnerID string
	Status    transfer.Status
	From, To  time.Time // inclusive, exclusive
	Limit     int
}

// PasswordHasher hashes operator passwords (argon2id in production).
type PasswordHasher interface {
	Hash(password string) (string, error)
	// Verify reports whether password matches the encoded hash, in time
	// that does not depend on where they differ.
	Verify(encoded, password string) bool
}

// Back-office settings.
const (
	OperatorSessionTTL = 8 * time.Hour
	loginWindow        = 15 * time.Minute
	maxFailsPerEmail   = 5
	maxFailsPerClient  = 20
)

// ErrTooManyLogins is returned while sign-ins are rate-limited.
var ErrTooManyLogins = fault.New(fault.Forbidden, "too many failed sign-ins; try again in 15 minutes")

// Backoffice is the operators' use cases (the web console, the operator
// CLI). Every method takes the acting operator, checks its role here, in
// the application, and writes the audit log in the same transaction as the
// change it records.
type Backoffice struct {
	app     *App
	hasher  PasswordHasher
	auditor Auditor

	mu    sync.Mutex
	fails map[string][]time.Time // "email:…" / "client:…" → recent failed sign-ins
}

// NewBackoffice wires the back office over the application.
func NewBackoffice(a *App, hasher PasswordHasher, auditor Auditor) *Backoffice {
	return &Backoffice{app: a, hasher: hasher, auditor: auditor, fails: map[string][]time.Time{}}
}

// CLI is the actor recorded for operator commands run on the server's
// shell (who has the shell has the database already).
const CLI = "cli"

// CreateOperator creates an operator with a random password, returned
// once. by is the acting operator, nil for the CLI.
// Errors: Forbidden, Invalid, AlreadyRegistered.
func (b *Backoffice) CreateOperator(ctx context.Context, by *operator.Operator, email, role string) (*operator.Operator, string, error) {
	if err := b.authorize(ctx, by, operator.ManageOperators, email); err != nil {
		return nil, "", err
	}
	r, err := operator.ParseRole(role)
	if err != nil {
		return nil, "", err
	}
	password, err := session.NewToken(b.app.rand)
	if err != nil {
		return nil, "", err
	}
	password = password[:24] // 144 random bits, short enough to type
	hash, err := b.hasher.Hash(password)
	if err != nil {
		return nil, "", err
	}
	o, err := operator.New(b.app.ids.New(), email, r, hash, b.app.now())
	if err != nil {
		return nil, "", err
	}
	err = b.app.uow.Do(ctx, func(ctx context.Context, rp Repos) error {
		if err := rp.Operators.Add(ctx, o); err != nil {
			return err
		}
		return b.record(ctx, rp, by, "operator.create", o.Email(), string(r))
	})
	if err != nil {
		return nil, "", fmt.Errorf("create operator: %w", err)
	}
	return o, password, nil
}

// Login checks an operator's password and opens a session; client
// identifies the caller (its IP address) for rate limiting. Failed
// sign-ins are limited per e-mail and per client.
// Errors: Unauthenticated, Forbidden (rate-limited).
func (b *Backoffice) Login(ctx context.Context, email, password, client string) (string, *operator.Operator, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	keys := []string{"email:" + email, "client:" + client}
	if !b.allowLogin(keys) {
		b.recordDetached(ctx, b.loginFailure(email, "login.limited", client))
		return "", nil, ErrTooManyLogins
	}
	var o *operator.Operator
	err := b.app.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		var err error
		o, err = r.Operators.ByEmail(ctx, email)
		return err
	})
	if err != nil && !errors.Is(err, operator.ErrNotFound) {
		return "", nil, err
	}
	if o == nil {
		// Spend the same time as a real check, so timing does not tell
		// which e-mails exist.
		b.hasher.Verify(dummyHash, password)
	}
	if o == nil || !b.hasher.Verify(o.PasswordHash(), password) || !o.Active() {
		b.failLogin(keys)
		b.recordDetached(ctx, b.loginFailure(email, "login.failed", client))
		return "", nil, operator.ErrBadLogin
	}
	token, err := session.NewToken(b.app.rand)
	if err != nil {
		return "", nil, err
	}
	now := b.app.now()
	s := operator.Session{TokenHash: session.HashToken(token), OperatorID: o.ID(), CreatedAt: now, ExpiresAt: now.Add(OperatorSessionTTL)}
	err = b.app.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		if err := r.Operators.AddSession(ctx, s); err != nil {
			return err
		}
		return b.record(ctx, r, o, "login", o.Email(), client)
	})
	if err != nil {
		return "", nil, err
	}
	b.clearFails(keys[0])
	return token, o, nil
}

// dummyHash is verified against when the e-mail is unknown.
var dummyHash = "$argon2id$v=19$m=65536,t=2,p=2$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

func (b *Backoffice) allowLogin(keys []string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	cut := b.app.now().Add(-loginWindow)
	limits := []int{maxFailsPerEmail, maxFailsPerClient}
	ok := true
	for i, k := range keys {
		recent := b.fails[k][:0]
		for _, t := range b.fails[k] {
			if t.After(cut) {
				recent = append(recent, t)
			}
		}
		if len(recent) == 0 {
			delete(b.fails, k)
		} else {
			b.fails[k] = recent
		}
		if len(recent) >= limits[i] {
			ok = false
		}
	}
	return ok
}

// maxTracked bounds the failure table against a flood of made-up e-mails:
// past it, expired entries are swept.
const maxTracked = 10_000

func (b *Backoffice) failLogin(keys []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.fails) > maxTracked {
		cut := b.app.now().Add(-loginWindow)
		for k, ts := range b.fails {
			if len(ts) == 0 || !ts[len(ts)-1].After(cut) {
				delete(b.fails, k)
			}
		}
	}
	for _, k := range keys {
		b.fails[k] = append(b.fails[k], b.app.now())
	}
}

func (b *Backoffice) clearFails(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.fails, key)
}

// Authenticate returns the operator a session token belongs to.
// Errors: Unauthenticated.
func (b *Backoffice) Authenticate(ctx context.Context, token string) (*operator.Operator, error) {
	if token == "" {
		return nil, operator.ErrSessionEnded
	}
	var o *operator.Operator
	hash := session.HashToken(token)
	err := b.app.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		s, err := r.Operators.Session(ctx, hash)
		if err != nil {
			return err
		}
		if !b.app.now().Before(s.ExpiresAt) {
			o = nil
			return r.Operators.DeleteSession(ctx, hash) // expired: gone for good
		}
		o, err = r.Operators.ByID(ctx, s.OperatorID)
		if errors.Is(err, operator.ErrNotFound) || (err == nil && !o.Active()) {
			return operator.ErrSessionEnded
		}
		return err
	})
	if err == nil && o == nil {
		err = operator.ErrSessionEnded
	}
	return o, err
}

// Logout ends a session.
func (b *Backoffice) Logout(ctx context.Context, o *operator.Operator, token string) error {
	return b.app.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		if err := r.Operators.DeleteSession(ctx, session.HashToken(token)); err != nil {
			return err
		}
		return b.record(ctx, r, o, "logout", o.Email(), "")
	})
}

// KYCItem is one pending submission in the review queue. NIK is masked
// unless the operator may see it in full.
type KYCItem struct {
	Submission *kyc.Submission
	Customer   *customer.Customer
	NIK        string
}

// KYCQueue lists pending KYC submissions, oldest first.
func (b *Backoffice) KYCQueue(ctx context.Context, o *operator.Operator) ([]KYCItem, error) {
	full := o.Can(operator.ViewFullNIK)
	var out []KYCItem
	err := b.app.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		subs, err := r.Lookups.PendingKYC(ctx, 200)
		if err != nil {
			return err
		}
		out = make([]KYCItem, 0, len(subs))
		for _, s := range subs {
			c, err := r.Customers.ByID(ctx, s.CustomerID())
			if err != nil {
				return err
			}
			nik := s.NIK().Masked()
			if full {
				nik = s.NIK().String()
			}
			out = append(out, KYCItem{Submission: s, Customer: c, NIK: nik})
		}
		return nil
	})
	return out, err
}

// DecideKYCAs is an operator approving or rejecting a pending submission:
// the same decision as the CLI's DecideKYC, with the role check and the
// audit line.
// Errors: Forbidden, InvalidMobile, NotFound, Invalid.
func (b *Backoffice) DecideKYCAs(ctx context.Context, o *operator.Operator, mobile string, approve bool, reason string) (*customer.Customer, error) {
	if err := b.authorize(ctx, o, operator.DecideKYC, mobile); err != nil {
		return nil, err
	}
	return b.app.decideKYC(ctx, mobile, approve, reason, func(ctx context.Context, r Repos, c *customer.Customer) error {
		return b.record(ctx, r, o, kycAction(approve), c.Mobile().String(), reason)
	})
}

// CustomerDetail is what support sees of a customer.
type CustomerDetail struct {
	Customer *customer.Customer
	Pocket   *wallet.Account
	Limits   wallet.Limits
	// IncomingThisMonth counts against Limits.MonthlyIncoming.
	IncomingThisMonth int64
}

// Customer finds a customer by mobile number. Looking up a customer's
// personal data is itself audited.
// Errors: InvalidMobile, NotFound.
func (b *Backoffice) Customer(ctx context.Context, o *operator.Operator, mobile string) (CustomerDetail, error) {
	m, err := b.app.phones.Normalize(mobile)
	if err != nil {
		return CustomerDetail{}, err
	}
	b.recordDetached(ctx, b.entry(o, "customer.view", m.String(), "", operator.OutcomeDone))
	var out CustomerDetail
	err = b.app.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		c, err := r.Customers.ByMobile(ctx, m, false)
		if err != nil {
			return err
		}
		out = CustomerDetail{Customer: c, Limits: b.app.limitsOf(c)}
		if out.Pocket, err = r.Accounts.PocketOf(ctx, c.ID(), false); err != nil && !errors.Is(err, wallet.ErrNotFound) {
			return err
		}
		out.IncomingThisMonth, err = r.Accounts.IncomingThisMonth(ctx, c.ID(), b.app.now())
		return err
	})
	return out, err
}

// SetBlocked blocks (block true) or unblocks a customer; a reason is
// required and goes to the audit log.
// Errors: Forbidden, InvalidMobile, NotFound, Invalid.
func (b *Backoffice) SetBlocked(ctx context.Context, o *operator.Operator, mobile string, block bool, reason string) (*customer.Customer, error) {
	action := "customer.unblock"
	if block {
		action = "customer.block"
	}
	if err := b.authorize(ctx, o, operator.BlockCustomer, mobile); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, fault.Invalidf("reason", "is required")
	}
	m, err := b.app.phones.Normalize(mobile)
	if err != nil {
		return nil, err
	}
	var c *customer.Customer
	err = b.app.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		if c, err = r.Customers.ByMobile(ctx, m, true); err != nil {
			return err
		}
		now := b.app.now()
		if block {
			err = c.Block(now)
		} else {
			err = c.Unblock(now)
		}
		if err != nil {
			return err
		}
		if err := r.Customers.Update(ctx, c); err != nil {
			return err
		}
		return b.record(ctx, r, o, action, c.Mobile().String(), reason)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// TransactionDetail is a transaction with its journal lines.
type TransactionDetail struct {
	Transaction *transfer.Transaction
	Postings    []wallet.Posting
}

// Transactions searches transactions.
// Errors: Invalid.
func (b *Backoffice) Transactions(ctx context.Context, o *operator.Operator, f TransactionSearch) ([]TransactionDetail, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return nil, fault.Invalidf("to", "must be after from")
	}
	var out []TransactionDetail
	err := b.app.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		ts, err := r.Lookups.SearchTransactions(ctx, f)
		if err != nil {
			return err
		}
		out = make([]TransactionDetail, 0, len(ts))
		for _, t := range ts {
			ps, err := r.Lookups.Postings(ctx, t.ID())
			if err != nil {
				return err
			}
			out = append(out, TransactionDetail{Transaction: t, Postings: ps})
		}
		return nil
	})
	return out, err
}

// Deliveries lists webhook deliveries, as the CLI's webhooks list.
// Errors: Invalid.
func (b *Backoffice) Deliveries(ctx context.Context, o *operator.Operator, partnerID, status string) ([]Event, error) {
	return b.app.Deliveries(ctx, partnerID, status, 200)
}

// Replay queues one event again: the CLI's webhooks replay, with the role
// check and the audit line.
// Errors: Forbidden, NotFound.
func (b *Backoffice) Replay(ctx context.Context, o *operator.Operator, eventID string) (Event, error) {
	if err := b.authorize(ctx, o, operator.ReplayWebhook, eventID); err != nil {
		return Event{}, err
	}
	var e Event
	err := b.app.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		var err error
		if e, err = replayEvent(ctx, r, eventID); err != nil {
			return err
		}
		return b.record(ctx, r, o, "webhook.replay", eventID, e.PartnerID)
	})
	return e, err
}

// ReplayDead queues every DEAD event of a partner again and returns how
// many.
// Errors: Forbidden.
func (b *Backoffice) ReplayDead(ctx context.Context, o *operator.Operator, partnerID string) (int, error) {
	if err := b.authorize(ctx, o, operator.ReplayWebhook, partnerID); err != nil {
		return 0, err
	}
	n := 0
	err := b.app.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		n = 0
		dead, err := r.Events.List(ctx, partnerID, EventDead, 500)
		if err != nil {
			return err
		}
		for _, e := range dead {
			if _, err := replayEvent(ctx, r, e.ID); err != nil {
				return err
			}
			n++
		}
		return b.record(ctx, r, o, "webhook.replay_dead", partnerID, fmt.Sprintf("%d events", n))
	})
	return n, err
}

// PartnerView is a partner with the fee its customers pay.
type PartnerView struct {
	Partner         *partner.Partner
	BankTransferFee int64
	OwnFee          bool // the partner's own fee, not the platform default
}

// Partners lists the partners.
func (b *Backoffice) Partners(ctx context.Context, o *operator.Operator) ([]PartnerView, error) {
	var out []PartnerView
	err := b.app.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		ps, err := r.Lookups.Partners(ctx)
		if err != nil {
			return err
		}
		out = make([]PartnerView, 0, len(ps))
		for _, p := range ps {
			fee, own := b.app.BankTransferFee(p)
			out = append(out, PartnerView{Partner: p, BankTransferFee: fee, OwnFee: own})
		}
		return nil
	})
	return out, err
}

// Reconcile proves the ledger invariants (the CLI's reconcile) and records
// that it ran.
func (b *Backoffice) Reconcile(ctx context.Context, o *operator.Operator) (AuditReport, error) {
	rep, err := b.auditor.Audit(ctx)
	if err != nil {
		return rep, err
	}
	detail := "OK"
	if !rep.OK() {
		detail = fmt.Sprintf("%d problem(s)", len(rep.Problems))
	}
	b.recordDetached(ctx, b.entry(o, "reconcile.run", "ledger", detail, operator.OutcomeDone))
	return rep, nil
}

// AuditLog returns the newest audit entries; ADMIN only.
// Errors: Forbidden.
func (b *Backoffice) AuditLog(ctx context.Context, o *operator.Operator, limit int) ([]operator.AuditEntry, error) {
	if err := o.Authorize(operator.ManageOperators); err != nil {
		return nil, err
	}
	var out []operator.AuditEntry
	err := b.app.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		var err error
		out, err = r.Operators.AuditLog(ctx, limit)
		return err
	})
	return out, err
}

// Operators lists the operators; ADMIN only.
// Errors: Forbidden.
func (b *Backoffice) Operators(ctx context.Context, o *operator.Operator) ([]*operator.Operator, error) {
	if err := o.Authorize(operator.ManageOperators); err != nil {
		return nil, err
	}
	var out []*operator.Operator
	err := b.app.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		var err error
		out, err = r.Operators.List(ctx)
		return err
	})
	return out, err
}

// authorize checks the role; a refusal is itself audited. A nil operator
// is the CLI, which may do everything.
func (b *Backoffice) authorize(ctx context.Context, o *operator.Operator, a operator.Action, target string) error {
	if o == nil {
		return nil
	}
	if err := o.Authorize(a); err != nil {
		b.recordDetached(ctx, b.entry(o, string(a), target, "role "+string(o.Role()), operator.OutcomeDenied))
		return err
	}
	return nil
}

// entry builds an audit line; a nil operator is the CLI.
func (b *Backoffice) entry(o *operator.Operator, action, target, detail, outcome string) operator.AuditEntry {
	return b.app.auditEntry(o, action, target, detail, outcome)
}

func (a *App) auditEntry(o *operator.Operator, action, target, detail, outcome string) operator.AuditEntry {
	e := operator.AuditEntry{ID: a.ids.New(), OperatorID: CLI, Email: CLI, Action: action, Target: target,
		Detail: detail, Outcome: outcome, At: a.now()}
	if o != nil {
		e.OperatorID, e.Email = o.ID(), o.Email()
	}
	return e
}

// record appends to the audit log inside the caller's transaction.
func (b *Backoffice) record(ctx context.Context, r Repos, o *operator.Operator, action, target, detail string) error {
	return r.Operators.Record(ctx, b.entry(o, action, target, detail, operator.OutcomeDone))
}

// recordDetached writes one audit line in its own transaction: refusals,
// sign-in failures and reads that change nothing else. A failure to write
// it is logged, never shown to the caller.
func (b *Backoffice) recordDetached(ctx context.Context, e operator.AuditEntry) {
	if err := b.app.uow.Do(ctx, func(ctx context.Context, r Repos) error { return r.Operators.Record(ctx, e) }); err != nil {
		b.app.log.WarnContext(ctx, "audit log write failed", "action", e.Action, "err", err)
	}
}

// loginFailure is the audit line of a refused sign-in: no operator, the
// e-mail tried, the client.
func (b *Backoffice) loginFailure(email, action, client string) operator.AuditEntry {
	e := b.entry(nil, action, email, "client "+client, operator.OutcomeDenied)
	e.OperatorID, e.Email = "", email
	return e
}

// DisablePartner stops a partner's requests from being accepted; ADMIN
// only. Other processes notice within their partner cache time (a minute).
// Errors: Forbidden, NotFound, Invalid (no reason).
func (b *Backoffice) DisablePartner(ctx context.Context, o *operator.Operator, partnerID, reason string) (*partner.Partner, error) {
	if err := b.authorize(ctx, o, operator.ManagePartners, partnerID); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, fault.Invalidf("reason", "is required")
	}
	var p *partner.Partner
	err := b.app.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		var err error
		if p, err = r.Partners.ByID(ctx, partnerID); err != nil {
			return err
		}
		p.Disable()
		if err := r.Partners.Update(ctx, p); err != nil {
			return err
		}
		return b.record(ctx, r, o, "partner.disable", partnerID, reason)
	})
	if err != nil {
		return nil, err
	}
	b.app.partners.Delete(partnerID)
	return p, nil
}
