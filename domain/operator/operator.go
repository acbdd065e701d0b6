// Package operator models the platform's own staff who use the back-office
// console, and what each role may do there.
package operator

import (
	"context"
	"net/mail"
	"strings"
	"time"

	"github.com/dompet/wallet/domain/fault"
)

// Role is an operator's job, which decides what the operator may do.
type Role string

// Roles.
const (
	RoleReviewer Role = "REVIEWER" // decides KYC, sees full NIKs
	RoleSupport  Role = "SUPPORT"  // answers customers: blocks, unblocks, replays webhooks
	RoleAdmin    Role = "ADMIN"    // everything but reading full NIKs; manages partners and operators
)

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.ToUpper(strings.TrimSpace(s))); r {
	case RoleReviewer, RoleSupport, RoleAdmin:
		return r, nil
	}
	return "", fault.Invalidf("role", "must be REVIEWER, SUPPORT or ADMIN")
}

// Action is something an operator asks to do.
type Action string

// Actions. Reading (queues, customers, transactions, deliveries, the
// reconcile report) is open to every role and has no action.
const (
	DecideKYC       Action = "kyc.decide"
	ViewFullNIK     Action = "kyc.view_nik"
	BlockCustomer   Action = "customer.block" // and unblock
	ReplayWebhook   Action = "webhook.replay"
	ManagePartners  Action = "partner.manage"
	ManageOperators Action = "operator.manage"
)

// allowed is the role policy: issue 13 (SUPPORT cannot approve KYC,
// REVIEWER cannot block, only ADMIN manages partners and operators, the
// full NIK only to REVIEWER).
var allowed = map[Action][]Role{
	DecideKYC:       {RoleReviewer, RoleAdmin},
	ViewFullNIK:     {RoleReviewer},
	BlockCustomer:   {RoleSupport, RoleAdmin},
	ReplayWebhook:   {RoleSupport, RoleAdmin},
	ManagePartners:  {RoleAdmin},
	ManageOperators: {RoleAdmin},
}

// Errors.
var (
	ErrNotFound     = fault.New(fault.NotFound, "operator not found")
	ErrEmailTaken   = fault.New(fault.AlreadyRegistered, "an operator with this e-mail already exists")
	ErrForbidden    = fault.New(fault.Forbidden, "your role may not do this")
	ErrBadLogin     = fault.New(fault.Unauthenticated, "wrong e-mail or password")
	ErrSessionEnded = fault.New(fault.Unauthenticated, "session expired or signed out")
)

// Operator is a member of staff with a console login.
type Operator struct {
	id           string
	email        string
	role         Role
	passwordHash string
	createdAt    time.Time
	disabledAt   time.Time
}

// New validates and creates an operator with an already hashed password.
func New(id, email string, role Role, passwordHash string, now time.Time) (*Operator, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	if _, err := ParseRole(string(role)); err != nil {
		return nil, err
	}
	if id == "" || passwordHash == "" {
		return nil, fault.New(fault.Internal, "operator id or password hash missing")
	}
	return &Operator{id: id, email: email, role: role, passwordHash: passwordHash, createdAt: now}, nil
}

// NormalizeEmail checks an e-mail address and lower-cases it, so that one
// person cannot hold two logins that differ only in case.
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 {
		return "", fault.Invalidf("email", "is not a valid e-mail address")
	}
	return s, nil
}

// Authorize returns ErrForbidden unless the operator's role may do a.
func (o *Operator) Authorize(a Action) error {
	if !o.disabledAt.IsZero() {
		return ErrForbidden
	}
	for _, r := range allowed[a] {
		if r == o.role {
			return nil
		}
	}
	return ErrForbidden
}

// Can reports whether Authorize would allow a (for pages that hide buttons;
// the use cases check again).
func (o *Operator) Can(a Action) bool { return o.Authorize(a) == nil }

// Active reports whether the operator may sign in.
func (o *Operator) Active() bool { return o.disabledAt.IsZero() }

// ID returns the identifier.
func (o *Operator) ID() string { return o.id }

// Email returns the login e-mail, lower case.
func (o *Operator) Email() string { return o.email }

// Role returns the role.
func (o *Operator) Role() Role { return o.role }

// PasswordHash returns the encoded password hash.
func (o *Operator) PasswordHash() string { return o.passwordHash }

// CreatedAt returns the creation time.
func (o *Operator) CreatedAt() time.Time { return o.createdAt }

// DisabledAt returns when the operator was disabled, zero when active.
func (o *Operator) DisabledAt() time.Time { return o.disabledAt }

// Snapshot carries stored state back into the domain.
type Snapshot struct {
	ID, Email, PasswordHash string
	Role                    Role
	CreatedAt, DisabledAt   time.Time
}

// Rehydrate rebuilds an operator from storage.
func Rehydrate(s Snapshot) *Operator {
	return &Operator{id: s.ID, email: s.Email, role: s.Role, passwordHash: s.PasswordHash,
		createdAt: s.CreatedAt, disabledAt: s.DisabledAt}
}

// Session is a signed-in console session. Only the hash of its token is
// stored.
type Session struct {
	TokenHash  []byte
	OperatorID string
	CreatedAt  time.Time
	ExpiresAt  time.Time
}

// AuditEntry is one line of the operator audit log: who did what, when.
type AuditEntry struct {
	ID         string
	OperatorID string
	Email      string // the operator's e-mail at the time (or the one tried, for a failed login)
	Action     string // e.g. "kyc.approve", "customer.block", "login.failed"
	Target     string // what it was done to: a mobile number, an event id, a partner id
	Detail     string // the reason given, or why it was refused
	Outcome    string // OutcomeDone or OutcomeDenied
	At         time.Time
}

// Audit outcomes.
const (
	OutcomeDone   = "DONE"
	OutcomeDenied = "DENIED"
)

// Repository stores operators, their sessions and the audit log.
type Repository interface {
	// Add stores a new operator; ErrEmailTaken when the e-mail is used.
	Add(ctx context.Context, o *Operator) error
	// ByEmail returns the operator or ErrNotFound.
	ByEmail(ctx context.Context, email string) (*Operator, error)
	// ByID returns the operator or ErrNotFound.
	ByID(ctx context.Context, id string) (*Operator, error)
	// List returns every operator, by e-mail.
	List(ctx context.Context) ([]*Operator, error)
	// AddSession stores a new session.
	AddSession(ctx context.Context, s Session) error
	// Session returns the session with that token hash or ErrSessionEnded.
	Session(ctx context.Context, tokenHash []byte) (Session, error)
	// DeleteSession removes a session; removing a missing one is not an
	// error.
	DeleteSession(ctx context.Context, tokenHash []byte) error
	// Record appends to the audit log.
	Record(ctx context.Context, e AuditEntry) error
	// AuditLog returns the newest entries first.
	AuditLog(ctx context.Context, limit int) ([]AuditEntry, error)
}
