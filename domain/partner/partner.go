// Package partner models the businesses that call the platform: merchants and
// apps (role PARTNER) and money channels such as banks and retail chains
// (role CHANNEL), their request signatures, and which customers each may act
// for.
package partner

import (
	"context"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/text"
)

// Role decides which doors a partner may use.
type Role string

// Roles.
const (
	RolePartner Role = "PARTNER"
	RoleChannel Role = "CHANNEL"
)

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.ToUpper(s)); r {
	case RolePartner, RoleChannel:
		return r, nil
	}
	return "", fault.Invalidf("role", "must be PARTNER or CHANNEL")
}

// Errors.
var (
	ErrNotFound  = fault.New(fault.NotFound, "partner not found")
	ErrNotBound  = fault.New(fault.Forbidden, "customer is not bound to this partner")
	ErrWrongRole = fault.New(fault.Forbidden, "partner role may not call this operation")
	// ErrDisabled is what every door answers a disabled partner (code 20).
	ErrDisabled = fault.New(fault.Unauthenticated, "partner disabled")
)

// Partner is an API client. The secret is kept sealed: the domain never sees
// it in clear except when it is created.
type Partner struct {
	id           string
	name         string
	role         Role
	sealedSecret []byte
	createdAt    time.Time
	bankFee      int64
	hasBankFee   bool
	callbackURL  string
	snapKey      []byte // SNAP RSA public key, PKIX DER
	disabled     bool
	bankGateway  bool
	// retired is the secret replaced by the last rotation, still accepted
	// until retiredUntil so that the partner can roll without downtime.
	retired      []byte
	retiredUntil time.Time
}

// ErrNotBankGateway refuses a bank-transfer result from a partner that is
// not the platform's bank gateway: any other CHANNEL could otherwise settle
// transfers it never carried.
var ErrNotBankGateway = fault.New(fault.Forbidden, "only the bank gateway may report transfer results")

// SetBankGateway marks a CHANNEL partner as the bank gateway, the one
// allowed to report the final results of transfers to banks.
func (p *Partner) SetBankGateway(on bool) error {
	if on && p.role != RoleChannel {
		return fault.Invalidf("bankGateway", "only a CHANNEL partner can be the bank gateway")
	}
	p.bankGateway = on
	return nil
}

// BankGateway reports whether the partner is the bank gateway.
func (p *Partner) BankGateway() bool { return p.bankGateway }

// Disable makes every door refuse the partner; Enable undoes it.
func (p *Partner) Disable() { p.disabled = true }

// Enable lets a disabled partner in again.
func (p *Partner) Enable() { p.disabled = false }

// Disabled reports whether the partner is refused.
func (p *Partner) Disabled() bool { return p.disabled }

// RotateSecret makes sealed the signing secret. The one it replaces is
// still accepted for grace after now; an older retired secret, if any, is
// dropped at once, so at most two secrets are ever valid.
func (p *Partner) RotateSecret(sealed []byte, now time.Time, grace time.Duration) error {
	if len(sealed) == 0 {
		return fault.New(fault.Internal, "partner secret missing")
	}
	if grace < 0 {
		return fault.Invalidf("grace", "must not be negative")
	}
	p.retired, p.retiredUntil = p.sealedSecret, now.Add(grace)
	if grace == 0 {
		p.retired, p.retiredUntil = nil, time.Time{}
	}
	p.sealedSecret = sealed
	return nil
}

// RetiredSecret returns the sealed secret replaced by the last rotation and
// until when it is accepted; nil when there is none.
func (p *Partner) RetiredSecret() ([]byte, time.Time) { return p.retired, p.retiredUntil }

// RestoreRetiredSecret is for rehydration from storage only.
func (p *Partner) RestoreRetiredSecret(sealed []byte, until time.Time) {
	if len(sealed) == 0 {
		p.retired, p.retiredUntil = nil, time.Time{}
		return
	}
	p.retired, p.retiredUntil = sealed, until
}

// SetCallbackURL sets where the partner receives webhooks; empty turns them
// off. Only absolute http(s) URLs are accepted.
func (p *Partner) SetCallbackURL(raw string) error {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		p.callbackURL = ""
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(raw) > 500 {
		return fault.Invalidf("callbackUrl", "must be an absolute http(s) URL")
	}
	p.callbackURL = raw
	return nil
}

// CallbackURL returns the webhook endpoint, empty when none.
func (p *Partner) CallbackURL() string { return p.callbackURL }

// SetBankTransferFee overrides, for this partner's customers, the
// platform's service fee on transfers to banks. A negative fee removes the
// override.
func (p *Partner) SetBankTransferFee(fee int64) {
	p.bankFee, p.hasBankFee = max(fee, 0), fee >= 0
}

// BankTransferFee returns the partner's fee override, if any.
func (p *Partner) BankTransferFee() (int64, bool) { return p.bankFee, p.hasBankFee }

// New validates and creates a partner with an already sealed secret.
func New(id, name string, role Role, sealedSecret []byte, now time.Time) (*Partner, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return nil, fault.Invalidf("name", "is required and at most 100 characters")
	}
	// Customers see the partner's name as the counterparty of payments.
	if err := text.CheckVisible("name", name); err != nil {
		return nil, err
	}
	if _, err := ParseRole(string(role)); err != nil {
		return nil, err
	}
	if id == "" || len(sealedSecret) == 0 {
		return nil, fault.New(fault.Internal, "partner id or secret missing")
	}
	return &Partner{id: id, name: name, role: role, sealedSecret: sealedSecret, createdAt: now}, nil
}

// RequireRole returns ErrWrongRole unless the partner has one of roles.
func (p *Partner) RequireRole(roles ...Role) error {
	for _, r := range roles {
		if p.role == r {
			return nil
		}
	}
	return ErrWrongRole
}

// ID returns the partner identifier sent as X-PARTNER-ID.
func (p *Partner) ID() string { return p.id }

// Name returns the display name.
func (p *Partner) Name() string { return p.name }

// Role returns the partner's role.
func (p *Partner) Role() Role { return p.role }

// SealedSecret returns the encrypted signing secret.
func (p *Partner) SealedSecret() []byte { return p.sealedSecret }

// CreatedAt returns the creation time.
func (p *Partner) CreatedAt() time.Time { return p.createdAt }

// Rehydrate rebuilds a partner from storage.
func Rehydrate(id, name string, role Role, sealedSecret []byte, createdAt time.Time) *Partner {
	return &Partner{id: id, name: name, role: role, sealedSecret: sealedSecret, createdAt: createdAt}
}

// Repository stores partners.
type Repository interface {
	// Add stores a new partner.
	Add(ctx context.Context, p *Partner) error
	// ByID returns the partner or ErrNotFound.
	ByID(ctx context.Context, id string) (*Partner, error)
	// Update saves the partner's settings (fee override, callback URL,
	// disabled flag) and its secrets; ErrNotFound when missing.
	Update(ctx context.Context, p *Partner) error
	// List returns every partner ordered by id (ids are ULIDs, so by
	// creation).
	List(ctx context.Context) ([]*Partner, error)
}

// Bindings records which customers a partner may act for.
type Bindings interface {
	// Bind links partner and customer; binding twice is not an error.
	Bind(ctx context.Context, partnerID, customerID string, now time.Time) error
	// IsBound reports whether the link exists.
	IsBound(ctx context.Context, partnerID, customerID string) (bool, error)
}
