package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/dompet/wallet/adapters/metrics"
	"github.com/dompet/wallet/app"
)

type sender struct{ err error }

func (s sender) SendWhatsApp(context.Context, app.Notification) (string, error) {
	return "wamid", s.err
}
func (s sender) SendText(context.Context, app.Notification) (string, error) { return "sms-1", s.err }

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

func TestNotificationsWebhooksAndFallbacks(t *testing.T) {
	t.Parallel()
	m := metrics.New(nil, nil)
	ctx, n := context.Background(), app.Notification{ID: "n1", Text: "OTP 123456"}
	_, _ = m.WhatsApp(sender{}).SendWhatsApp(ctx, n)
	_, _ = m.WhatsApp(sender{err: fmt.Errorf("meta: %w", app.ErrUndeliverable)}).SendWhatsApp(ctx, n)
	_, _ = m.Text(sender{}).SendText(ctx, n)
	_, _ = m.Text(sender{err: errors.New("timeout")}).SendText(ctx, n)
	m.FellBack(app.ChannelWhatsApp, app.ChannelSMS)
	m.WebhookAttempt(app.EventDelivered, 1)
	m.WebhookAttempt("FAILED", 2)
	m.WebhookAttempt(app.EventDead, 14)

	got := scrape(t, m)
	for _, want := range []string{
		`wallet_notification_sends_total{channel="whatsapp",outcome="sent"} 1`,
		`wallet_notification_sends_total{channel="whatsapp",outcome="undeliverable"} 1`,
		`wallet_notification_sends_total{channel="sms",outcome="sent"} 1`,
		`wallet_notification_sends_total{channel="sms",outcome="error"} 1`,
		`wallet_notification_fallbacks_total{from="whatsapp",to="sms"} 1`,
		`wallet_webhook_deliveries_total{attempt="1",outcome="DELIVERED"} 1`,
		`wallet_webhook_deliveries_total{attempt="2",outcome="FAILED"} 1`,
		`wallet_webhook_deliveries_total{attempt="10+",outcome="DEAD"} 1`,
		`process_cpu_seconds_total`,
		`go_goroutines`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
	if strings.Contains(got, "123456") {
		t.Error("a notification's text reached the metrics")
	}
}

func TestUnknownRoutesAndMethodsAreBounded(t *testing.T) {
	t.Parallel()
	m := metrics.New(nil, nil)
	r := chi.NewRouter()
	r.Get("/customers/{id}", func(w http.ResponseWriter, _ *http.Request) {})
	h := m.Instrument(r)
	for _, req := range []*http.Request{
		httptest.NewRequest("GET", "/customers/6281234567890", nil),
		httptest.NewRequest("GET", "/no/such/081234567890", nil),
		httptest.NewRequest("BREW", "/customers/6281234567890", nil),
	} {
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	got := scrape(t, m)
	for _, want := range []string{
		`wallet_http_requests_total{code="none",method="GET",route="/customers/{id}"} 1`,
		`wallet_http_requests_total{code="none",method="GET",route="unmatched"} 1`,
		`wallet_http_requests_total{code="none",method="OTHER",route="unmatched"} 1`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("scrape lacks %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, "081234567890") || strings.Contains(got, "6281234567890") {
		t.Error("a raw path reached a label")
	}
}
