package app_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/dompet/wallet/adapters/banks"
	"github.com/dompet/wallet/adapters/memstore"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/transfer"
)

// flakyGateway loses the first disbursement on its way (the process died,
// or the network did): the gateway never sees it and the caller gets an
// error. It remembers what it received, like a real gateway.
type flakyGateway struct {
	mu       sync.Mutex
	lose     int
	received map[string]bool
}

func (g *flakyGateway) InquireAccount(context.Context, string, string) (string, error) {
	return "BUDI", nil
}

func (g *flakyGateway) Disburse(_ context.Context, d app.Disbursement) (app.DisbursementResult, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.lose > 0 {
		g.lose--
		return app.DisbursementResult{}, errors.New("connection reset")
	}
	g.received[d.Reference] = true
	return app.DisbursementResult{Status: app.DisbursementSuccess}, nil
}

func (g *flakyGateway) Status(_ context.Context, d app.Disbursement) (app.DisbursementResult, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.received[d.Reference] {
		return app.DisbursementResult{Status: app.DisbursementUnknown}, nil
	}
	return app.DisbursementResult{Status: app.DisbursementSuccess}, nil
}

func TestBankTransferWhoseOutcomeIsUnknownIsFinishedByTheJob(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	cfg := f.cfg
	cfg.Money.Banks = banks.MustLoad()
	gw := &flakyGateway{lose: 1, received: map[string]bool{}}
	f.app = app.New(f.store, f.clock, &ids{}, phoneNormalizer(), plainBox{}, cfg, discard(), app.Gateways{Bank: gw})
	p, bank := f.partner("PARTNER"), f.partner("CHANNEL")
	f.registered(p, "081300000201")
	if _, err := f.app.PayVA(ctx, app.VAPayment{Partner: bank, VANumber: "39358081300000201", Amount: 500_000, BankReference: "B1"}); err != nil {
		t.Fatal(err)
	}
	verifyKYC(t, f, p, "081300000201")

	m, err := f.app.TransferToBank(ctx, app.BankTransfer{Partner: p, MobileNumber: "081300000201", BankCode: "014",
		BankAccount: "1234567890", Amount: 100_000})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Transaction.Pending() || m.BalanceAfter != 500_000 {
		t.Fatalf("unknown outcome must stay pending with the money held: %+v", m)
	}
	pocketAvailable := func() int64 {
		var v app.CustomerView
		v, err := f.app.InquireCustomer(ctx, app.InquireCustomer{Partner: p, MobileNumber: "081300000201"})
		if err != nil {
			t.Fatal(err)
		}
		return v.Pocket.Available()
	}
	if got := pocketAvailable(); got != 397_500 {
		t.Fatalf("available %d, want 397500 (amount + fee held)", got)
	}
	var job memstore.Job
	for _, j := range f.store.Jobs() {
		if j.Kind == memstore.JobSettle && j.ReffID == m.Transaction.ID() {
			job = j
		}
	}
	if job.ReffID == "" {
		t.Fatal("no settlement job was queued with the hold")
	}
	// The job runs: the gateway never received it, so it is submitted now.
	f.clock.Advance(3 * time.Second)
	if err := f.app.SettleBankTransfer(ctx, job.ReffID); err != nil {
		t.Fatal(err)
	}
	if err := f.app.SettleBankTransfer(ctx, job.ReffID); err != nil { // a retry of the job: no-op
		t.Fatal(err)
	}
	st, err := f.app.TransactionStatus(ctx, p, job.ReffID)
	if err != nil || st.Status() != transfer.StatusSuccess {
		t.Fatalf("status %v, %v", st, err)
	}
	if got := pocketAvailable(); got != 397_500 {
		t.Fatalf("available %d after capture", got)
	}
	checkLedger(t, f, []string{"081300000201"}, 0)
}

func verifyKYC(t *testing.T, f *fixture, p *partner.Partner, mobile string) {
	t.Helper()
	ctx := context.Background()
	if _, err := f.app.SubmitKYC(ctx, app.SubmitKYC{Partner: p, MobileNumber: mobile, NIK: "3273011708900001",
		FullName: "Budi", BirthDate: "1990-08-17"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.DecideKYC(ctx, mobile, true, ""); err != nil {
		t.Fatal(err)
	}
}

func TestPartnerBankTransferFee(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	cfg := f.cfg
	cfg.Money.Banks = banks.MustLoad()
	f.app = app.New(f.store, f.clock, &ids{}, phoneNormalizer(), plainBox{}, cfg, discard(), gateways(f.clock))
	p, bank := f.partner("PARTNER"), f.partner("CHANNEL")
	f.registered(p, "081300000211")
	if _, err := f.app.PayVA(ctx, app.VAPayment{Partner: bank, VANumber: "39358081300000211", Amount: 500_000, BankReference: "B1"}); err != nil {
		t.Fatal(err)
	}
	verifyKYC(t, f, p, "081300000211")
	send := func(p *partner.Partner) int64 {
		t.Helper()
		m, err := f.app.TransferToBank(ctx, app.BankTransfer{Partner: p, MobileNumber: "081300000211", BankCode: "014",
			BankAccount: "1234567890", Amount: 10_000})
		if err != nil {
			t.Fatal(err)
		}
		return m.Transaction.Fee()
	}
	if fee := send(p); fee != 2_500 {
		t.Fatalf("default fee %d", fee)
	}
	updated, err := f.app.UpdatePartner(ctx, app.UpdatePartner{ID: p.ID(), BankTransferFee: 1_000})
	if err != nil {
		t.Fatal(err)
	}
	if fee := send(updated); fee != 1_000 {
		t.Fatalf("override fee %d", fee)
	}
	if _, err := f.app.UpdatePartner(ctx, app.UpdatePartner{ID: "nope", BankTransferFee: 1}); !errors.Is(err, partner.ErrNotFound) {
		t.Fatalf("unknown partner: %v", err)
	}
}
