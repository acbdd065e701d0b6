// Package customer models a wallet customer: identity, account status and KYC
// tier. It knows nothing about storage or transport.
package customer

import (
	"context"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/text"
)

// Status is the life cycle state of a customer account.
type Status string

// Account statuses.
const (
	StatusPendingVerification Status = "PENDING_VERIFICATION"
	StatusActive              Status = "ACTIVE"
	StatusBlocked             Status = "BLOCKED"
	StatusClosed              Status = "CLOSED"
)

// AccountType is the e-money tier (Bank Indonesia: unregistered/registered).
type AccountType string

// Account types.
const (
	AccountBasic   AccountType = "BASIC"
	AccountPremium AccountType = "PREMIUM"
)

// KYCStatus tracks identity verification.
type KYCStatus string

// KYC statuses.
const (
	KYCUnverified KYCStatus = "UNVERIFIED"
	KYCPending    KYCStatus = "PENDING"
	KYCVerified   KYCStatus = "VERIFIED"
	KYCRejected   KYCStatus = "REJECTED"
)

// TypeIndividual is the only customer type the platform serves today.
const TypeIndividual = "INDIVIDUAL"

// Domain errors.
var (
	ErrNotFound          = fault.New(fault.NotFound, "customer not found")
	ErrAlreadyRegistered = fault.New(fault.AlreadyRegistered, "mobile number already registered")
	ErrNotActive         = fault.New(fault.AccountNotActive, "account not active")
)

const maxNameLen = 50

// Customer is the aggregate root.
type Customer struct {
	id          string
	mobile      MobileNumber
	firstName   string
	middleName  string
	lastName    string
	email       string
	status      Status
	accountType AccountType
	kycStatus   KYCStatus
	createdAt   time.Time
	updatedAt   time.Time
}

// Registration is what a customer gives when signing up.
type Registration struct {
	Mobile     MobileNumber
	FirstName  string
	MiddleName string
	LastName   string
	Email      string
}

// Register creates a customer awaiting verification of the mobile number.
func Register(id string, r Registration, now time.Time) (*Customer, error) {
	if id == "" {
		return nil, fault.New(fault.Internal, "customer id is empty")
	}
	if _, err := ParseMobileNumber(string(r.Mobile)); err != nil {
		return nil, err
	}
	first, err := cleanName("firstName", r.FirstName, true)
	if err != nil {
		return nil, err
	}
	middle, err := cleanName("middleName", r.MiddleName, false)
	if err != nil {
		return nil, err
	}
	last, err := cleanName("lastName", r.LastName, false)
	if err != nil {
		return nil, err
	}
	email := strings.TrimSpace(r.Email)
	if email != "" {
		addr, err := mail.ParseAddress(email)
		if err != nil || addr.Address != email || len(email) > 254 {
			return nil, fault.Invalidf("email", "is not a valid e-mail address")
		}
	}
	return &Customer{
		id: id, mobile: r.Mobile,
		firstName: first, middleName: middle, lastName: last, email: email,
		status: StatusPendingVerification, accountType: AccountBasic, kycStatus: KYCUnverified,
		createdAt: now, updatedAt: now,
	}, nil
}

func cleanName(field, s string, required bool) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		if required {
			return "", fault.Invalidf(field, "is required")
		}
		return "", nil
	}
	if err := text.CheckVisible(field, s); err != nil {
		return "", err
	}
	if utf8.RuneCountInString(s) > maxNameLen {
		return "", fault.Invalidf(field, "is longer than %d characters", maxNameLen)
	}
	for _, r := range s {
		if r < ' ' || r == 0x7f || strings.ContainsRune("<>{}[]\\\"|;", r) {
			return "", fault.Invalidf(field, "contains characters not allowed in a name")
		}
	}
	return s, nil
}

// Activate marks the mobile number as verified. Activating an active
// customer is a no-op; blocked and closed accounts stay as they are.
func (c *Customer) Activate(now time.Time) error {
	switch c.status {
	case StatusActive:
		return nil
	case StatusPendingVerification:
		c.status = StatusActive
		c.updatedAt = now
		return nil
	default:
		return ErrNotActive
	}
}

// ErrKYCInProgress is returned when a KYC submission is already pending or
// the customer is already verified.
var ErrKYCInProgress = fault.New(fault.Invalid, "KYC is already pending or verified for this customer")

// StartKYC marks a KYC submission as pending review. A rejected customer
// may submit again.
func (c *Customer) StartKYC(now time.Time) error {
	if err := c.EnsureActive(); err != nil {
		return err
	}
	if c.kycStatus == KYCPending || c.kycStatus == KYCVerified {
		return ErrKYCInProgress
	}
	c.kycStatus, c.updatedAt = KYCPending, now
	return nil
}

