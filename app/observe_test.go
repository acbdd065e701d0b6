package app_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/dompet/wallet/adapters/banks"
	"github.com/dompet/wallet/adapters/memstore"
	"github.com/dompet/wallet/adapters/phone"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/transfer"
)

// recorder is an Observer and a Tracer that remembers what it was told.
type recorder struct {
	mu    sync.Mutex
	moved []string
	spans []string
}

func (r *recorder) Moved(typ transfer.Type, status transfer.Status, total int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.moved = append(r.moved, string(typ)+" "+string(status)+" "+itoa(total))
}
func (r *recorder) FellBack(app.Channel, app.Channel) {}
func (r *recorder) WebhookAttempt(string, int)        {}

func (r *recorder) Start(ctx context.Context, name string) (context.Context, func(error)) {
	return ctx, func(err error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if err != nil {
			name += " failed"
		}
		r.spans = append(r.spans, name)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestObserverSeesCommittedMovementsOnly(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	cfg := app.DefaultConfig()
	cfg.OTPKey = []byte("otp-key")
	cfg.Money.Banks = banks.MustLoad()
	c := &clock{now: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
	gw := gateways(c)
	gw.Observer, gw.Tracer = rec, rec
	st := memstore.New()
	a := app.New(st, c, &ids{}, phone.NewNormalizer(), plainBox{}, cfg, discard(), gw)
	f := &fixture{t: t, app: a, store: st, clock: c, cfg: cfg}
	ctx := context.Background()
	merchant, bank := f.partner("PARTNER"), f.partner("CHANNEL")
	f.registered(merchant, "081300000801")
	if _, err := a.PayVA(ctx, app.VAPayment{Partner: bank, VANumber: "39358081300000801", Amount: 100_000, BankReference: "B1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Pay(ctx, app.Pay{Partner: merchant, MobileNumber: "081300000801", Amount: 25_000, OrderID: "O1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Pay(ctx, app.Pay{Partner: merchant, MobileNumber: "081300000801", Amount: 500_000, OrderID: "O2"}); err == nil {
		t.Fatal("a payment beyond the balance passed")
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	want := []string{"TOPUP_VA SUCCESS 100000", "WALLET_PAYMENT SUCCESS 25000"}
	if len(rec.moved) != len(want) || rec.moved[0] != want[0] || rec.moved[1] != want[1] {
		t.Fatalf("moved = %v, want %v (a refused payment is not a movement)", rec.moved, want)
	}
	seen := map[string]int{}
	for _, s := range rec.spans {
		seen[s]++
	}
	if seen["app.Pay"] != 1 || seen["app.Pay failed"] != 1 || seen["app.PayVA"] != 1 || seen["db.transaction"] == 0 {
		t.Fatalf("spans = %v", seen)
	}
}
