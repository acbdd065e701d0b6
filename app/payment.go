package app

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/transfer"
	"github.com/dompet/wallet/domain/wallet"
)

// boundCustomer loads a customer the partner may act for.
func (a *App) boundCustomer(ctx context.Context, p *partner.Partner, mobile string) (*customer.Customer, error) {
	m, err := a.phones.Normalize(mobile)
	if err != nil {
		return nil, err
	}
	var c *customer.Customer
	err = a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		c, err = r.Customers.ByMobile(ctx, m, false)
		if err != nil {
			return unboundIfMissing(err)
		}
		return requireBinding(ctx, r, p.ID(), c.ID())
	})
	return c, err
}

// Pay is a partner charging its bound customer for an order.
type Pay struct {
	Partner      *partner.Partner
	ExternalID   string // the request's idempotency key, if any
	MobileNumber string
	Amount       int64
	OrderID      string
	Description  string
}

// Pay debits the customer and credits the partner's merchant account.
// Errors: Forbidden, InvalidMobile, Invalid, NotFound, AccountNotActive,
// LimitExceeded (bounds), InsufficientBalance, IdempotencyConflict (order
// id already used).
func (a *App) Pay(ctx context.Context, cmd Pay) (_ Moved, retErr error) {
	ctx, end := a.span(ctx, "Pay")
	defer func() { end(retErr) }()
	if err := cmd.Partner.RequireRole(partner.RolePartner); err != nil {
		return Moved{}, err
	}
	orderID := strings.TrimSpace(cmd.OrderID)
	if orderID == "" || len(orderID) > 64 {
		return Moved{}, fault.Invalidf("orderId", "is required (at most 64 characters)")
	}
	if err := a.cfg.Money.Payment.Check(cmd.Amount); err != nil {
		return Moved{}, err
	}
	mobile, err := a.phones.Normalize(cmd.MobileNumber)
	if err != nil {
		return Moved{}, err
	}
	out, err := a.move(ctx, cmd.Partner.ID(), cmd.ExternalID, func(ctx context.Context, r Repos) (Moved, error) {
		c, bound, pocket, err := r.Payers.LockPayer(ctx, mobile, cmd.Partner.ID())
		if err != nil {
			return Moved{}, unboundIfMissing(err)
		}
		if !bound {
			return Moved{}, partner.ErrNotBound
		}
		if err := c.EnsureActive(); err != nil {
			return Moved{}, err
		}
		now := a.now()
		t, err := transfer.Start(transfer.New{ID: a.ids.New(), Type: transfer.TypePayment, PartnerID: cmd.Partner.ID(),
			CustomerID: c.ID(), Counterparty: cmd.Partner.Name(), Amount: cmd.Amount, OrderID: orderID,
			Description: cmd.Description, ExternalID: cmd.ExternalID}, now)
		if err != nil {
			return Moved{}, err
		}
		before := pocket.Balance()
		if err := pocket.Debit(cmd.Amount); err != nil {
			return Moved{}, err
		}
		e, err := wallet.Move(a.ids.New(), t.ID(), pocket.ID(), wallet.SystemAccountID(wallet.KindMerchant, cmd.Partner.ID()), cmd.Amount, now)
		if err != nil {
			return Moved{}, err
		}
		// The unique (partner, orderId) index refuses a second payment
		// for the order.
		if err := book(ctx, r, t, e, pocket); err != nil {
			return Moved{}, err
		}
		return Moved{Transaction: t, Customer: c, BalanceBefore: before, BalanceAfter: pocket.Balance()}, nil
	}, func(prev *transfer.Transaction, payer *customer.Customer) bool {
		return prev.Type() == transfer.TypePayment && prev.OrderID() == orderID && prev.Amount() == cmd.Amount && payer.Mobile() == mobile
	})
	if err != nil {
		return Moved{}, fmt.Errorf("pay: %w", err)
	}
	return out, nil
}

// RefundPayment is a partner returning (part of) one of its payments.
type RefundPayment struct {
	Partner    *partner.Partner
	ExternalID string
	OrderID    string
	Amount     int64
	Reason     string
}

