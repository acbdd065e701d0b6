package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/wallet"
)

// openSystem commits a system account of kind under a fresh owner, so that
// it never collides with accounts a store creates by itself (the SQL
// migrations create the platform-wide ones), and returns its id.
func openSystem(t *testing.T, uow app.UnitOfWork, kind wallet.Kind) string {
	t.Helper()
	a := wallet.OpenSystem(kind, newID("own"), at(0))
	do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Accounts.Open(ctx, a) })
	return a.ID()
}

// move returns a two-line entry of transactionID.
func move(t *testing.T, transactionID, from, to string, amount int64, when time.Time) *wallet.Entry {
	t.Helper()
	e, err := wallet.Move(newID("ent"), transactionID, from, to, amount, when)
	if err != nil {
		t.Fatalf("entry fixture: %v", err)
	}
	return e
}

// credit commits a movement of amount from a system account into the
// customer's pocket and returns the pocket's new balance.
func credit(t *testing.T, uow app.UnitOfWork, customerID, from, transactionID string, amount int64, when time.Time) int64 {
	t.Helper()
	var after int64
	do(t, uow, func(ctx context.Context, r app.Repos) error {
		p, err := r.Accounts.PocketOf(ctx, customerID, true)
		if err != nil {
			return err
		}
		if err := p.Credit(amount); err != nil {
			return err
		}
		after = p.Balance()
		return r.Accounts.Post(ctx, move(t, transactionID, from, p.ID(), amount, when), p)
	})
	return after
}

// debit commits a movement of amount from the customer's pocket to a
// system account and returns the pocket's new balance.
func debit(t *testing.T, uow app.UnitOfWork, customerID, to, transactionID string, amount int64, when time.Time) int64 {
	t.Helper()
	var after int64
	do(t, uow, func(ctx context.Context, r app.Repos) error {
		p, err := r.Accounts.PocketOf(ctx, customerID, true)
		if err != nil {
			return err
		}
		if err := p.Debit(amount); err != nil {
			return err
		}
		after = p.Balance()
		return r.Accounts.Post(ctx, move(t, transactionID, p.ID(), to, amount, when), p)
	})
	return after
}

// p2p commits a movement between two customers' pockets and returns their
// new balances.
func p2p(t *testing.T, uow app.UnitOfWork, fromCustomer, toCustomer, transactionID string, amount int64, when time.Time) (src, dst int64) {
	t.Helper()
	do(t, uow, func(ctx context.Context, r app.Repos) error {
		from, err := r.Accounts.PocketOf(ctx, fromCustomer, true)
		if err != nil {
			return err
		}
		to, err := r.Accounts.PocketOf(ctx, toCustomer, true)
		if err != nil {
			return err
		}
		if err := from.Debit(amount); err != nil {
			return err
		}
		if err := to.Credit(amount); err != nil {
			return err
		}
		src, dst = from.Balance(), to.Balance()
		return r.Accounts.Post(ctx, move(t, transactionID, from.ID(), to.ID(), amount, when), from, to)
	})
	return src, dst
}

func balanceAfter(t *testing.T, uow app.UnitOfWork, transactionID, accountID string) int64 {
	t.Helper()
	var got int64
	do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
		got, err = r.Accounts.BalanceAfter(ctx, transactionID, accountID)
		return err
	})
	return got
}

func wantNoBalanceAfter(t *testing.T, uow app.UnitOfWork, what, transactionID, accountID string) {
	t.Helper()
	err := try(t, uow, func(ctx context.Context, r app.Repos) error {
		_, err := r.Accounts.BalanceAfter(ctx, transactionID, accountID)
		return err
	})
	wantErr(t, "BalanceAfter of "+what, err, wallet.ErrNotFound)
}

func incoming(t *testing.T, uow app.UnitOfWork, customerID string, when time.Time) int64 {
	t.Helper()
	var got int64
	do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
		got, err = r.Accounts.IncomingThisMonth(ctx, customerID, when)
		return err
	})
	return got
}

func addIncoming(t *testing.T, uow app.UnitOfWork, customerID string, when time.Time, amount int64) {
	t.Helper()
	do(t, uow, func(ctx context.Context, r app.Repos) error {
		return r.Accounts.AddIncoming(ctx, customerID, when, amount)
	})
}

