package wallet_test

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/wallet"
)

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func TestNewEntry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		postings []wallet.Posting
		ok       bool
	}{
		{"two balanced lines", []wallet.Posting{{AccountID: "a", Amount: -5}, {AccountID: "b", Amount: 5}}, true},
		{"three balanced lines with a fee", []wallet.Posting{{AccountID: "a", Amount: -105}, {AccountID: "b", Amount: 100}, {AccountID: "fee", Amount: 5}}, true},
		{"unbalanced is refused", []wallet.Posting{{AccountID: "a", Amount: -5}, {AccountID: "b", Amount: 4}}, false},
		{"one line is refused", []wallet.Posting{{AccountID: "a", Amount: 0}}, false},
		{"zero line is refused", []wallet.Posting{{AccountID: "a", Amount: 0}, {AccountID: "b", Amount: 0}}, false},
		{"missing account is refused", []wallet.Posting{{AccountID: "", Amount: -1}, {AccountID: "b", Amount: 1}}, false},
		{"overflow is refused", []wallet.Posting{{AccountID: "a", Amount: 1 << 62}, {AccountID: "b", Amount: 1 << 62}, {AccountID: "c", Amount: -(1 << 62)}, {AccountID: "d", Amount: -(1 << 62)}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := wallet.NewEntry("e1", "t1", tt.postings, t0)
			if (err == nil) != tt.ok {
				t.Fatalf("NewEntry err = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestPocketMoves(t *testing.T) {
	t.Parallel()
	p, _ := wallet.OpenPocket("p", "c", t0)
	if err := p.Debit(1); !errors.Is(err, wallet.ErrInsufficientBalance) {
		t.Fatalf("debit of empty pocket: %v", err)
	}
	_ = p.Credit(100)
	if err := p.Hold(60); err != nil {
		t.Fatal(err)
	}
	if err := p.Debit(41); !errors.Is(err, wallet.ErrInsufficientBalance) {
		t.Fatalf("debit past the hold: %v", err)
	}
	if err := p.Hold(41); !errors.Is(err, wallet.ErrInsufficientBalance) {
		t.Fatalf("hold past available: %v", err)
	}
	if err := p.Capture(60); err != nil || p.Balance() != 40 || p.Held() != 0 {
		t.Fatalf("capture: %v balance %d held %d", err, p.Balance(), p.Held())
	}
	if err := p.Release(1); err == nil {
		t.Fatal("released more than held")
	}
	for _, amount := range []int64{0, -1} {
		if err := p.Credit(amount); fault.KindOf(err) != fault.Invalid {
			t.Fatalf("credit %d: %v", amount, err)
		}
	}
	sys := wallet.OpenSystem(wallet.KindMerchant, "partner1", t0)
	if err := sys.Debit(10); err != nil || sys.Balance() != -10 {
		t.Fatalf("system accounts may go negative: %v %d", err, sys.Balance())
	}
	if sys.ID() != "MERCHANT:partner1" || wallet.SystemAccountID(wallet.KindFeeRevenue, "") != "FEE_REVENUE" {
		t.Fatalf("system ids: %s", sys.ID())
	}
}

func TestLimits(t *testing.T) {
	t.Parallel()
	basic := wallet.Limits{MaxBalance: 2_000_000, MonthlyIncoming: 20_000_000}
	pocket := wallet.Rehydrate("p", wallet.KindPocket, "c", 1_900_000, 0, t0)
	tests := []struct {
		name     string
		received int64
		amount   int64
		limit    string
	}{
		{"up to the cap is allowed", 0, 100_000, ""},
		{"past the cap is refused", 0, 100_001, "max balance"},
		{"past the monthly limit is refused", 19_950_000, 60_000, "monthly incoming"},
		{"exactly the monthly limit is allowed", 19_900_000, 100_000, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := wallet.CheckIncoming(pocket, tt.received, tt.amount, basic)
			var le *wallet.LimitExceededError
			switch {
			case tt.limit == "" && err != nil:
				t.Fatalf("unexpected %v", err)
			case tt.limit != "" && (!errors.As(err, &le) || le.Limit != tt.limit || fault.KindOf(err) != fault.LimitExceeded):
				t.Fatalf("err = %v, want %s limit", err, tt.limit)
			}
		})
	}
	b := wallet.Bounds{Min: 50_000, Max: 2_500_000, Multiple: 50_000}
	for amount, ok := range map[int64]bool{50_000: true, 2_500_000: true, 49_999: false, 2_550_000: false, 75_000: false, 0: false} {
		if err := b.Check(amount); (err == nil) != ok {
			t.Errorf("Bounds.Check(%d) = %v", amount, err)
		}
	}
	if got := wallet.Month(time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC)); got != "2026-12" {
		t.Fatalf("WIB month of 30 Nov 17:00 UTC = %s, want 2026-12", got)
	}
}

// TestLedgerProperties applies long random sequences of top-ups, payments,
// refunds, transfers, holds, captures and releases through the domain
// rules, books every money movement as an entry, and checks after each step
// that the ledger invariants of SPEC §7 hold.
func TestLedgerProperties(t *testing.T) {
	t.Parallel()
	for seed := range uint64(50) {
		t.Run("", func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(seed, 7))
			pockets := make([]*wallet.Account, 5)
			for i := range pockets {
				pockets[i], _ = wallet.OpenPocket(string(rune('a'+i)), "c", t0)
			}
			limits := wallet.Limits{MaxBalance: 2_000_000, MonthlyIncoming: 5_000_000}
			received := make([]int64, len(pockets))
			sums := map[string]int64{} // account -> sum of its postings
			var total int64
			paid := map[int]int64{} // payment -> left to refund (pocket index encoded)
			payer := map[int]int{}
			n := 0
			book := func(postings ...wallet.Posting) {
				e, err := wallet.NewEntry("e", "t", postings, t0)
				if err != nil {
					t.Fatalf("step %d: %v", n, err)
				}
				for _, p := range e.Postings() {
					sums[p.AccountID] += p.Amount
					total += p.Amount
				}
			}
			for n = 0; n < 400; n++ {
				i := rng.IntN(len(pockets))
				p := pockets[i]
				amount := rng.Int64N(300_000) + 1
				switch rng.IntN(7) {
				case 0: // top-up
					if wallet.CheckIncoming(p, received[i], amount, limits) == nil {
						_ = p.Credit(amount)
						received[i] += amount
						book(wallet.Posting{AccountID: "VA", Amount: -amount}, wallet.Posting{AccountID: p.ID(), Amount: amount})
					}
				case 1: // payment
					if p.Debit(amount) == nil {
						book(wallet.Posting{AccountID: p.ID(), Amount: -amount}, wallet.Posting{AccountID: "MERCHANT", Amount: amount})
						paid[n], payer[n] = amount, i
					}
				case 2: // refund of a random earlier payment
					for k, left := range paid {
						r := min(left, amount)
						_ = pockets[payer[k]].Credit(r)
						book(wallet.Posting{AccountID: "MERCHANT", Amount: -r}, wallet.Posting{AccountID: pockets[payer[k]].ID(), Amount: r})
						paid[k] -= r
						if paid[k] == 0 {
							delete(paid, k)
						}
						break
					}
				case 3: // p2p
					j := rng.IntN(len(pockets))
					q := pockets[j]
					if i != j && wallet.CheckIncoming(q, received[j], amount, limits) == nil && p.Debit(amount) == nil {
						_ = q.Credit(amount)
						received[j] += amount
						book(wallet.Posting{AccountID: p.ID(), Amount: -amount}, wallet.Posting{AccountID: q.ID(), Amount: amount})
					}
				case 4: // hold
					_ = p.Hold(amount)
				case 5: // capture part of the hold, with a fee
					if h := p.Held(); h > 2 {
						fee := int64(1)
						_ = p.Capture(h - 1)
						book(wallet.Posting{AccountID: p.ID(), Amount: -(h - 1)}, wallet.Posting{AccountID: "BANK", Amount: h - 1 - fee},
							wallet.Posting{AccountID: "FEE", Amount: fee})
					}
				case 6: // release
					if h := p.Held(); h > 0 {
						_ = p.Release(h)
					}
				}
				if total != 0 {
					t.Fatalf("step %d: ledger sums to %d", n, total)
				}
				for _, q := range pockets {
					if q.Balance() < 0 || q.Held() < 0 || q.Held() > q.Balance() {
						t.Fatalf("step %d: pocket %s balance %d held %d", n, q.ID(), q.Balance(), q.Held())
					}
					if q.Balance() != sums[q.ID()] {
						t.Fatalf("step %d: pocket %s caches %d, postings sum to %d", n, q.ID(), q.Balance(), sums[q.ID()])
					}
					if q.Balance() > limits.MaxBalance+2_000_000 { // refunds may pass the cap, by at most what was paid
						t.Fatalf("step %d: pocket %s at %d", n, q.ID(), q.Balance())
					}
				}
			}
		})
	}
}
