package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/otp"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/wallet"
)

// RegisterCustomer is a partner signing a customer up.
type RegisterCustomer struct {
	Partner      *partner.Partner
	MobileNumber string
	FirstName    string
	MiddleName   string
	LastName     string
	Email        string
}

// Registered is the outcome of a registration.
type Registered struct {
	Customer     *customer.Customer
	OTPExpiresIn int
}

// RegisterCustomer creates the customer (pending verification), opens the
// main pocket, binds the customer to the partner and sends a REGISTRATION
// OTP, all in one transaction.
// Errors: Invalid, InvalidMobile, Forbidden (CHANNEL caller),
// AlreadyRegistered.
func (a *App) RegisterCustomer(ctx context.Context, cmd RegisterCustomer) (_ Registered, retErr error) {
	ctx, end := a.span(ctx, "RegisterCustomer")
	defer func() { end(retErr) }()
	if err := cmd.Partner.RequireRole(partner.RolePartner); err != nil {
		return Registered{}, err
	}
	mobile, err := a.phones.Normalize(cmd.MobileNumber)
	if err != nil {
		return Registered{}, err
	}
	now := a.now()
	c, err := customer.Register(a.ids.New(), customer.Registration{
		Mobile: mobile, FirstName: cmd.FirstName, MiddleName: cmd.MiddleName,
		LastName: cmd.LastName, Email: cmd.Email,
	}, now)
	if err != nil {
		return Registered{}, err
	}
	pocket, err := wallet.OpenPocket(a.ids.New(), c.ID(), now)
	if err != nil {
		return Registered{}, err
	}
	var out Registered
	err = a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		if err := r.Customers.Add(ctx, c); err != nil {
			return err
		}
		if err := r.Accounts.Open(ctx, pocket); err != nil {
			return err
		}
		if err := r.Bindings.Bind(ctx, cmd.Partner.ID(), c.ID(), now); err != nil {
			return err
		}
		o, err := a.issueOTP(ctx, r, c, otp.PurposeRegistration)
		if err != nil {
			return err
		}
		out = Registered{Customer: c, OTPExpiresIn: o.ExpiresIn(now)}
		return nil
	})
	if err != nil {
		return Registered{}, fmt.Errorf("register customer: %w", err)
	}
	return out, nil
}

// InquireCustomer is a partner asking for one of its customers.
type InquireCustomer struct {
	Partner      *partner.Partner
	MobileNumber string
}

// CustomerView is a customer with its main pocket.
type CustomerView struct {
	Customer *customer.Customer
	Pocket   *wallet.Account
}

// InquireCustomer returns a customer bound to the calling partner.
// Errors: InvalidMobile, NotFound, Forbidden (not bound, CHANNEL caller).
func (a *App) InquireCustomer(ctx context.Context, q InquireCustomer) (_ CustomerView, retErr error) {
	ctx, end := a.span(ctx, "InquireCustomer")
	defer func() { end(retErr) }()
	if err := q.Partner.RequireRole(partner.RolePartner); err != nil {
		return CustomerView{}, err
	}
	mobile, err := a.phones.Normalize(q.MobileNumber)
	if err != nil {
		return CustomerView{}, err
	}
	var out CustomerView
	err = a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		c, err := r.Customers.ByMobile(ctx, mobile, false)
		if err != nil {
			return unboundIfMissing(err)
		}
		if err := requireBinding(ctx, r, q.Partner.ID(), c.ID()); err != nil {
			return err
		}
		out, err = loadView(ctx, r, c)
		return err
	})
	return out, err
}

// Me returns the customer an access token acts for.
// Errors: NotFound when the customer was removed.
func (a *App) Me(ctx context.Context, s CustomerSession) (CustomerView, error) {
	var out CustomerView
	err := a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		c, err := r.Customers.ByID(ctx, s.CustomerID)
		if err != nil {
			return err
		}
		out, err = loadView(ctx, r, c)
		return err
	})
	return out, err
}

func loadView(ctx context.Context, r Repos, c *customer.Customer) (CustomerView, error) {
	p, err := r.Accounts.PocketOf(ctx, c.ID(), false)
	if err != nil {
		return CustomerView{}, err
	}
	return CustomerView{Customer: c, Pocket: p}, nil
}

// unboundIfMissing answers a number nobody registered as a number bound
// to another partner: both are ErrNotBound (code 21, SPEC §4), so a partner
// cannot learn from a partner-level path whether a number has a wallet
// (README: Reliability, authorization).
func unboundIfMissing(err error) error {
	if errors.Is(err, customer.ErrNotFound) {
		return partner.ErrNotBound
	}
	return err
}

func requireBinding(ctx context.Context, r Repos, partnerID, customerID string) error {
	ok, err := r.Bindings.IsBound(ctx, partnerID, customerID)
	if err != nil {
		return err
	}
	if !ok {
		return partner.ErrNotBound
	}
	return nil
}

// lookupCustomer loads by mobile, locked for the transaction.
func lookupCustomer(ctx context.Context, r Repos, m customer.MobileNumber) (*customer.Customer, error) {
	c, err := r.Customers.ByMobile(ctx, m, true)
	if errors.Is(err, customer.ErrNotFound) {
		return nil, customer.ErrNotFound
	}
	return c, err
}

// boundTo loads a customer the partner may act for, in one read.
// Errors: NotFound, Forbidden.
func boundTo(ctx context.Context, r Repos, p *partner.Partner, m customer.MobileNumber) (*customer.Customer, error) {
	c, bound, err := r.Customers.ByMobileFor(ctx, m, p.ID())
	if err != nil {
		return nil, unboundIfMissing(err)
	}
	if !bound {
		return nil, partner.ErrNotBound
	}
	return c, nil
}
