package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/session"
	"github.com/dompet/wallet/domain/wallet"
)

const timeHour = time.Hour

// ErrUnknownPartner is what a caller with a wrong X-PARTNER-ID gets: the
// same kind as a bad signature, so partner ids cannot be probed.
var ErrUnknownPartner = fault.New(fault.Unauthenticated, "unknown partner")

// SignedRequest is what a transport extracted from a partner request.
type SignedRequest struct {
	PartnerID     string
	Method        string
	PathWithQuery string
	Body          []byte
	Timestamp     string
	Signature     string
}

// AuthenticatePartner verifies a request signature (SPEC §4). Within the
// grace period after a rotation the retired secret is accepted too.
// Errors: Unauthenticated (also for a disabled partner).
func (a *App) AuthenticatePartner(ctx context.Context, req SignedRequest) (*partner.Partner, error) {
	if req.PartnerID == "" || req.Timestamp == "" || req.Signature == "" {
		return nil, fault.New(fault.Unauthenticated, "missing X-PARTNER-ID, X-TIMESTAMP or X-SIGNATURE")
	}
	// The window first: its error names X-TIMESTAMP, and must say the same
	// whether or not the partner exists.
	if err := partner.CheckTimestamp(req.Timestamp, a.now()); err != nil {
		return nil, err
	}
	c, err := a.loadPartner(ctx, req.PartnerID)
	if err != nil {
		return nil, err
	}
	if c.partner.Disabled() {
		return nil, partner.ErrDisabled
	}
	now := a.now()
	err = partner.Verify(c.secret, req.Method, req.PathWithQuery, req.Body, req.Timestamp, req.Signature, now)
	if errors.Is(err, partner.ErrBadSignature) && c.retired != nil && now.Before(c.retiredUntil) {
		err = partner.Verify(c.retired, req.Method, req.PathWithQuery, req.Body, req.Timestamp, req.Signature, now)
	}
	if err != nil {
		return nil, err
	}
	return c.partner, nil
}

// partnerTTL bounds how long a process trusts its cached copy of a
// partner: a rotation, a disable or a setting changed by another process
// (the CLI) takes effect here within this time. On PostgreSQL the change
// listener (ADR 0013) calls ForgetPartner within milliseconds of the
// commit; the TTL is the safety net for when it is off or disconnected.
const partnerTTL = time.Minute

// ForgetPartner drops this process's cached copy of a partner: the next
// request reads it again. The change listener calls it when any process
// commits a change to the partner.
func (a *App) ForgetPartner(id string) { a.partners.Delete(id) }

// ForgetPartners drops every cached partner: the change listener calls it
// after a reconnection, when changes may have gone unnoticed.
func (a *App) ForgetPartners() { a.partners.Clear() }

type cachedPartner struct {
	partner      *partner.Partner
	secret       []byte
	retired      []byte // opened retired secret, nil when none
	retiredUntil time.Time
	expires      time.Time
}

// partnerWithSecret returns the partner, disabled or not, and its opened
// secret: webhooks are signed with it.
func (a *App) partnerWithSecret(ctx context.Context, id string) (*partner.Partner, []byte, error) {
	c, err := a.loadPartner(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	return c.partner, c.secret, nil
}

// loadPartner returns the partner and its opened secrets, from the cache
// when fresh: every signed request needs them, and reading and decrypting
// them per request cost a transaction each.
// Errors: Unauthenticated when unknown.
func (a *App) loadPartner(ctx context.Context, id string) (cachedPartner, error) {
	if id == "" || len(id) > 64 {
		return cachedPartner{}, ErrUnknownPartner
	}
	now := time.Now()
	if v, ok := a.partners.Load(id); ok {
		if c := v.(cachedPartner); now.Before(c.expires) {
			return c, nil
		}
	}
	var p *partner.Partner
	err := a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		var err error
		p, err = r.Partners.ByID(ctx, id)
		return err
	})
	if errors.Is(err, partner.ErrNotFound) {
		return cachedPartner{}, ErrUnknownPartner
	}
	if err != nil {
		return cachedPartner{}, err
	}
	c := cachedPartner{partner: p, expires: now.Add(partnerTTL)}
	if c.secret, err = a.box.Open(p.SealedSecret()); err != nil {
		return cachedPartner{}, fmt.Errorf("open partner secret: %w", err)
	}
	if sealed, until := p.RetiredSecret(); sealed != nil {
		if c.retired, err = a.box.Open(sealed); err != nil {
			return cachedPartner{}, fmt.Errorf("open retired partner secret: %w", err)
		}
		c.retiredUntil = until
	}
	a.partners.Store(id, c)
	return c, nil
}

