package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/adapters/jobs"
	"github.com/dompet/wallet/adapters/notify/console"
	"github.com/dompet/wallet/adapters/system"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/internal/apptest"
	"github.com/dompet/wallet/internal/logcheck"
	"github.com/dompet/wallet/internal/testdb"
)

// TestRetentionJob: the periodic River job purges stored idempotent answers
// (and the other finished bookkeeping), never the ledger or the
// transactions; a retry after its answer was purged still finds the
// movement by its X-EXTERNAL-ID and answers the same movement, once.
func TestRetentionJob(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *bunstore.DB) {
		ctx := context.Background()
		// Every window 1 ns: whatever is finished is old enough.
		tiny := app.RetentionWindows{OTPs: 1, Notifications: 1, Sessions: 1, Events: 1, IdempotentAnswers: 1, Guesses: 1}
		s := apptest.NewWith(t, db, nil, apptest.Options{Config: func(c *app.Config) { c.Retention = tiny }})
		a := s.App
		shop, err := a.CreatePartner(ctx, app.NewPartner{Name: "Shop", Role: "PARTNER"})
		if err != nil {
			t.Fatal(err)
		}
		logcheck.Secret("partner secret", shop.Secret)
		bank, _ := a.CreatePartner(ctx, app.NewPartner{Name: "Bank", Role: "CHANNEL"})
		register(t, s, shop.Partner, "081300000901")
		if _, err := a.PayVA(ctx, app.VAPayment{Partner: bank.Partner, VANumber: "39358081300000901", Amount: 100_000, BankReference: "R-1"}); err != nil {
			t.Fatal(err)
		}
		pay := func(body string) apptest.Response {
			return s.Do(apptest.Request{Method: "POST", Path: "/wallet-payment/", Body: body,
				PartnerID: shop.Partner.ID(), Secret: shop.Secret, ExternalID: "PAY-RETENTION-1"})
		}
		body := `{"mobileNumber":"081300000901","amount":"25000","orderId":"ORD-RET-1"}`
		first := pay(body)
		if first.Status != 200 || first.Env.Code != 0 {
			t.Fatalf("payment: %s", first.Raw)
		}
		count := func(table, where string, args ...any) int {
			t.Helper()
			n, err := db.Bun.NewSelect().TableExpr(table).Where(where, args...).Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return int(n)
		}
		postings, transactions := count("postings", "1=1"), count("transactions", "1=1")
		if count("idempotency_keys", "key = ?", "PAY-RETENTION-1") != 1 {
			t.Fatal("the answer was not stored")
		}

		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		out := console.New(io.Discard)
		courier := app.NewCourier(bunstore.NewUnitOfWork(db, nil, s.Box), s.Box, system.Clock{}, out, out, app.DefaultConfig(), log, nil)
		runner, err := jobs.NewRunner(db, courier, nil, a, nil, jobs.RunnerConfig{PollInterval: 20 * time.Millisecond, PurgeEvery: time.Hour}, log)
		if err != nil {
			t.Fatal(err)
		}
		if err := runner.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = runner.Stop(ctx) }()
		waitUntil(t, "the retention job to purge the stored answer", func() bool {
			return count("idempotency_keys", "key = ?", "PAY-RETENTION-1") == 0
		})
		if p, tr := count("postings", "1=1"), count("transactions", "1=1"); p != postings || tr != transactions {
			t.Fatalf("retention touched the ledger: postings %d→%d, transactions %d→%d", postings, p, transactions, tr)
		}

		// The retry finds the movement by its external id: same reffId,
		// same balances, nothing moved twice.
		again := pay(body)
		if again.Status != 200 || again.Env.Code != 0 || again.Env.Data["reffId"] != first.Env.Data["reffId"] ||
			again.Env.Data["balanceAfter"] != first.Env.Data["balanceAfter"] || again.Env.Data["balanceAfter"] != "75000" {
			t.Fatalf("retry after purge:\nfirst %s\nagain %s", first.Raw, again.Raw)
		}
		if p := count("postings", "1=1"); p != postings {
			t.Fatalf("the retry moved money again: postings %d→%d", postings, p)
		}
		// The same key with another request is still a conflict.
		if other := pay(`{"mobileNumber":"081300000901","amount":"30000","orderId":"ORD-RET-2"}`); other.Env.Code != 60 {
			t.Fatalf("another request with the key after purge: %s", other.Raw)
		}
	})
}
