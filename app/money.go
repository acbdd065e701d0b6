package app

import (
	"context"
	"errors"

	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/transfer"
	"github.com/dompet/wallet/domain/wallet"
)

// ErrKYCLevel is returned when the customer's tier does not allow a
// movement (SPEC §6: unverified accounts cannot send money out).
var ErrKYCLevel = fault.New(fault.KYCLevel, "not allowed for this KYC level; verify the account first")

// Moved is the outcome of a money movement for the customer it concerns.
type Moved struct {
	Transaction   *transfer.Transaction
	Customer      *customer.Customer
	BalanceBefore int64
	BalanceAfter  int64
	// Replayed is true when a channel repeated a notification that was
	// already applied: nothing moved this time.
	Replayed bool
}

func (a *App) limitsOf(c *customer.Customer) wallet.Limits {
	return a.cfg.Money.Limits[c.AccountType()]
}

// credit puts amount into the customer's locked pocket from a clearing
// account, enforcing the balance cap and the monthly incoming limit in the
// same transaction. fee, when positive, is collected on top by the channel
// and booked as revenue.
func (a *App) credit(ctx context.Context, r Repos, c *customer.Customer, pocket *wallet.Account, t *transfer.Transaction, from string, fee int64) (Moved, error) {
	now := a.now()
	received, err := r.Accounts.IncomingThisMonth(ctx, c.ID(), now)
	if err != nil {
		return Moved{}, err
	}
	if err := wallet.CheckIncoming(pocket, received, t.Amount(), a.limitsOf(c)); err != nil {
		return Moved{}, err
	}
	before := pocket.Balance()
	if err := pocket.Credit(t.Amount()); err != nil {
		return Moved{}, err
	}
	postings := []wallet.Posting{{AccountID: from, Amount: -(t.Amount() + fee)}, {AccountID: pocket.ID(), Amount: t.Amount()}}
	if fee > 0 {
		postings = append(postings, wallet.Posting{AccountID: wallet.SystemAccountID(wallet.KindFeeRevenue, ""), Amount: fee})
	}
	e, err := wallet.NewEntry(a.ids.New(), t.ID(), postings, now)
	if err != nil {
		return Moved{}, err
	}
	if err := r.Accounts.Post(ctx, e, pocket); err != nil {
		return Moved{}, err
	}
	if err := r.Accounts.AddIncoming(ctx, c.ID(), now, t.Amount()); err != nil {
		return Moved{}, err
	}
	t.Succeed(now)
	if err := r.Transactions.Add(ctx, t); err != nil {
		return Moved{}, err
	}
	return Moved{Transaction: t, Customer: c, BalanceBefore: before, BalanceAfter: pocket.Balance()}, nil
}

// replayTopUp answers a repeated channel notification exactly as the first
// time, or refuses a reference reused for something else. The caller holds
// the pocket lock, so a concurrent duplicate waits and then finds the first.
func replayTopUp(ctx context.Context, r Repos, p *partner.Partner, ref string, c *customer.Customer, pocket *wallet.Account, amount int64) (Moved, bool, error) {
	prev, err := r.Transactions.ByReference(ctx, p.ID(), ref)
	if errors.Is(err, transfer.ErrNotFound) {
		return Moved{}, false, nil
	}
	if err != nil {
		return Moved{}, false, err
	}
	if prev.CustomerID() != c.ID() || prev.Amount() != amount {
		return Moved{}, false, transfer.ErrReferenceReused
	}
	after, err := r.Accounts.BalanceAfter(ctx, prev.ID(), pocket.ID())
	if err != nil {
		return Moved{}, false, err
	}
	return Moved{Transaction: prev, Customer: c, BalanceBefore: after - amount, BalanceAfter: after, Replayed: true}, true, nil
}

// replayExternal finds the movement an earlier attempt of the same partner
// request (same X-EXTERNAL-ID) already made: when the stored answer of that
// attempt was lost, the retry reports the movement instead of repeating it.
// The caller holds the locks that serialise both attempts. debit tells the
// direction of the movement on the customer's pocket.
func replayExternal(ctx context.Context, r Repos, partnerID, externalID string, typ transfer.Type,
	c *customer.Customer, pocket *wallet.Account, amount int64, debit bool) (Moved, bool, error) {
	if externalID == "" {
		return Moved{}, false, nil
	}
	prev, err := r.Transactions.ByExternalID(ctx, partnerID, externalID)
	if errors.Is(err, transfer.ErrNotFound) {
		return Moved{}, false, nil
	}
	if err != nil {
		return Moved{}, false, err
	}
	if prev.Type() != typ || prev.CustomerID() != c.ID() || prev.Amount() != amount {
		return Moved{}, false, transfer.ErrExternalIDReused
	}
	after, err := r.Accounts.BalanceAfter(ctx, prev.ID(), pocket.ID())
	if err != nil {
		return Moved{}, false, err
	}
	before := after - amount
	if debit {
		before = after + amount + prev.Fee()
	}
	return Moved{Transaction: prev, Customer: c, BalanceBefore: before, BalanceAfter: after, Replayed: true}, true, nil
}