// Refund credits the customer back from the partner's merchant account. A
// refund is never refused for the customer's balance cap (ADR 0004): it
// returns money that was the customer's, and refusing it would leave it
// with the merchant.
// Errors: Forbidden, Invalid, NotFound, LimitExceeded (more than is left).
func (a *App) Refund(ctx context.Context, cmd RefundPayment) (_ Moved, retErr error) {
	ctx, end := a.span(ctx, "Refund")
	defer func() { end(retErr) }()
	if err := cmd.Partner.RequireRole(partner.RolePartner); err != nil {
		return Moved{}, err
	}
	if err := a.cfg.Money.Refund.Check(cmd.Amount); err != nil {
		return Moved{}, err
	}
	orderID := strings.TrimSpace(cmd.OrderID)
	out, err := a.move(ctx, cmd.Partner.ID(), cmd.ExternalID, func(ctx context.Context, r Repos) (Moved, error) {
		// The payment row lock serialises refunds of one order, so their
		// total can never pass the amount paid.
		payment, err := r.Transactions.ByOrderID(ctx, cmd.Partner.ID(), orderID, true)
		if err != nil {
			return Moved{}, err
		}
		now := a.now()
		c, err := r.Customers.ByID(ctx, payment.CustomerID())
		if err != nil {
			return Moved{}, err
		}
		pocket, err := r.Accounts.PocketOf(ctx, c.ID(), true)
		if err != nil {
			return Moved{}, err
		}
		t, err := transfer.Start(transfer.New{ID: a.ids.New(), Type: transfer.TypeRefund, PartnerID: cmd.Partner.ID(),
			CustomerID: c.ID(), Counterparty: cmd.Partner.Name(), Amount: cmd.Amount, OrderID: payment.OrderID(),
			Reference: payment.ID(), Description: cmd.Reason, ExternalID: cmd.ExternalID}, now)
		if err != nil {
			return Moved{}, err
		}
		if err := payment.Refund(cmd.Amount, now); err != nil {
			return Moved{}, err
		}
		before := pocket.Balance()
		if err := pocket.Credit(cmd.Amount); err != nil {
			return Moved{}, err
		}
		e, err := wallet.Move(a.ids.New(), t.ID(), wallet.SystemAccountID(wallet.KindMerchant, cmd.Partner.ID()), pocket.ID(), cmd.Amount, now)
		if err != nil {
			return Moved{}, err
		}
		if err := book(ctx, r, t, e, pocket); err != nil {
			return Moved{}, err
		}
		if err := r.Transactions.Update(ctx, payment); err != nil {
			return Moved{}, err
		}
		return Moved{Transaction: t, Customer: c, BalanceBefore: before, BalanceAfter: pocket.Balance()}, nil
	}, func(prev *transfer.Transaction, _ *customer.Customer) bool {
		return prev.Type() == transfer.TypeRefund && prev.OrderID() == orderID && prev.Amount() == cmd.Amount
	})
	if err != nil {
		return Moved{}, fmt.Errorf("refund: %w", err)
	}
	return out, nil
}

// P2PTransfer moves money between two customers' wallets.
type P2PTransfer struct {
	Partner        *partner.Partner
	ExternalID     string
	MobileNumber   string
	ToMobileNumber string
	Amount         int64
	Description    string
}

