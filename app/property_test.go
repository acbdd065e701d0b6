package app_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/dompet/wallet/adapters/banks"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/wallet"
)

// TestMoneyProperties drives random sequences of top-ups, payments,
// refunds and P2P transfers (many of them refused) through the use cases
// and checks the SPEC §7 invariants after every step: the ledger sums to
// zero, every pocket equals the sum of its postings, no pocket is negative
// or over its cap (refunds aside), and a refused call moves nothing.
func TestMoneyProperties(t *testing.T) {
	t.Parallel()
	for seed := range uint64(20) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			rng := rand.New(rand.NewPCG(seed, 11))
			f := newFixture(t)
			cfg := f.cfg
			cfg.Money.Banks = banks.MustLoad()
			f.app = app.New(f.store, f.clock, &ids{}, phoneNormalizer(), plainBox{}, cfg, discard(), gateways(f.clock))
			merchant, bank := f.partner("PARTNER"), f.partner("CHANNEL")
			store := f.partner("CHANNEL")
			mobiles := []string{"081300000101", "081300000102", "081300000103", "081300000104"}
			for _, m := range mobiles {
				f.registered(merchant, m)
			}
			if _, err := f.app.SubmitKYC(ctx, app.SubmitKYC{Partner: merchant, MobileNumber: mobiles[0], NIK: "3273011708900001",
				FullName: "Budi", BirthDate: "1990-08-17"}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.app.DecideKYC(ctx, mobiles[0], true, ""); err != nil {
				t.Fatal(err)
			}
			var orders []string
			refunded := map[string]int64{}
			paid := map[string]int64{}
			for step := range 300 {
				m := mobiles[rng.IntN(len(mobiles))]
				amount := rng.Int64N(400_000) + 1
				before := f.store.Postings()
				var err error
				switch rng.IntN(5) {
				case 0:
					_, err = f.app.PayVA(ctx, app.VAPayment{Partner: bank, VANumber: "39358" + m, Amount: amount, BankReference: fmt.Sprint("R", step)})
				case 1:
					_, err = f.app.PayRetail(ctx, app.RetailPayment{Partner: store, MobileNumber: m, Amount: amount, StoreReference: fmt.Sprint("S", step)})
				case 2:
					order := fmt.Sprint("O", step)
					if _, err = f.app.Pay(ctx, app.Pay{Partner: merchant, MobileNumber: m, Amount: amount, OrderID: order}); err == nil {
						orders, paid[order] = append(orders, order), amount
					}
				case 3:
					if len(orders) > 0 {
						o := orders[rng.IntN(len(orders))]
						amount = min(amount, paid[o])
						if _, err = f.app.Refund(ctx, app.RefundPayment{Partner: merchant, OrderID: o, Amount: amount}); err == nil {
							refunded[o] += amount
						}
					}
				case 4:
					_, err = f.app.TransferP2P(ctx, app.P2PTransfer{Partner: merchant, MobileNumber: m,
						ToMobileNumber: mobiles[rng.IntN(len(mobiles))], Amount: amount})
				}
				if err != nil {
					switch fault.KindOf(err) {
					case fault.InsufficientBalance, fault.LimitExceeded, fault.KYCLevel, fault.Invalid:
					default:
						t.Fatalf("step %d: unexpected %v", step, err)
					}
					if after := f.store.Postings(); len(after) != len(before) {
						t.Fatalf("step %d: refused call %v posted %d lines", step, err, len(after)-len(before))
					}
				}
				checkLedger(t, f, mobiles, step)
			}
			for o, r := range refunded {
				if r > paid[o] {
					t.Fatalf("order %s refunded %d of %d", o, r, paid[o])
				}
			}
		})
	}
}

func checkLedger(t *testing.T, f *fixture, mobiles []string, step int) {
	t.Helper()
	ctx := context.Background()
	sums := map[string]int64{}
	var total int64
	for _, p := range f.store.Postings() {
		sums[p.AccountID] += p.Amount
		total += p.Amount
	}
	if total != 0 {
		t.Fatalf("step %d: ledger sums to %d", step, total)
	}
	for id, sum := range sums {
		if got := f.store.AccountBalance(id); got != sum {
			t.Fatalf("step %d: account %s caches %d, postings sum to %d", step, id, got, sum)
		}
	}
	for _, m := range mobiles {
		err := f.store.Do(ctx, func(ctx context.Context, r app.Repos) error {
			c, err := r.Customers.ByMobile(ctx, canonicalOf(m), false)
			if err != nil {
				return err
			}
			p, err := r.Accounts.PocketOf(ctx, c.ID(), false)
			if err != nil {
				return err
			}
			if p.Balance() < 0 || p.Held() > p.Balance() {
				return fmt.Errorf("pocket %s balance %d held %d", p.ID(), p.Balance(), p.Held())
			}
			if p.Balance() != sums[p.ID()] {
				return fmt.Errorf("pocket %s %d != postings %d", p.ID(), p.Balance(), sums[p.ID()])
			}
			if _, ok := wallet.SystemKind(p.ID()); ok {
				return fmt.Errorf("pocket id %s looks like a system account", p.ID())
			}
			return nil
		})
		if err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
	}
}
