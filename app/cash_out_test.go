package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dompet/wallet/adapters/banks"
	"github.com/dompet/wallet/adapters/memstore"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/transfer"
)

func TestCashOutExpiresAfterAnHour(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	cfg := f.cfg
	cfg.Money.Banks = banks.MustLoad()
	f.app = app.New(f.store, f.clock, &ids{}, phoneNormalizer(), plainBox{}, cfg, discard(), gateways(f.clock))
	p, bank, store := f.partner("PARTNER"), f.partner("CHANNEL"), f.partner("CHANNEL")
	f.registered(p, "081300000301")
	if _, err := f.app.PayVA(ctx, app.VAPayment{Partner: bank, VANumber: "39358081300000301", Amount: 500_000, BankReference: "B1"}); err != nil {
		t.Fatal(err)
	}
	verifyKYC(t, f, p, "081300000301")

	issued, err := f.app.CashOut(ctx, app.CashOut{Partner: p, MobileNumber: "081300000301", Amount: 100_000})
	if err != nil {
		t.Fatal(err)
	}
	if len(issued.Code) != app.CashOutCodeDigits || !issued.ExpiresAt.Equal(f.clock.Now().Add(time.Hour)) {
		t.Fatalf("issued %+v", issued)
	}
	var expiry memstore.Job
	for _, j := range f.store.Jobs() {
		if j.Kind == memstore.JobExpire {
			expiry = j
		}
	}
	if expiry.ReffID != issued.Transaction.ID() || !expiry.At.Equal(issued.ExpiresAt) {
		t.Fatalf("expiry job %+v", expiry)
	}
	if err := f.app.ExpireCashOut(ctx, expiry.ReffID); !errors.Is(err, app.ErrNotExpiredYet) {
		t.Fatalf("early expiry: %v", err)
	}
	f.clock.Advance(time.Hour)
	// Exactly at expiry the code is dead for the store and the job releases it.
	if _, err := f.app.RedeemCashOut(ctx, app.RedeemCashOut{Partner: store, Code: issued.Code, StoreReference: "S1"}); !errors.Is(err, transfer.ErrCashOutCodeInvalid) {
		t.Fatalf("redeem after expiry: %v", err)
	}
	if err := f.app.ExpireCashOut(ctx, expiry.ReffID); err != nil {
		t.Fatal(err)
	}
	if err := f.app.ExpireCashOut(ctx, expiry.ReffID); err != nil { // the job again: no-op
		t.Fatal(err)
	}
	v, err := f.app.InquireCustomer(ctx, app.InquireCustomer{Partner: p, MobileNumber: "081300000301"})
	if err != nil || v.Pocket.Available() != 500_000 || v.Pocket.Held() != 0 {
		t.Fatalf("after expiry: %+v %v", v.Pocket, err)
	}
	st, _ := f.app.TransactionStatus(ctx, p, expiry.ReffID)
	if st.Status() != transfer.StatusFailed {
		t.Fatalf("status %s", st.Status())
	}
	checkLedger(t, f, []string{"081300000301"}, 0)
}