// utcDate is an instant given in UTC.
func utcDate(y int, m time.Month, d, h, mi, s, us int) time.Time {
	return time.Date(y, m, d, h, mi, s, us*1000, time.UTC)
}

var ledgerCases = []testCase{
	{"opening a system account again is not an error", func(t *testing.T, uow app.UnitOfWork) {
		owner := newID("own")
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			for range 2 {
				if err := r.Accounts.Open(ctx, wallet.OpenSystem(wallet.KindMerchant, owner, at(0))); err != nil {
					return err
				}
			}
			return nil
		})
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			return r.Accounts.Open(ctx, wallet.OpenSystem(wallet.KindMerchant, owner, at(time.Hour)))
		})
		// The account exists: an entry between system accounts posts.
		clearing := openSystem(t, uow, wallet.KindVAClearing)
		e := move(t, newID("trx"), clearing, wallet.SystemAccountID(wallet.KindMerchant, owner), 10_000, at(time.Minute))
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Accounts.Post(ctx, e) })
	}},
	{"post saves the pocket's balance and holds and sets its balance after", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		opened := openPocket(t, uow, c.ID())
		clearing := openSystem(t, uow, wallet.KindVAClearing)
		trx := newID("trx")
		var e *wallet.Entry
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			p, err := r.Accounts.PocketOf(ctx, c.ID(), true)
			if err != nil {
				return err
			}
			if err := p.Credit(100_000); err != nil {
				return err
			}
			if err := p.Hold(30_000); err != nil {
				return err
			}
			e = move(t, trx, clearing, p.ID(), 100_000, at(time.Minute))
			return r.Accounts.Post(ctx, e, p)
		})
		for _, l := range e.Postings() {
			if l.AccountID == opened.ID() {
				eq(t, "entry's balance after on the pocket", l.BalanceAfter, 100_000)
			}
		}
		got := pocketOf(t, uow, c.ID())
		eq(t, "balance", got.Balance(), 100_000)
		eq(t, "held", got.Held(), 30_000)
		eq(t, "id", got.ID(), opened.ID())
		eq(t, "owner", got.OwnerID(), c.ID())
		eqTime(t, "createdAt", got.CreatedAt(), opened.CreatedAt())
		eq(t, "BalanceAfter", balanceAfter(t, uow, trx, opened.ID()), 100_000)
	}},
	{"balance after is the pocket's after the transaction's last posting on it", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		pocket := openPocket(t, uow, c.ID())
		clearing := openSystem(t, uow, wallet.KindVAClearing)
		merchant := openSystem(t, uow, wallet.KindMerchant)
		first, second := newID("trx"), newID("trx")
		eq(t, "after credit", credit(t, uow, c.ID(), clearing, first, 100_000, at(time.Minute)), 100_000)
		eq(t, "after debit", debit(t, uow, c.ID(), merchant, first, 40_000, at(2*time.Minute)), 60_000)
		eq(t, "after second credit", credit(t, uow, c.ID(), clearing, second, 5_000, at(3*time.Minute)), 65_000)
		eq(t, "BalanceAfter of the first transaction", balanceAfter(t, uow, first, pocket.ID()), 60_000)
		eq(t, "BalanceAfter of the second transaction", balanceAfter(t, uow, second, pocket.ID()), 65_000)
		eq(t, "balance", pocketOf(t, uow, c.ID()).Balance(), 65_000)
	}},
	{"one entry on two pockets saves both and their balances after", func(t *testing.T, uow app.UnitOfWork) {
		c1, c2 := addCustomer(t, uow), addCustomer(t, uow)
		p1, p2 := openPocket(t, uow, c1.ID()), openPocket(t, uow, c2.ID())
		clearing := openSystem(t, uow, wallet.KindRetailClearing)
		credit(t, uow, c1.ID(), clearing, newID("trx"), 50_000, at(time.Minute))
		trx := newID("trx")
		src, dst := p2p(t, uow, c1.ID(), c2.ID(), trx, 20_000, at(2*time.Minute))
		eq(t, "sender's balance", src, 30_000)
		eq(t, "receiver's balance", dst, 20_000)
		eq(t, "stored sender's balance", pocketOf(t, uow, c1.ID()).Balance(), 30_000)
		eq(t, "stored receiver's balance", pocketOf(t, uow, c2.ID()).Balance(), 20_000)
		eq(t, "sender's BalanceAfter", balanceAfter(t, uow, trx, p1.ID()), 30_000)
		eq(t, "receiver's BalanceAfter", balanceAfter(t, uow, trx, p2.ID()), 20_000)
	}},
	{"balance after without a pocket posting is not found", func(t *testing.T, uow app.UnitOfWork) {
		c1, c2 := addCustomer(t, uow), addCustomer(t, uow)
		p1, p2 := openPocket(t, uow, c1.ID()), openPocket(t, uow, c2.ID())
		clearing := openSystem(t, uow, wallet.KindVAClearing)
		trx := newID("trx")
		credit(t, uow, c1.ID(), clearing, trx, 10_000, at(time.Minute))
		wantNoBalanceAfter(t, uow, "an unknown transaction", newID("trx"), p1.ID())
		wantNoBalanceAfter(t, uow, "a pocket the transaction did not touch", trx, p2.ID())
		wantNoBalanceAfter(t, uow, "an unknown account", trx, newID("acc"))
		wantNoBalanceAfter(t, uow, "a system account", trx, clearing)
	}},
	{"posting to an account that was never opened fails and changes nothing", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		pocket := openPocket(t, uow, c.ID())
		clearing := openSystem(t, uow, wallet.KindVAClearing)
		unopened := wallet.SystemAccountID(wallet.KindVAClearing, newID("own"))
		trx := newID("trx")
		err := try(t, uow, func(ctx context.Context, r app.Repos) error {
			return r.Accounts.Post(ctx, move(t, trx, clearing, unopened, 1_000, at(time.Minute)))
		})
		if err == nil {
			t.Error("Post to an unopened system account succeeded")
		}
		err = try(t, uow, func(ctx context.Context, r app.Repos) error {
			p, err := r.Accounts.PocketOf(ctx, c.ID(), true)
			if err != nil {
				return err
			}
			if err := p.Credit(1_000); err != nil {
				return err
			}
			return r.Accounts.Post(ctx, move(t, trx, unopened, p.ID(), 1_000, at(time.Minute)), p)
		})
		if err == nil {
			t.Error("Post from an unopened system account succeeded")
		}
		eq(t, "balance", pocketOf(t, uow, c.ID()).Balance(), 0)
		wantNoBalanceAfter(t, uow, "the failed transaction", trx, pocket.ID())
	}},
	{"post in a failed transaction is rolled back", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		pocket := openPocket(t, uow, c.ID())
		clearing := openSystem(t, uow, wallet.KindVAClearing)
		trx := newID("trx")
		err := try(t, uow, func(ctx context.Context, r app.Repos) error {
			p, err := r.Accounts.PocketOf(ctx, c.ID(), true)
			if err != nil {
				return err
			}
			if err := p.Credit(25_000); err != nil {
				return err
			}
			if err := r.Accounts.Post(ctx, move(t, trx, clearing, p.ID(), 25_000, at(time.Minute)), p); err != nil {
				return err
			}
			return errAbort
		})
		wantErr(t, "Do", err, errAbort)
		eq(t, "balance", pocketOf(t, uow, c.ID()).Balance(), 0)
		wantNoBalanceAfter(t, uow, "the rolled back transaction", trx, pocket.ID())
	}},
	{"save holds saves the held amount only", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		opened := wallet.Rehydrate(newID("acc"), wallet.KindPocket, c.ID(), 100_000, 0, at(0))
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Accounts.Open(ctx, opened) })
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			p, err := r.Accounts.PocketOf(ctx, c.ID(), true)
			if err != nil {
				return err
			}
			if err := p.Hold(25_000); err != nil {
				return err
			}
			return r.Accounts.SaveHolds(ctx, p)
		})
		got := pocketOf(t, uow, c.ID())
		eq(t, "held after hold", got.Held(), 25_000)
		eq(t, "balance after hold", got.Balance(), 100_000)
		// A balance change passed to SaveHolds is not saved.
		changed := wallet.Rehydrate(opened.ID(), wallet.KindPocket, c.ID(), 90_000, 15_000, at(0))
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Accounts.SaveHolds(ctx, changed) })
		got = pocketOf(t, uow, c.ID())
		eq(t, "held", got.Held(), 15_000)
		eq(t, "balance", got.Balance(), 100_000)
	}},
	{"save holds of an unknown account is not found", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		a, err := wallet.OpenPocket(newID("acc"), c.ID(), at(0))
		if err != nil {
			t.Fatal(err)
		}
		err = try(t, uow, func(ctx context.Context, r app.Repos) error { return r.Accounts.SaveHolds(ctx, a) })
		wantErr(t, "SaveHolds", err, wallet.ErrNotFound)
	}},
	{"incoming accumulates within a month and per customer", func(t *testing.T, uow app.UnitOfWork) {
		c, other, idle := addCustomer(t, uow), addCustomer(t, uow), addCustomer(t, uow)
		addIncoming(t, uow, c.ID(), utcDate(2026, 11, 2, 3, 0, 0, 0), 100_000)
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			if err := r.Accounts.AddIncoming(ctx, c.ID(), utcDate(2026, 11, 15, 8, 0, 0, 0), 250_000); err != nil {
				return err
			}
			return r.Accounts.AddIncoming(ctx, c.ID(), utcDate(2026, 11, 20, 8, 0, 0, 0), 1)
		})
		addIncoming(t, uow, other.ID(), utcDate(2026, 11, 10, 0, 0, 0, 0), 7_000)
		eq(t, "incoming", incoming(t, uow, c.ID(), utcDate(2026, 11, 28, 0, 0, 0, 0)), 350_001)
		eq(t, "incoming of another customer", incoming(t, uow, other.ID(), utcDate(2026, 11, 28, 0, 0, 0, 0)), 7_000)
		eq(t, "incoming of a customer who received nothing", incoming(t, uow, idle.ID(), utcDate(2026, 11, 28, 0, 0, 0, 0)), 0)
	}},
	{"incoming of different months is separate", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		addIncoming(t, uow, c.ID(), utcDate(2026, 11, 15, 0, 0, 0, 0), 100_000)
		addIncoming(t, uow, c.ID(), utcDate(2026, 12, 15, 0, 0, 0, 0), 40_000)
		addIncoming(t, uow, c.ID(), utcDate(2027, 11, 15, 0, 0, 0, 0), 3_000)
		eq(t, "October", incoming(t, uow, c.ID(), utcDate(2026, 10, 15, 0, 0, 0, 0)), 0)
		eq(t, "November", incoming(t, uow, c.ID(), utcDate(2026, 11, 1, 0, 0, 0, 0)), 100_000)
		eq(t, "December", incoming(t, uow, c.ID(), utcDate(2026, 12, 31, 0, 0, 0, 0)), 40_000)
		eq(t, "November a year later", incoming(t, uow, c.ID(), utcDate(2027, 11, 1, 0, 0, 0, 0)), 3_000)
	}},
	{"months are counted in WIB", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		// 17:00 UTC on 30 November is midnight on 1 December in Jakarta.
		addIncoming(t, uow, c.ID(), utcDate(2026, 11, 30, 17, 0, 0, 0), 70_000)
		addIncoming(t, uow, c.ID(), utcDate(2026, 11, 30, 16, 59, 59, 999_999), 5_000)
		eq(t, "December at the boundary", incoming(t, uow, c.ID(), utcDate(2026, 11, 30, 17, 0, 0, 0)), 70_000)
		eq(t, "December in WIB", incoming(t, uow, c.ID(), time.Date(2026, 12, 1, 0, 0, 0, 0, wallet.WIB)), 70_000)
		eq(t, "December in UTC", incoming(t, uow, c.ID(), utcDate(2026, 12, 1, 0, 0, 0, 0)), 70_000)
		eq(t, "November just before", incoming(t, uow, c.ID(), utcDate(2026, 11, 30, 16, 59, 59, 999_999)), 5_000)
		eq(t, "November in WIB", incoming(t, uow, c.ID(), time.Date(2026, 11, 30, 23, 59, 0, 0, wallet.WIB)), 5_000)
	}},
	{"incoming added in a failed transaction is rolled back", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		addIncoming(t, uow, c.ID(), at(0), 10_000)
		err := try(t, uow, func(ctx context.Context, r app.Repos) error {
			if err := r.Accounts.AddIncoming(ctx, c.ID(), at(0), 20_000); err != nil {
				return err
			}
			return errAbort
		})
		wantErr(t, "Do", err, errAbort)
		eq(t, "incoming", incoming(t, uow, c.ID(), at(0)), 10_000)
	}},
}
