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
	if err := r.Accounts.AddIncoming(ctx, c.ID(), now, t.Amount()); err != nil {
		return Moved{}, err
	}
	if err := book(ctx, r, t, e, pocket); err != nil {
		return Moved{}, err
	}
	return Moved{Transaction: t, Customer: c, BalanceBefore: before, BalanceAfter: pocket.Balance()}, nil
}

// book posts a movement's entry and stores its transaction as done, in the
// caller's transaction. pockets are the locked pockets the entry changes.
func book(ctx context.Context, r Repos, t *transfer.Transaction, e *wallet.Entry, pockets ...*wallet.Account) error {
	if err := r.Accounts.Post(ctx, e, pockets...); err != nil {
		return err
	}
	t.Succeed(e.CreatedAt())
	return r.Transactions.Add(ctx, t)
}

// hold reserves a pending movement's total on the locked pocket and stores
// the movement, in the caller's transaction.
func hold(ctx context.Context, r Repos, pocket *wallet.Account, t *transfer.Transaction) error {
	if err := pocket.Hold(t.Total()); err != nil {
		return err
	}
	if err := r.Accounts.SaveHolds(ctx, pocket); err != nil {
		return err
	}
	return r.Transactions.Add(ctx, t)
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

// move runs a money movement. Its fast path does not look for an earlier
// attempt of the same request: the transaction's unique (partner,
// X-EXTERNAL-ID) index refuses a second movement. When the insert hits that
// index (or the order id index, which a retried payment hits too), the
// movement was already made: move answers with it, the way the first attempt
// answered, when match accepts it as the same request, and with the
// conflict otherwise.
func (a *App) move(ctx context.Context, partnerID, externalID string, fn func(ctx context.Context, r Repos) (Moved, error),
	match func(prev *transfer.Transaction, payer *customer.Customer) bool) (Moved, error) {
	// With the request's key at hand, the answer is rendered and stored in
	// the movement's transaction (ADR 0009): one commit claims the key,
	// moves the money, writes the event and keeps the answer.
	ans := answerFor(ctx, partnerID, externalID)
	var out Moved
	var answer StoredResponse
	err := a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		var err error
		out, err = fn(ctx, r)
		if err != nil || ans == nil {
			return err
		}
		answer = ans.Render(out)
		now := a.now()
		return r.Idempotency.Put(ctx, IdempotencyRecord{PartnerID: partnerID, Key: externalID, RequestHash: ans.RequestHash,
			Done: true, LockedUntil: now, Response: answer, CreatedAt: now})
	})
	if err == nil && ans != nil {
		ans.stored = &answer
	}
	if externalID == "" || !(errors.Is(err, transfer.ErrExternalIDReused) || errors.Is(err, transfer.ErrOrderIDUsed)) {
		return out, err
	}
	first := err
	err = a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		prev, err := r.Transactions.ByExternalID(ctx, partnerID, externalID)
		if errors.Is(err, transfer.ErrNotFound) {
			return first
		}
		if err != nil {
			return err
		}
		c, err := r.Customers.ByID(ctx, prev.CustomerID())
		if err != nil {
			return err
		}
		if !match(prev, c) {
			return transfer.ErrExternalIDReused
		}
		pocket, err := r.Accounts.PocketOf(ctx, c.ID(), false)
		if err != nil {
			return err
		}
		after, err := r.Accounts.BalanceAfter(ctx, prev.ID(), pocket.ID())
		if errors.Is(err, wallet.ErrNotFound) {
			// Nothing posted yet: a pending movement only holds money,
			// which leaves the booked balance as it is.
			out = Moved{Transaction: prev, Customer: c, BalanceBefore: pocket.Balance(), BalanceAfter: pocket.Balance(), Replayed: true}
			return nil
		}
		if err != nil {
			return err
		}
		before := after + prev.Total()
		if prev.Type() == transfer.TypeTopUpVA || prev.Type() == transfer.TypeTopUpRetail || prev.Type() == transfer.TypeRefund {
			before = after - prev.Amount()
		}
		out = Moved{Transaction: prev, Customer: c, BalanceBefore: before, BalanceAfter: after, Replayed: true}
		return nil
	})
	return out, err
}
