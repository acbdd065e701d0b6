package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dompet/wallet/adapters/bankgw"
	"github.com/dompet/wallet/adapters/memstore"
	"github.com/dompet/wallet/adapters/phone"
	"github.com/dompet/wallet/adapters/qrisswitch"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/partner"
)

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// ids counts up; lexical order must follow creation order like ULIDs do.
type ids struct{ n atomic.Int64 }

func (g *ids) New() string { return "id" + strconv.FormatInt(1_000_000_000+g.n.Add(1), 10) }

// plainBox "seals" by copying, so tests can read queued messages.
type plainBox struct{}

func (plainBox) Seal(p []byte) ([]byte, error) { return append([]byte(nil), p...), nil }
func (plainBox) Open(s []byte) ([]byte, error) { return append([]byte(nil), s...), nil }

type fixture struct {
	t     *testing.T
	app   *app.App
	store *memstore.Store
	clock *clock
	cfg   app.Config
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	cfg := app.DefaultConfig()
	cfg.OTPKey = []byte("otp-key")
	cfg.IdempotencyWait = 200 * time.Millisecond
	c := &clock{now: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
	st := memstore.New()
	a := app.New(st, c, &ids{}, phone.NewNormalizer(), plainBox{}, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), gateways(c))
	return &fixture{t: t, app: a, store: st, clock: c, cfg: cfg}
}

func (f *fixture) partner(role string) *partner.Partner {
	f.t.Helper()
	res, err := f.app.CreatePartner(context.Background(), app.NewPartner{Name: "Partner " + role, Role: role})
	if err != nil {
		f.t.Fatal(err)
	}
	return res.Partner
}

// lastOTP returns the code of the newest queued notification.
func (f *fixture) lastOTP() string {
	f.t.Helper()
	jobs := f.store.Jobs()
	for i := len(jobs) - 1; i >= 0; i-- {
		if jobs[i].Kind != memstore.JobSend {
			continue
		}
		var rec *app.NotificationRecord
		err := f.store.Do(context.Background(), func(ctx context.Context, r app.Repos) error {
			var err error
			rec, err = r.Notifications.Get(ctx, jobs[i].NotificationID, false)
			return err
		})
		if err != nil {
			f.t.Fatal(err)
		}
		var m struct {
			O string `json:"o"`
		}
		if err := json.Unmarshal(rec.Sealed, &m); err != nil {
			f.t.Fatal(err)
		}
		return m.O
	}
	f.t.Fatal("no OTP queued")
	return ""
}

// registered registers and verifies a customer through p.
func (f *fixture) registered(p *partner.Partner, mobile string) app.OTPValidated {
	f.t.Helper()
	ctx := context.Background()
	if _, err := f.app.RegisterCustomer(ctx, app.RegisterCustomer{Partner: p, MobileNumber: mobile, FirstName: "Budi"}); err != nil {
		f.t.Fatal(err)
	}
	v, err := f.app.ValidateOTP(ctx, app.ValidateOTP{Partner: p, MobileNumber: mobile, Code: f.lastOTP()})
	if err != nil {
		f.t.Fatal(err)
	}
	return v
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func canonicalOf(national string) customer.MobileNumber {
	return customer.MobileNumber("62" + national[1:])
}

// gateways are the simulators on the test clock: pending transfers and
// QRIS payments settle when the clock passes their submission plus 3 s.
func gateways(c *clock) app.Gateways {
	return app.Gateways{Bank: &bankgw.Simulator{Delay: 3 * time.Second, Now: c.Now},
		QRIS: &qrisswitch.Simulator{Delay: 3 * time.Second, Now: c.Now}}
}