// VerifyKYC upgrades the customer to the verified tier.
func (c *Customer) VerifyKYC(now time.Time) {
	c.kycStatus, c.accountType, c.updatedAt = KYCVerified, AccountPremium, now
}

// RejectKYC records a failed verification; the tier stays BASIC.
func (c *Customer) RejectKYC(now time.Time) {
	if c.kycStatus != KYCVerified {
		c.kycStatus, c.updatedAt = KYCRejected, now
	}
}

// Errors of Block and Unblock.
var (
	ErrNotBlockable = fault.New(fault.Invalid, "only an active account can be blocked")
	ErrNotBlocked   = fault.New(fault.Invalid, "the account is not blocked")
)

// Block stops an active account from transacting (SPEC §2 code 32); an
// operator does it, for example on a fraud report.
func (c *Customer) Block(now time.Time) error {
	if c.status != StatusActive {
		return ErrNotBlockable
	}
	c.status, c.updatedAt = StatusBlocked, now
	return nil
}

// Unblock makes a blocked account active again.
func (c *Customer) Unblock(now time.Time) error {
	if c.status != StatusBlocked {
		return ErrNotBlocked
	}
	c.status, c.updatedAt = StatusActive, now
	return nil
}

// Verified reports whether the customer passed KYC (SPEC §6 tier).
func (c *Customer) Verified() bool { return c.kycStatus == KYCVerified }

// EnsureActive returns ErrNotActive unless the account can transact.
func (c *Customer) EnsureActive() error {
	if c.status != StatusActive {
		return ErrNotActive
	}
	return nil
}

// ID returns the customer's identifier.
func (c *Customer) ID() string { return c.id }

// Mobile returns the canonical mobile number.
func (c *Customer) Mobile() MobileNumber { return c.mobile }

// FirstName returns the first name.
func (c *Customer) FirstName() string { return c.firstName }

// MiddleName returns the middle name, possibly empty.
func (c *Customer) MiddleName() string { return c.middleName }

// LastName returns the last name, possibly empty.
func (c *Customer) LastName() string { return c.lastName }

// FullName joins the non-empty name parts.
func (c *Customer) FullName() string {
	parts := make([]string, 0, 3)
	for _, p := range []string{c.firstName, c.middleName, c.lastName} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " ")
}

// Email returns the e-mail address, possibly empty.
func (c *Customer) Email() string { return c.email }

// Status returns the account status.
func (c *Customer) Status() Status { return c.status }

// AccountType returns the e-money tier.
func (c *Customer) AccountType() AccountType { return c.accountType }

// KYCStatus returns the identity verification state.
func (c *Customer) KYCStatus() KYCStatus { return c.kycStatus }

// CustomerType returns the customer type shown in inquiries.
func (c *Customer) CustomerType() string { return TypeIndividual }

// CreatedAt returns the registration time.
func (c *Customer) CreatedAt() time.Time { return c.createdAt }

// UpdatedAt returns the time of the last change.
func (c *Customer) UpdatedAt() time.Time { return c.updatedAt }

// Snapshot carries stored state back into the domain.
type Snapshot struct {
	ID, FirstName, MiddleName, LastName, Email string
	Mobile                                     MobileNumber
	Status                                     Status
	AccountType                                AccountType
	KYCStatus                                  KYCStatus
	CreatedAt, UpdatedAt                       time.Time
}

// Rehydrate rebuilds a customer from storage without re-validating input
// rules that may have changed since it was stored.
func Rehydrate(s Snapshot) *Customer {
	return &Customer{
		id: s.ID, mobile: s.Mobile, firstName: s.FirstName, middleName: s.MiddleName,
		lastName: s.LastName, email: s.Email, status: s.Status, accountType: s.AccountType,
		kycStatus: s.KYCStatus, createdAt: s.CreatedAt, updatedAt: s.UpdatedAt,
	}
}

// Repository stores customers.
type Repository interface {
	// Add stores a new customer; ErrAlreadyRegistered when the mobile number
	// is taken.
	Add(ctx context.Context, c *Customer) error
	// ByMobile returns the customer or ErrNotFound. With forUpdate the row is
	// locked until the surrounding transaction ends, which serialises OTP
	// issue and verification per customer.
	ByMobile(ctx context.Context, m MobileNumber, forUpdate bool) (*Customer, error)
	// ByMobileFor returns the customer and whether partnerID is bound to it
	// (may act for it), in one read: every partner request needs both.
	// ErrNotFound when the number is unknown.
	ByMobileFor(ctx context.Context, m MobileNumber, partnerID string) (*Customer, bool, error)
	// ByID returns the customer or ErrNotFound.
	ByID(ctx context.Context, id string) (*Customer, error)
	// Update saves the mutable state; ErrNotFound when the customer is gone.
	Update(ctx context.Context, c *Customer) error
}
