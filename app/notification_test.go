package app_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/dompet/wallet/adapters/memstore"
	"github.com/dompet/wallet/adapters/phone"
	"github.com/dompet/wallet/app"
)

type fakeSender struct {
	mu   sync.Mutex
	err  error
	sent []app.Notification
}

func (s *fakeSender) send(n app.Notification) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return "", s.err
	}
	s.sent = append(s.sent, n)
	return fmt.Sprintf("prov-%d", len(s.sent)), nil
}
func (s *fakeSender) SendWhatsApp(_ context.Context, n app.Notification) (string, error) {
	return s.send(n)
}
func (s *fakeSender) SendText(_ context.Context, n app.Notification) (string, error) {
	return s.send(n)
}
func (s *fakeSender) count() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.sent) }

type courierFixture struct {
	*fixture
	wa, sms *fakeSender
	courier *app.Courier
}

func newCourierFixture(t *testing.T, mode app.DeliveryMode) *courierFixture {
	t.Helper()
	f := newFixture(t)
	cfg := f.cfg
	cfg.Delivery = app.DeliveryConfig{Mode: mode, FallbackAfter: 30 * time.Second}
	// The app must queue with the same mode the courier delivers with.
	f.app = app.New(f.store, f.clock, &ids{}, phoneNormalizer(), plainBox{}, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Gateways{})
	wa, sms := &fakeSender{}, &fakeSender{}
	return &courierFixture{fixture: f, wa: wa, sms: sms,
		courier: app.NewCourier(f.store, plainBox{}, f.clock, wa, sms, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)}
}

