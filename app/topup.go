package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/transfer"
	"github.com/dompet/wallet/domain/wallet"
)

// ErrUnknownVA is returned for a virtual account number no customer has.
var ErrUnknownVA = fault.New(fault.NotFound, "virtual account not found")

// VirtualAccount is one top-up account number of a customer.
type VirtualAccount struct {
	Bank     Bank
	VANumber string
}

// virtualAccounts lists a customer's VA numbers: bank prefix + the number
// as dialled in Indonesia (08…).
func (a *App) virtualAccounts(c *customer.Customer) []VirtualAccount {
	var out []VirtualAccount
	for _, b := range a.cfg.Money.Banks {
		if b.VAPrefix != "" {
			out = append(out, VirtualAccount{Bank: b, VANumber: b.VAPrefix + c.Mobile().National()})
		}
	}
	return out
}

// resolveVA finds the bank and the customer's number behind a VA number.
func (a *App) resolveVA(va string) (Bank, customer.MobileNumber, error) {
	for _, b := range a.cfg.Money.Banks {
		if b.VAPrefix == "" || !strings.HasPrefix(va, b.VAPrefix) {
			continue
		}
		m, err := a.phones.Normalize(va[len(b.VAPrefix):])
		if err != nil || !strings.HasPrefix(va[len(b.VAPrefix):], "0") {
			return Bank{}, "", ErrUnknownVA
		}
		return b, m, nil
	}
	return Bank{}, "", ErrUnknownVA
}

// VirtualAccounts lists the VA numbers of a customer bound to the partner.
// Errors: InvalidMobile, NotFound, Forbidden.
func (a *App) VirtualAccounts(ctx context.Context, p *partner.Partner, mobile string) ([]VirtualAccount, error) {
	if err := p.RequireRole(partner.RolePartner); err != nil {
		return nil, err
	}
	c, err := a.boundCustomer(ctx, p, mobile)
	if err != nil {
		return nil, err
	}
	return a.virtualAccounts(c), nil
}

// MyVirtualAccounts lists the VA numbers of the session's customer.
func (a *App) MyVirtualAccounts(ctx context.Context, s CustomerSession) ([]VirtualAccount, error) {
	var c *customer.Customer
	err := a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		var err error
		c, err = r.Customers.ByID(ctx, s.CustomerID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return a.virtualAccounts(c), nil
}

// TopUpQuote answers a channel's inquiry: who the money is for and how much
// the customer's limits allow right now.
type TopUpQuote struct {
	Customer  *customer.Customer
	Bank      Bank   // VA top-ups
	VANumber  string // VA top-ups
	Amount    int64  // requested, 0 when none
	Fee       int64
	MinAmount int64
	MaxAmount int64 // the most the customer can receive now
}

// VAInquiry is a bank channel asking about a VA number before payment.
type VAInquiry struct {
	Partner  *partner.Partner
	VANumber string
	Amount   int64 // optional
}

// InquireVA resolves a VA number and checks limits for the amount, if any.
// Errors: Forbidden (not a CHANNEL), NotFound, AccountNotActive,
// LimitExceeded.
func (a *App) InquireVA(ctx context.Context, q VAInquiry) (_ TopUpQuote, retErr error) {
	ctx, end := a.span(ctx, "InquireVA")
	defer func() { end(retErr) }()
	if err := q.Partner.RequireRole(partner.RoleChannel); err != nil {
		return TopUpQuote{}, err
	}
	bank, mobile, err := a.resolveVA(q.VANumber)
	if err != nil {
		return TopUpQuote{}, err
	}
	quote, err := a.quote(ctx, mobile, q.Amount, 0)
	if err != nil {
		return TopUpQuote{}, err
	}
	quote.Bank, quote.VANumber = bank, q.VANumber
	return quote, nil
}

// RetailInquiry is a retail channel asking before taking cash.
type RetailInquiry struct {
	Partner      *partner.Partner
	MobileNumber string
	Amount       int64
}

// InquireRetail checks a retail top-up for a number and amount.
// Errors: Forbidden, InvalidMobile, NotFound, AccountNotActive,
// LimitExceeded.
func (a *App) InquireRetail(ctx context.Context, q RetailInquiry) (_ TopUpQuote, retErr error) {
	ctx, end := a.span(ctx, "InquireRetail")
	defer func() { end(retErr) }()
	if err := q.Partner.RequireRole(partner.RoleChannel); err != nil {
		return TopUpQuote{}, err
	}
	mobile, err := a.phones.Normalize(q.MobileNumber)
	if err != nil {
		return TopUpQuote{}, err
	}
	return a.quote(ctx, mobile, q.Amount, a.cfg.Money.RetailFee)
}

func (a *App) quote(ctx context.Context, mobile customer.MobileNumber, amount, fee int64) (TopUpQuote, error) {
	var out TopUpQuote
	err := a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		c, err := r.Customers.ByMobile(ctx, mobile, false)
		if err != nil {
			return err
		}
		if err := c.EnsureActive(); err != nil {
			return err
		}
		pocket, err := r.Accounts.PocketOf(ctx, c.ID(), false)
		if err != nil {
			return err
		}
		received, err := r.Accounts.IncomingThisMonth(ctx, c.ID(), a.now())
		if err != nil {
			return err
		}
		room := min(wallet.Room(pocket, received, a.limitsOf(c)), a.cfg.Money.TopUp.Max)
		out = TopUpQuote{Customer: c, Amount: amount, Fee: fee, MinAmount: a.cfg.Money.TopUp.Min, MaxAmount: room}
		if amount == 0 {
			return nil
		}
		if err := a.cfg.Money.TopUp.Check(amount); err != nil {
			return err
		}
		return wallet.CheckIncoming(pocket, received, amount, a.limitsOf(c))
	})
	return out, err
}

