package app_test

import (
	"bytes"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/dompet/wallet/adapters/notify/console"
	"github.com/dompet/wallet/app"
)

// The delivery log names the sender that really ran: the console in local
// runs never claims an SMS went out.
func TestCourierLogNamesTheSender(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		sender app.TextSender
		want   string
	}{
		{"console stands in for SMS", console.New(io.Discard), `"channel":"console"`},
		{"an SMS gateway is sms", &fakeSender{}, `"channel":"sms"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newCourierFixture(t, app.ModeSMS)
			var logs bytes.Buffer
			cfg := c.cfg
			cfg.Delivery = app.DeliveryConfig{Mode: app.ModeSMS, FallbackAfter: 30 * time.Second}
			c.courier = app.NewCourier(c.store, plainBox{}, c.clock, c.wa, tt.sender, cfg, slog.New(slog.NewJSONHandler(&logs, nil)), nil)
			c.register()
			if errs := c.run(); errs != nil {
				t.Fatal(errs)
			}
			out := logs.String()
			if !strings.Contains(out, `"msg":"notification sent"`) || !strings.Contains(out, tt.want) || strings.Contains(out, "by SMS") {
				t.Fatalf("delivery log %s, want %s", out, tt.want)
			}
		})
	}
}
