package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/transfer"
	"github.com/dompet/wallet/domain/wallet"
)

// CashOutCodeDigits is the length of a withdrawal code. Twelve digits keep
// guessing hopeless even for a store that tries codes all day.
const CashOutCodeDigits = 12

// cashOutCode derives the withdrawal code of a cash-out from its reffId
// under a server key: unpredictable without the key, never stored, and the
// same on every retry of the request, which can therefore be answered
// again with the code.
func (a *App) cashOutCode(reffID string) string {
	m := hmac.New(sha256.New, a.cfg.OTPKey)
	m.Write([]byte("cash-out code\x00" + reffID))
	n := binary.BigEndian.Uint64(m.Sum(nil)[:8]) % 1_000_000_000_000
	return fmt.Sprintf("%012d", n)
}

// cashOutHash is what is stored and looked up.
func (a *App) cashOutHash(code string) []byte {
	m := hmac.New(sha256.New, a.cfg.OTPKey)
	m.Write([]byte("cash-out hash\x00" + code))
	return m.Sum(nil)
}

// CashOut is a partner asking for a cash withdrawal code for its customer.
type CashOut struct {
	Partner      *partner.Partner
	ExternalID   string
	MobileNumber string
	Amount       int64
}

// CashOutIssued is a held cash-out with its one-time code.
type CashOutIssued struct {
	Moved
	Code      string
	ExpiresAt time.Time
}

// CashOut holds amount + fee and issues a one-time code a retail store
// redeems for cash within Config.Money.CashOutTTL; cancelled or expired
// codes release the hold.
// Errors: Forbidden, InvalidMobile, NotFound, AccountNotActive, KYCLevel,
// LimitExceeded (bounds, multiples), InsufficientBalance.
func (a *App) CashOut(ctx context.Context, cmd CashOut) (_ CashOutIssued, retErr error) {
	ctx, end := a.span(ctx, "CashOut")
	defer func() { end(retErr) }()
	if err := cmd.Partner.RequireRole(partner.RolePartner); err != nil {
		return CashOutIssued{}, err
	}
	if err := a.cfg.Money.CashOut.Check(cmd.Amount); err != nil {
		return CashOutIssued{}, err
	}
	mobile, err := a.phones.Normalize(cmd.MobileNumber)
	if err != nil {
		return CashOutIssued{}, err
	}
	fee := a.cfg.Money.CashOutFee
	held, err := a.move(ctx, cmd.Partner.ID(), cmd.ExternalID, func(ctx context.Context, r Repos) (Moved, error) {
		c, err := a.sender(ctx, r, cmd.Partner, mobile)
		if err != nil {
			return Moved{}, err
		}
		pocket, err := r.Accounts.PocketOf(ctx, c.ID(), true)
		if err != nil {
			return Moved{}, err
		}
		now := a.now()
		t, err := transfer.Start(transfer.New{ID: a.ids.New(), Type: transfer.TypeCashOut, PartnerID: cmd.Partner.ID(),
			CustomerID: c.ID(), Counterparty: "Cash withdrawal", Amount: cmd.Amount, Fee: fee, ExternalID: cmd.ExternalID}, now)
		if err != nil {
			return Moved{}, err
		}
		before := pocket.Balance()
		if err := hold(ctx, r, pocket, t); err != nil {
			return Moved{}, err
		}
		expires := now.Add(a.cfg.Money.CashOutTTL)
		if err := r.Transactions.AddCashOutCode(ctx, transfer.CashOutCode{TransactionID: t.ID(),
			CodeHash: a.cashOutHash(a.cashOutCode(t.ID())), ExpiresAt: expires}); err != nil {
			return Moved{}, err
		}
		if err := r.Jobs.ExpireCashOut(ctx, t.ID(), expires); err != nil {
			return Moved{}, err
		}
		return Moved{Transaction: t, Customer: c, BalanceBefore: before, BalanceAfter: pocket.Balance()}, nil
	}, func(prev *transfer.Transaction, payer *customer.Customer) bool {
		return prev.Type() == transfer.TypeCashOut && prev.Amount() == cmd.Amount && payer.Mobile() == mobile
	})
	if err != nil {
		return CashOutIssued{}, fmt.Errorf("cash-out: %w", err)
	}
	t := held.Transaction
	return CashOutIssued{Moved: held, Code: a.cashOutCode(t.ID()), ExpiresAt: t.CreatedAt().Add(a.cfg.Money.CashOutTTL)}, nil
}

// RedeemCashOut is a store paying out cash against a code.
type RedeemCashOut struct {
	Partner        *partner.Partner // the store, a CHANNEL partner
	Code           string
	StoreReference string
}

