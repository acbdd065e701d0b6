package jobs_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/adapters/jobs"
	"github.com/dompet/wallet/adapters/notify/console"
	"github.com/dompet/wallet/adapters/system"
	"github.com/dompet/wallet/adapters/webhook"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/internal/apptest"
	"github.com/dompet/wallet/internal/testdb"
)

// receiver is a partner's webhook endpoint: it fails the first `failures`
// requests, may hang, and records what it accepted.
type receiver struct {
	mu       sync.Mutex
	failures int
	hang     bool
	requests int
	accepted []http.Header
	bodies   [][]byte
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.requests++
	hang, fail := rc.hang, rc.failures > 0
	if fail {
		rc.failures--
	}
	rc.mu.Unlock()
	if hang {
		time.Sleep(2 * time.Second)
		return
	}
	if fail {
		http.Error(w, "try later", http.StatusInternalServerError)
		return
	}
	rc.mu.Lock()
	rc.accepted = append(rc.accepted, r.Header.Clone())
	rc.bodies = append(rc.bodies, body)
	rc.mu.Unlock()
}

func (rc *receiver) got() (int, int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.requests, len(rc.accepted)
}

func TestWebhooks(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *bunstore.DB) {
		ctx := context.Background()
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		s := apptest.New(t, db, nil)
		a := s.App
		hooks := app.NewWebhooks(a, webhook.NewSenderWithTimeout(300*time.Millisecond))
		out := console.New(io.Discard)
		courier := app.NewCourier(bunstore.NewUnitOfWork(db, nil, s.Box), s.Box, system.Clock{}, out, out, app.DefaultConfig(), log, nil)
		start := func() *jobs.Runner {
			r, err := jobs.NewRunner(db, courier, nil, a, hooks,
				jobs.RunnerConfig{PollInterval: 20 * time.Millisecond, RetryBase: 20 * time.Millisecond}, log)
			if err != nil {
				t.Fatal(err)
			}
			if err := r.Start(ctx); err != nil {
				t.Fatal(err)
			}
			return r
		}

		flaky := &receiver{failures: 3}
		dead := &receiver{hang: true}
		flakySrv, deadSrv := httptest.NewServer(flaky), httptest.NewServer(dead)
		defer flakySrv.Close()
		defer deadSrv.Close()
		bankA, err := a.CreatePartner(ctx, app.NewPartner{Name: "Bank A", Role: "CHANNEL"})
		if err != nil {
			t.Fatal(err)
		}
		bankB, _ := a.CreatePartner(ctx, app.NewPartner{Name: "Bank B", Role: "CHANNEL"})
		shop, _ := a.CreatePartner(ctx, app.NewPartner{Name: "Shop", Role: "PARTNER"})
		if _, err := a.SetCallbackURL(ctx, bankA.Partner.ID(), flakySrv.URL+"/hooks/wallet?v=1"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.SetCallbackURL(ctx, bankB.Partner.ID(), deadSrv.URL); err != nil {
			t.Fatal(err)
		}
		register(t, s, shop.Partner, "081300000401")

		// The first runner dies while the flaky endpoint still fails.
		runner := start()
		if _, err := a.PayVA(ctx, app.VAPayment{Partner: bankB.Partner, VANumber: "39358081300000401", Amount: 10_000, BankReference: "B-1"}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.PayVA(ctx, app.VAPayment{Partner: bankA.Partner, VANumber: "39358081300000401", Amount: 20_000, BankReference: "A-1"}); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, "a first failed attempt", func() bool { n, _ := flaky.got(); return n >= 1 })
		if err := runner.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		runner = start()
		defer func() { _ = runner.Stop(ctx) }()
		// A hanging partner does not hold up the other one.
		waitUntil(t, "delivery after retries and a restart", func() bool { _, ok := flaky.got(); return ok >= 1 })
		time.Sleep(200 * time.Millisecond)
		requests, accepted := flaky.got()
		if accepted != 1 || requests != 4 {
			t.Fatalf("%d requests, %d accepted; want 4 and exactly 1", requests, accepted)
		}

		// The documented recipe verifies the delivery.
		h, body := flaky.accepted[0], flaky.bodies[0]
		if err := partner.Verify([]byte(bankA.Secret), "POST", "/hooks/wallet?v=1", body, h.Get("X-TIMESTAMP"), h.Get("X-SIGNATURE"), time.Now()); err != nil {
			t.Fatalf("signature: %v", err)
		}
		var p app.EventPayload
		if err := json.Unmarshal(body, &p); err != nil || p.EventID != h.Get("X-EVENT-ID") || p.Status != "SUCCESS" ||
			p.Amount != "20000" || p.Type != app.EventTransactionUpdated || h.Get("X-PARTNER-ID") != bankA.Partner.ID() {
			t.Fatalf("payload %s headers %v: %v", body, h, err)
		}
		var list []app.Event
		waitUntil(t, "the delivery to be recorded", func() bool {
			list, err = a.Deliveries(ctx, bankA.Partner.ID(), app.EventDelivered, 10)
			return err != nil || len(list) > 0
		})
		if err != nil || len(list) != 1 || list[0].Attempts != 4 {
			t.Fatalf("delivery log: %+v, %v", list, err)
		}
		pending, _ := a.Deliveries(ctx, bankB.Partner.ID(), app.EventPending, 10)
		if len(pending) != 1 || pending[0].LastError == "" {
			t.Fatalf("the hanging partner's event: %+v", pending)
		}
		// Operators can replay a delivered event: it goes out again.
		if _, err := a.ReplayEvent(ctx, list[0].ID); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, "the replay", func() bool { _, ok := flaky.got(); return ok == 2 })
		// The shop has no callback URL: its customer's events are recorded as such.
		none, _ := a.Deliveries(ctx, shop.Partner.ID(), "", 10)
		for _, e := range none {
			if e.Status != app.EventNoEndpoint && e.Status != app.EventPending {
				t.Fatalf("shop event %s", e.Status)
			}
		}
	})
}

func register(t *testing.T, s *apptest.Stack, p *partner.Partner, mobile string) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.App.RegisterCustomer(ctx, app.RegisterCustomer{Partner: p, MobileNumber: mobile, FirstName: "Budi"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.App.ValidateOTP(ctx, app.ValidateOTP{Partner: p, MobileNumber: mobile, Code: s.LastOTP("62" + mobile[1:])}); err != nil {
		t.Fatal(err)
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