// Partner loads a partner by the id a frontend sends in X-PARTNER-ID.
// Errors: Unauthenticated when unknown or disabled.
func (a *App) Partner(ctx context.Context, id string) (*partner.Partner, error) {
	c, err := a.loadPartner(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.partner.Disabled() {
		return nil, partner.ErrDisabled
	}
	return c.partner, nil
}

// CustomerSession is an authenticated customer acting through a partner.
type CustomerSession struct {
	SessionID  string
	PartnerID  string
	CustomerID string
	// ExpiresAt is when the access token stops being valid.
	ExpiresAt time.Time
}

// AuthenticateCustomer resolves a bearer token presented with a partner id.
// Errors: Unauthenticated.
func (a *App) AuthenticateCustomer(ctx context.Context, partnerID, token string) (CustomerSession, error) {
	if token == "" || len(token) > 256 {
		return CustomerSession{}, session.ErrNotFound
	}
	var out CustomerSession
	err := a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		s, err := r.Sessions.ByTokenHash(ctx, session.HashToken(token))
		if err != nil {
			return err
		}
		if err := s.Check(partnerID, a.now()); err != nil {
			return err
		}
		out = CustomerSession{SessionID: s.ID(), PartnerID: s.PartnerID(), CustomerID: s.CustomerID(), ExpiresAt: s.ExpiresAt()}
		return nil
	})
	return out, err
}

// Logout revokes the session behind a token.
// Errors: Unauthenticated when the token is unknown.
func (a *App) Logout(ctx context.Context, partnerID, token string) error {
	return a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		s, err := r.Sessions.ByTokenHash(ctx, session.HashToken(token))
		if err != nil {
			return err
		}
		if err := s.Check(partnerID, a.now()); err != nil {
			return err
		}
		s.Revoke(a.now())
		return r.Sessions.Update(ctx, s)
	})
}

// NewPartner is an operator creating a partner.
type NewPartner struct {
	Name string
	Role string
	// BankTransferFee, when set, overrides the platform's fee for this
	// partner's customers.
	BankTransferFee *int64
	// CallbackURL, when set, is where the partner receives webhooks; it is
	// checked before anything is stored, so a bad URL creates nothing.
	CallbackURL string
	// SNAPPublicKey, when set, is the PEM RSA public key the partner signs
	// SNAP access-token requests with.
	SNAPPublicKey []byte
	// BankGateway makes a CHANNEL partner the bank gateway, the only one
	// whose transfer results (POST /callbacks/bank-transfer/) are taken.
	BankGateway bool
}

// CreatedPartner carries the secret, shown once and never stored in clear.
type CreatedPartner struct {
	Partner *partner.Partner
	Secret  string
}

// CreatePartner creates a partner with a fresh signing secret.
// Errors: Invalid.
func (a *App) CreatePartner(ctx context.Context, cmd NewPartner) (CreatedPartner, error) {
	role, err := partner.ParseRole(cmd.Role)
	if err != nil {
		return CreatedPartner{}, err
	}
	var snapKey []byte
	if cmd.SNAPPublicKey != nil {
		if snapKey, err = partner.ParseSNAPPublicKey(cmd.SNAPPublicKey); err != nil {
			return CreatedPartner{}, err
		}
	}
	secret, err := session.NewToken(a.rand) // 256 random bits, URL-safe
	if err != nil {
		return CreatedPartner{}, err
	}
	sealed, err := a.box.Seal([]byte(secret))
	if err != nil {
		return CreatedPartner{}, err
	}
	p, err := partner.New(a.ids.New(), cmd.Name, role, sealed, a.now())
	if err != nil {
		return CreatedPartner{}, err
	}
	if cmd.BankTransferFee != nil {
		p.SetBankTransferFee(*cmd.BankTransferFee)
	}
	if err := p.SetCallbackURL(cmd.CallbackURL); err != nil {
		return CreatedPartner{}, err
	}
	p.SetSNAPPublicKey(snapKey)
	if err := p.SetBankGateway(cmd.BankGateway); err != nil {
		return CreatedPartner{}, err
	}
	err = a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		if err := r.Partners.Add(ctx, p); err != nil {
			return err
		}
		// The partner's own ledger accounts: merchant balance for payments,
		// clearing accounts for channels.
		kinds := []wallet.Kind{wallet.KindMerchant}
		if role == partner.RoleChannel {
			kinds = []wallet.Kind{wallet.KindVAClearing, wallet.KindRetailClearing}
		}
		for _, k := range kinds {
			if err := r.Accounts.Open(ctx, wallet.OpenSystem(k, p.ID(), a.now())); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return CreatedPartner{}, fmt.Errorf("create partner: %w", err)
	}
	return CreatedPartner{Partner: p, Secret: secret}, nil
}

// BankTransferFee is what p's customers pay on a transfer to a bank, and
// whether it is p's own fee rather than the platform's.
func (a *App) BankTransferFee(p *partner.Partner) (fee int64, own bool) {
	if f, ok := p.BankTransferFee(); ok {
		return f, true
	}
	return a.cfg.Money.BankTransferFee, false
}

// UpdatePartner is an operator changing a partner's settings.
type UpdatePartner struct {
	ID              string
	BankTransferFee int64 // negative removes the override
}

// UpdatePartner saves the settings; other processes see them within
// partnerTTL.
// Errors: NotFound.
func (a *App) UpdatePartner(ctx context.Context, cmd UpdatePartner) (*partner.Partner, error) {
	var p *partner.Partner
	err := a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		var err error
		if p, err = r.Partners.ByID(ctx, cmd.ID); err != nil {
			return err
		}
		p.SetBankTransferFee(cmd.BankTransferFee)
		return r.Partners.Update(ctx, p)
	})
	if err != nil {
		return nil, err
	}
	a.partners.Delete(cmd.ID)
	return p, nil
}