// RedeemCashOut captures the held money of a valid code. The store's
// reference makes it idempotent: the same reference answers as the first
// time.
// Errors: Forbidden, Invalid, NotFound (code invalid, used, expired or
// cancelled — all alike), IdempotencyConflict (reference reused).
func (a *App) RedeemCashOut(ctx context.Context, cmd RedeemCashOut) (_ Moved, retErr error) {
	ctx, end := a.span(ctx, "RedeemCashOut")
	defer func() { end(retErr) }()
	if err := cmd.Partner.RequireRole(partner.RoleChannel); err != nil {
		return Moved{}, err
	}
	code := strings.TrimSpace(cmd.Code)
	if len(code) != CashOutCodeDigits || !digitsOnly(code) {
		return Moved{}, fault.Invalidf("code", "must be %d digits", CashOutCodeDigits)
	}
	hash := a.cashOutHash(code)
	var out Moved
	err := a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		if prev, err := r.Transactions.CashOutByStoreReference(ctx, cmd.Partner.ID(), cmd.StoreReference); err == nil {
			if !hmac.Equal(prev.CodeHash, hash) {
				return transfer.ErrReferenceReused
			}
			return a.loadMoved(ctx, r, prev.TransactionID, &out)
		} else if !errors.Is(err, transfer.ErrNotFound) {
			return err
		}
		co, err := r.Transactions.CashOutByCode(ctx, hash)
		if err != nil {
			return err
		}
		now := a.now()
		t, err := r.Transactions.ByID(ctx, co.TransactionID, true)
		if err != nil {
			return err
		}
		if !t.Pending() || co.RedeemedBy != "" || !now.Before(co.ExpiresAt) {
			return transfer.ErrCashOutCodeInvalid
		}
		c, err := r.Customers.ByID(ctx, t.CustomerID())
		if err != nil {
			return err
		}
		pocket, err := r.Accounts.PocketOf(ctx, c.ID(), true)
		if err != nil {
			return err
		}
		before := pocket.Balance()
		if err := pocket.Capture(t.Total()); err != nil {
			return err
		}
		postings := []wallet.Posting{{AccountID: pocket.ID(), Amount: -t.Total()},
			{AccountID: wallet.SystemAccountID(wallet.KindCashOutClearing, ""), Amount: t.Amount()}}
		if t.Fee() > 0 {
			postings = append(postings, wallet.Posting{AccountID: wallet.SystemAccountID(wallet.KindFeeRevenue, ""), Amount: t.Fee()})
		}
		e, err := wallet.NewEntry(a.ids.New(), t.ID(), postings, now)
		if err != nil {
			return err
		}
		if err := r.Accounts.Post(ctx, e, pocket); err != nil {
			return err
		}
		if err := r.Transactions.RedeemCashOutCode(ctx, hash, cmd.Partner.ID(), cmd.StoreReference); err != nil {
			return err
		}
		t.Succeed(now)
		if err := r.Transactions.Update(ctx, t); err != nil {
			return err
		}
		out = Moved{Transaction: t, Customer: c, BalanceBefore: before, BalanceAfter: pocket.Balance()}
		return nil
	})
	if err != nil {
		return Moved{}, fmt.Errorf("redeem cash-out: %w", err)
	}
	return out, nil
}

func (a *App) loadMoved(ctx context.Context, r Repos, reffID string, out *Moved) error {
	t, err := r.Transactions.ByID(ctx, reffID, false)
	if err != nil {
		return err
	}
	c, err := r.Customers.ByID(ctx, t.CustomerID())
	if err != nil {
		return err
	}
	*out = Moved{Transaction: t, Customer: c, Replayed: true}
	return nil
}

// CancelCashOut releases an unredeemed cash-out at the customer's request,
// through a partner bound to the customer.
// Errors: Forbidden, NotFound, Invalid (already redeemed, cancelled or
// expired).
func (a *App) CancelCashOut(ctx context.Context, p *partner.Partner, reffID string) (_ *transfer.Transaction, retErr error) {
	ctx, end := a.span(ctx, "CancelCashOut")
	defer func() { end(retErr) }()
	if err := p.RequireRole(partner.RolePartner); err != nil {
		return nil, err
	}
	return a.releaseCashOut(ctx, reffID, func(ctx context.Context, r Repos, t *transfer.Transaction) error {
		if t.PartnerID() == p.ID() {
			return nil
		}
		// Anyone else's cash-out is answered as one that does not exist,
		// as TransactionStatus does, so reffIds cannot be probed.
		err := requireBinding(ctx, r, p.ID(), t.CustomerID())
		if errors.Is(err, partner.ErrNotBound) {
			return transfer.ErrNotFound
		}
		return err
	})
}

// ErrCashOutClosed is returned when cancelling a cash-out that is no
// longer pending.
var ErrCashOutClosed = fault.New(fault.Invalid, "cash-out already redeemed, cancelled or expired")

// ErrNotExpiredYet tells the expiry job it ran early (clocks of several
// servers differ) and must try again later.
var ErrNotExpiredYet = errors.New("cash-out code not expired yet")

// ExpireCashOut is the expiry job: it releases the hold of a code nobody
// redeemed in time. Already settled cash-outs are left alone.
func (a *App) ExpireCashOut(ctx context.Context, reffID string) error {
	_, err := a.releaseCashOut(ctx, reffID, func(ctx context.Context, r Repos, t *transfer.Transaction) error {
		if !t.Pending() || !a.now().Before(t.CreatedAt().Add(a.cfg.Money.CashOutTTL)) {
			return nil
		}
		return ErrNotExpiredYet
	})
	if errors.Is(err, ErrCashOutClosed) || errors.Is(err, transfer.ErrNotFound) {
		return nil
	}
	return err
}

func (a *App) releaseCashOut(ctx context.Context, reffID string, allowed func(context.Context, Repos, *transfer.Transaction) error) (*transfer.Transaction, error) {
	var out *transfer.Transaction
	err := a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		t, err := r.Transactions.ByID(ctx, reffID, true)
		if err != nil {
			return err
		}
		if t.Type() != transfer.TypeCashOut {
			return transfer.ErrNotFound
		}
		if err := allowed(ctx, r, t); err != nil {
			return err
		}
		if !t.Pending() {
			return ErrCashOutClosed
		}
		pocket, err := r.Accounts.PocketOf(ctx, t.CustomerID(), true)
		if err != nil {
			return err
		}
		if err := pocket.Release(t.Total()); err != nil {
			return err
		}
		if err := r.Accounts.SaveHolds(ctx, pocket); err != nil {
			return err
		}
		t.Fail(a.now())
		out = t
		return r.Transactions.Update(ctx, t)
	})
	return out, err
}