// TransferP2P sends money from a verified customer to another wallet; the
// receiver's balance cap and monthly limit apply.
// Errors: Forbidden, InvalidMobile, Invalid, NotFound, AccountNotActive,
// KYCLevel, LimitExceeded, InsufficientBalance.
func (a *App) TransferP2P(ctx context.Context, cmd P2PTransfer) (_ Moved, retErr error) {
	ctx, end := a.span(ctx, "TransferP2P")
	defer func() { end(retErr) }()
	if err := cmd.Partner.RequireRole(partner.RolePartner); err != nil {
		return Moved{}, err
	}
	if err := a.cfg.Money.P2P.Check(cmd.Amount); err != nil {
		return Moved{}, err
	}
	from, err := a.phones.Normalize(cmd.MobileNumber)
	if err != nil {
		return Moved{}, err
	}
	to, err := a.phones.Normalize(cmd.ToMobileNumber)
	if err != nil {
		return Moved{}, err
	}
	if from == to {
		return Moved{}, fault.Invalidf("toMobileNumber", "must differ from mobileNumber")
	}
	out, err := a.move(ctx, cmd.Partner.ID(), cmd.ExternalID, func(ctx context.Context, r Repos) (Moved, error) {
		sender, err := r.Customers.ByMobile(ctx, from, false)
		if err != nil {
			return Moved{}, unboundIfMissing(err)
		}
		if err := requireBinding(ctx, r, cmd.Partner.ID(), sender.ID()); err != nil {
			return Moved{}, err
		}
		if err := sender.EnsureActive(); err != nil {
			return Moved{}, err
		}
		if !a.limitsOf(sender).CanSendOut {
			return Moved{}, ErrKYCLevel
		}
		receiver, err := r.Customers.ByMobile(ctx, to, false)
		if err != nil {
			return Moved{}, err
		}
		if err := receiver.EnsureActive(); err != nil {
			return Moved{}, err
		}
		pockets, err := lockPockets(ctx, r, sender.ID(), receiver.ID())
		if err != nil {
			return Moved{}, err
		}
		src, dst := pockets[sender.ID()], pockets[receiver.ID()]
		now := a.now()
		received, err := r.Accounts.IncomingThisMonth(ctx, receiver.ID(), now)
		if err != nil {
			return Moved{}, err
		}
		if err := wallet.CheckIncoming(dst, received, cmd.Amount, a.limitsOf(receiver)); err != nil {
			return Moved{}, err
		}
		t, err := transfer.Start(transfer.New{ID: a.ids.New(), Type: transfer.TypeP2P, PartnerID: cmd.Partner.ID(),
			CustomerID: sender.ID(), CounterpartyID: receiver.ID(), Counterparty: receiver.Mobile().Masked(),
			Amount: cmd.Amount, Description: cmd.Description, ExternalID: cmd.ExternalID}, now)
		if err != nil {
			return Moved{}, err
		}
		before := src.Balance()
		if err := src.Debit(cmd.Amount); err != nil {
			return Moved{}, err
		}
		if err := dst.Credit(cmd.Amount); err != nil {
			return Moved{}, err
		}
		e, err := wallet.Move(a.ids.New(), t.ID(), src.ID(), dst.ID(), cmd.Amount, now)
		if err != nil {
			return Moved{}, err
		}
		if err := r.Accounts.AddIncoming(ctx, receiver.ID(), now, cmd.Amount); err != nil {
			return Moved{}, err
		}
		if err := book(ctx, r, t, e, src, dst); err != nil {
			return Moved{}, err
		}
		return Moved{Transaction: t, Customer: sender, BalanceBefore: before, BalanceAfter: src.Balance()}, nil
	}, func(prev *transfer.Transaction, payer *customer.Customer) bool {
		return prev.Type() == transfer.TypeP2P && prev.Amount() == cmd.Amount && payer.Mobile() == from
	})
	if err != nil {
		return Moved{}, fmt.Errorf("p2p transfer: %w", err)
	}
	return out, nil
}

// lockPockets locks the customers' pockets in ascending account id order,
// the one order every movement uses, so two transfers in opposite
// directions cannot deadlock.
func lockPockets(ctx context.Context, r Repos, customerIDs ...string) (map[string]*wallet.Account, error) {
	byCustomer := make(map[string]*wallet.Account, len(customerIDs))
	for _, id := range customerIDs {
		p, err := r.Accounts.PocketOf(ctx, id, false)
		if err != nil {
			return nil, err
		}
		byCustomer[id] = p
	}
	ids := append([]string(nil), customerIDs...)
	sort.Slice(ids, func(i, j int) bool { return byCustomer[ids[i]].ID() < byCustomer[ids[j]].ID() })
	for _, id := range ids {
		p, err := r.Accounts.PocketOf(ctx, id, true)
		if err != nil {
			return nil, err
		}
		byCustomer[id] = p
	}
	return byCustomer, nil
}