// run works every queued job once, like the job runner would, and returns
// the errors of the failed ones.
func (c *courierFixture) run() []error {
	var errs []error
	for _, j := range c.store.TakeJobs() {
		var err error
		if j.Kind == memstore.JobSend {
			err = c.courier.Send(context.Background(), j.NotificationID, j.Channel)
		} else {
			err = c.courier.CheckDelivery(context.Background(), j.NotificationID)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

func (c *courierFixture) state(id string) app.NotificationState {
	c.t.Helper()
	var st app.NotificationState
	err := c.store.Do(context.Background(), func(ctx context.Context, r app.Repos) error {
		rec, err := r.Notifications.Get(ctx, id, false)
		if err == nil {
			st = rec.State
		}
		return err
	})
	if err != nil {
		c.t.Fatal(err)
	}
	return st
}

func (c *courierFixture) register() string {
	c.t.Helper()
	p := c.partner("PARTNER")
	if _, err := c.app.RegisterCustomer(context.Background(), app.RegisterCustomer{Partner: p, MobileNumber: "081234567890", FirstName: "Budi"}); err != nil {
		c.t.Fatal(err)
	}
	jobs := c.store.Jobs()
	return jobs[len(jobs)-1].NotificationID
}

func TestCourier(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("sms mode sends once by sms", func(t *testing.T) {
		t.Parallel()
		c := newCourierFixture(t, app.ModeSMS)
		id := c.register()
		if errs := c.run(); errs != nil {
			t.Fatal(errs)
		}
		if c.sms.count() != 1 || c.wa.count() != 0 || c.state(id) != app.NotificationSent {
			t.Fatalf("sms %d wa %d state %s", c.sms.count(), c.wa.count(), c.state(id))
		}
		if n := c.sms.sent[0]; n.To != "6281234567890" || n.OTP == "" || len(n.Text) == 0 {
			t.Fatalf("sent %+v", n)
		}
	})
	t.Run("provider outage is retried, not lost", func(t *testing.T) {
		t.Parallel()
		c := newCourierFixture(t, app.ModeSMS)
		id := c.register()
		jobs := c.store.TakeJobs()
		c.sms.err = errors.New("503 from gateway")
		for range 3 {
			if err := c.courier.Send(ctx, id, jobs[0].Channel); err == nil {
				t.Fatal("transient failure reported as done")
			}
		}
		if c.state(id) != app.NotificationQueued {
			t.Fatalf("state %s after failures", c.state(id))
		}
		c.sms.err = nil
		if err := c.courier.Send(ctx, id, jobs[0].Channel); err != nil {
			t.Fatal(err)
		}
		if c.sms.count() != 1 || c.state(id) != app.NotificationSent {
			t.Fatalf("after recovery: sent %d state %s", c.sms.count(), c.state(id))
		}
		// A duplicate run of the same job sends nothing more.
		if err := c.courier.Send(ctx, id, jobs[0].Channel); err != nil || c.sms.count() != 1 {
			t.Fatalf("duplicate job: %v, sent %d", err, c.sms.count())
		}
	})
	t.Run("expired OTP is not sent", func(t *testing.T) {
		t.Parallel()
		c := newCourierFixture(t, app.ModeSMS)
		id := c.register()
		c.clock.Advance(5 * time.Minute)
		if errs := c.run(); errs != nil {
			t.Fatal(errs)
		}
		if c.sms.count() != 0 || c.state(id) != app.NotificationExpired {
			t.Fatalf("sent %d state %s", c.sms.count(), c.state(id))
		}
	})
	t.Run("whatsapp delivered ends without sms", func(t *testing.T) {
		t.Parallel()
		c := newCourierFixture(t, app.ModeWhatsAppAndSMS)
		id := c.register()
		c.run()
		if c.wa.count() != 1 || c.state(id) != app.NotificationAwaiting {
			t.Fatalf("wa %d state %s", c.wa.count(), c.state(id))
		}
		if err := c.courier.WhatsAppStatuses(ctx, []app.WhatsAppStatus{{ProviderID: "prov-1", Status: "delivered"}}); err != nil {
			t.Fatal(err)
		}
		c.run() // the delivery check finds it delivered
		if c.sms.count() != 0 || c.state(id) != app.NotificationDelivered {
			t.Fatalf("sms %d state %s", c.sms.count(), c.state(id))
		}
	})
	t.Run("whatsapp 131026 status falls back to sms once", func(t *testing.T) {
		t.Parallel()
		c := newCourierFixture(t, app.ModeWhatsAppAndSMS)
		id := c.register()
		c.run()
		failed := []app.WhatsAppStatus{{ProviderID: "prov-1", Status: "failed", Undeliverable: true}}
		if err := c.courier.WhatsAppStatuses(ctx, failed); err != nil {
			t.Fatal(err)
		}
		if err := c.courier.WhatsAppStatuses(ctx, failed); err != nil { // webhooks repeat
			t.Fatal(err)
		}
		c.run()
		if c.sms.count() != 1 || c.state(id) != app.NotificationSent {
			t.Fatalf("sms %d state %s", c.sms.count(), c.state(id))
		}
	})
	t.Run("no whatsapp status in time falls back to sms", func(t *testing.T) {
		t.Parallel()
		c := newCourierFixture(t, app.ModeWhatsAppAndSMS)
		id := c.register()
		c.run() // WA send, schedules the check
		c.run() // the check falls back, schedules SMS
		c.run() // SMS
		if c.sms.count() != 1 || c.state(id) != app.NotificationSent {
			t.Fatalf("sms %d state %s", c.sms.count(), c.state(id))
		}
	})
	t.Run("whatsapp refusing the number at send falls back at once", func(t *testing.T) {
		t.Parallel()
		c := newCourierFixture(t, app.ModeWhatsAppAndSMS)
		id := c.register()
		c.wa.err = fmt.Errorf("131026: %w", app.ErrUndeliverable)
		c.run()
		c.run()
		if c.sms.count() != 1 || c.state(id) != app.NotificationSent {
			t.Fatalf("sms %d state %s", c.sms.count(), c.state(id))
		}
	})
	t.Run("whatsapp only mode fails an undeliverable message", func(t *testing.T) {
		t.Parallel()
		c := newCourierFixture(t, app.ModeWhatsApp)
		id := c.register()
		c.wa.err = fmt.Errorf("131026: %w", app.ErrUndeliverable)
		c.run()
		if c.sms.count() != 0 || c.state(id) != app.NotificationFailed {
			t.Fatalf("sms %d state %s", c.sms.count(), c.state(id))
		}
	})
}

func phoneNormalizer() app.PhoneNormalizer { return phone.NewNormalizer() }