// VAPayment is a bank channel's notification that money arrived on a VA.
type VAPayment struct {
	Partner       *partner.Partner
	ExternalID    string
	VANumber      string
	Amount        int64
	BankReference string
}

// PayVA credits a VA top-up. A repeated notification (same bankReference)
// credits nothing and answers as the first time.
// Errors: Forbidden, NotFound, AccountNotActive, LimitExceeded,
// IdempotencyConflict (reference reused with other details).
func (a *App) PayVA(ctx context.Context, cmd VAPayment) (_ Moved, retErr error) {
	ctx, end := a.span(ctx, "PayVA")
	defer func() { end(retErr) }()
	if err := cmd.Partner.RequireRole(partner.RoleChannel); err != nil {
		return Moved{}, err
	}
	bank, mobile, err := a.resolveVA(cmd.VANumber)
	if err != nil {
		return Moved{}, err
	}
	return a.topUp(ctx, cmd.Partner, cmd.ExternalID, mobile, cmd.Amount, 0, cmd.BankReference, transfer.TypeTopUpVA,
		fmt.Sprintf("%s VA %s", bank.Name, cmd.VANumber), wallet.SystemAccountID(wallet.KindVAClearing, cmd.Partner.ID()))
}

// RetailPayment is a retail channel's notification that cash was taken.
type RetailPayment struct {
	Partner        *partner.Partner
	ExternalID     string
	MobileNumber   string
	Amount         int64
	StoreReference string
}

// PayRetail credits a retail top-up; the channel collected amount + fee.
// Errors: as PayVA, plus InvalidMobile.
func (a *App) PayRetail(ctx context.Context, cmd RetailPayment) (_ Moved, retErr error) {
	ctx, end := a.span(ctx, "PayRetail")
	defer func() { end(retErr) }()
	if err := cmd.Partner.RequireRole(partner.RoleChannel); err != nil {
		return Moved{}, err
	}
	mobile, err := a.phones.Normalize(cmd.MobileNumber)
	if err != nil {
		return Moved{}, err
	}
	return a.topUp(ctx, cmd.Partner, cmd.ExternalID, mobile, cmd.Amount, a.cfg.Money.RetailFee, cmd.StoreReference, transfer.TypeTopUpRetail,
		cmd.Partner.Name(), wallet.SystemAccountID(wallet.KindRetailClearing, cmd.Partner.ID()))
}

func (a *App) topUp(ctx context.Context, p *partner.Partner, externalID string, mobile customer.MobileNumber, amount, fee int64,
	ref string, typ transfer.Type, counterparty, clearing string) (Moved, error) {
	if err := a.cfg.Money.TopUp.Check(amount); err != nil {
		return Moved{}, err
	}
	out, err := a.move(ctx, p.ID(), externalID, func(ctx context.Context, r Repos) (Moved, error) {
		c, err := r.Customers.ByMobile(ctx, mobile, false)
		if err != nil {
			return Moved{}, err
		}
		pocket, err := r.Accounts.PocketOf(ctx, c.ID(), true)
		if err != nil {
			return Moved{}, err
		}
		// A channel repeating a notification uses a new request key but
		// the same reference: it is answered as the first time.
		if out, replayed, err := replayTopUp(ctx, r, p, ref, c, pocket, amount); err != nil || replayed {
			return out, err
		}
		if err := c.EnsureActive(); err != nil {
			return Moved{}, err
		}
		t, err := transfer.Start(transfer.New{ID: a.ids.New(), Type: typ, PartnerID: p.ID(), CustomerID: c.ID(),
			Counterparty: counterparty, Amount: amount, Fee: fee, Reference: ref, ExternalID: externalID}, a.now())
		if err != nil {
			return Moved{}, err
		}
		return a.credit(ctx, r, c, pocket, t, clearing, fee)
	}, func(prev *transfer.Transaction, payer *customer.Customer) bool {
		return prev.Type() == typ && prev.Amount() == amount && prev.Reference() == ref && payer.Mobile() == mobile
	})
	if err != nil {
		return Moved{}, fmt.Errorf("top-up: %w", err)
	}
	return out, nil
}
