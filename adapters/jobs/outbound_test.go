package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/adapters/jobs"
	"github.com/dompet/wallet/adapters/notify/sms"
	"github.com/dompet/wallet/adapters/notify/whatsapp"
	"github.com/dompet/wallet/adapters/system"
	"github.com/dompet/wallet/adapters/webhook"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/internal/apptest"
	"github.com/dompet/wallet/internal/testdb"
)

// The four ways an outbound dependency fails (issue 9): it does not answer
// in time, answers 500, answers something that is not its protocol, or
// closes the connection halfway through the answer.
type faultMode string

const (
	faultTimeout faultMode = "timeout"
	fault500     faultMode = "500"
	faultGarbage faultMode = "garbage"
	faultCut     faultMode = "cut"
)

var faultModes = []faultMode{faultTimeout, fault500, faultGarbage, faultCut}

// outboundTimeout is the HTTP client timeout of the adapters under test
// (10 s in production); short so the timeout case stays fast.
const outboundTimeout = 300 * time.Millisecond

// flaky is a provider's HTTP endpoint that misbehaves on the first `fails`
// requests of each key (a recipient, a path) in the key's mode, then
// answers ok. It records every request.
type flaky struct {
	fails int
	// key names the request's series and its fault mode.
	key func(r *http.Request, body []byte) (string, faultMode)
	ok  func(w http.ResponseWriter, n int)
	// statusOnly: the caller reads only the status (a webhook: any 2xx
	// acknowledges), so garbage and the cut come before a status line;
	// otherwise after a 200 head, in the body the caller must parse.
	statusOnly bool

	mu     sync.Mutex
	bodies map[string][][]byte
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	key, mode := f.key(r, body)
	f.mu.Lock()
	if f.bodies == nil {
		f.bodies = map[string][][]byte{}
	}
	f.bodies[key] = append(f.bodies[key], body)
	n := len(f.bodies[key])
	f.mu.Unlock()
	if n > f.fails {
		f.ok(w, n)
		return
	}
	switch mode {
	case faultTimeout:
		select { // answer nothing until the caller gives up
		case <-r.Context().Done():
		case <-time.After(10 * outboundTimeout):
		}
	case fault500:
		http.Error(w, `{"error":"internal"}`, http.StatusInternalServerError)
	case faultGarbage:
		if !f.statusOnly {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte("<html>\x00\xff{not json"))
			return
		}
		conn, buf, _ := w.(http.Hijacker).Hijack()
		_, _ = buf.WriteString("SSH-2.0-garbage\r\n\x00\xff\r\n\r\n")
		_ = buf.Flush()
		conn.Close()
	case faultCut:
		conn, buf, _ := w.(http.Hijacker).Hijack()
		head := "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{\"messages\":[{\"id\":"
		if f.statusOnly {
			head = "HTTP/1.1 20"
		}
		_, _ = buf.WriteString(head)
		_ = buf.Flush()
		conn.Close()
	}
}

// requests returns what the series key received.
func (f *flaky) requests(key string) [][]byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([][]byte(nil), f.bodies[key]...)
}

// modeOfNumber: the fault mode is chosen by the recipient's last digit.
func modeOfNumber(to string) faultMode {
	return faultModes[int(to[len(to)-1]-'0')%len(faultModes)]
}

// TestOutboundNotificationFaults: the SMS gateway and the WhatsApp Cloud
// API each time out, answer 500, answer garbage and cut the connection on
// the first send of an OTP. The job sends it again exactly once more
// (bounded, no storm), with the very same message (same code, same
// reference: a provider that did send before failing delivers a duplicate
// of the same code at worst), and the message ends sent. The API call that
// queued it never waits for the provider (the send is a job). One fault
// per series: River's scheduler makes each retry wait up to 5 s.
func TestOutboundNotificationFaults(t *testing.T) {
	t.Parallel()
	for _, mode := range []app.DeliveryMode{app.ModeSMS, app.ModeWhatsApp} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			db := testdb.SQLite(t)
			ctx := context.Background()
			provider := &flaky{fails: 1,
				key: func(_ *http.Request, body []byte) (string, faultMode) {
					var m struct{ To string }
					_ = json.Unmarshal(body, &m)
					return m.To, modeOfNumber(m.To)
				},
				ok: func(w http.ResponseWriter, n int) {
					w.Header().Set("Content-Type", "application/json")
					fmt.Fprintf(w, `{"messageId":"sms-%d","messaging_product":"whatsapp","contacts":[{"input":"x","wa_id":"x"}],"messages":[{"id":"wamid.%d"}]}`, n, n)
				}}
			srv := httptest.NewServer(provider)
			defer srv.Close()
			client := &http.Client{Timeout: outboundTimeout}
			s := apptest.NewWith(t, db, nil, apptest.Options{Config: func(c *app.Config) {
				c.Delivery = app.DeliveryConfig{Mode: mode, FallbackAfter: time.Hour}
			}})
			cfg := app.DefaultConfig()
			cfg.Delivery = app.DeliveryConfig{Mode: mode, FallbackAfter: time.Hour}
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			courier := app.NewCourier(bunstore.NewUnitOfWork(db, nil, s.Box), s.Box, system.Clock{},
				whatsapp.New(whatsapp.Config{BaseURL: srv.URL, PhoneNumberID: "1055", AccessToken: "tok", HTTPClient: client}),
				sms.New(sms.Config{URL: srv.URL, APIKey: "key", SenderID: "WALLET", HTTPClient: client}), cfg, log, nil)
			runner := startRunner(t, db, courier, s.App, nil)
			defer func() { _ = runner.Stop(ctx) }()

			shop, _ := s.App.CreatePartner(ctx, app.NewPartner{Name: "Shop", Role: "PARTNER"})
			for i := range faultModes {
				mobile := fmt.Sprintf("08120000010%d", i)
				start := time.Now()
				if _, err := s.App.RegisterCustomer(ctx, app.RegisterCustomer{Partner: shop.Partner, MobileNumber: mobile, FirstName: "X"}); err != nil {
					t.Fatal(err)
				}
				if took := time.Since(start); took > 10*time.Second { // the request deadline; no provider call on this path
					t.Errorf("registration waited %v for the provider", took)
				}
			}
			for i, fm := range faultModes {
				to := fmt.Sprintf("628120000010%d", i)
				waitUntil(t, string(fm)+" send to succeed", func() bool { return len(provider.requests(to)) >= 2 })
			}
			time.Sleep(300 * time.Millisecond) // room for a stray extra attempt to show
			for i, fm := range faultModes {
				to := fmt.Sprintf("628120000010%d", i)
				reqs := provider.requests(to)
				if len(reqs) != 2 {
					t.Errorf("%s: %d requests to the provider, want 2 (a fault, then a success)", fm, len(reqs))
				}
				for _, r := range reqs[1:] {
					if !bytes.Equal(r, reqs[0]) {
						t.Errorf("%s: a retry sent another message:\n%s\n%s", fm, reqs[0], r)
					}
				}
				waitUntil(t, string(fm)+" message recorded as sent", func() bool {
					var state string
					_ = db.Bun.NewSelect().Table("notifications").Column("state").Where("recipient = ?", to).Scan(ctx, &state)
					return state == string(app.NotificationSent) || state == string(app.NotificationDelivered)
				})
			}
		})
	}
}

// TestOutboundWebhookFaults: four partners' webhook endpoints each time
// out, answer 500, answer garbage (not HTTP) and cut the connection on the
// first delivery of their top-up's event. Each event is delivered by
// exactly one retry carrying the same event, the money moved exactly once
// (balance and ledger audit), and the top-ups never wait for the
// partners (delivery is a job).
func TestOutboundWebhookFaults(t *testing.T) {
	t.Parallel()
	db := testdb.SQLite(t)
	ctx := context.Background()
	endpoint := &flaky{fails: 1, statusOnly: true,
		key: func(r *http.Request, _ []byte) (string, faultMode) {
			m := faultMode(strings.TrimPrefix(r.URL.Path, "/"))
			return string(m), m
		},
		ok: func(w http.ResponseWriter, _ int) { w.WriteHeader(http.StatusNoContent) }}
	srv := httptest.NewServer(endpoint)
	defer srv.Close()
	s := apptest.New(t, db, nil)
	a := s.App
	runner := startRunner(t, db, nil, a, app.NewWebhooks(a, webhook.NewSenderWithTimeout(outboundTimeout)))
	defer func() { _ = runner.Stop(ctx) }()

	shop, _ := a.CreatePartner(ctx, app.NewPartner{Name: "Shop", Role: "PARTNER"})
	register(t, s, shop.Partner, "081300000501")
	var total int64
	for i, fm := range faultModes {
		bank, err := a.CreatePartner(ctx, app.NewPartner{Name: "Bank " + string(fm), Role: "CHANNEL"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.SetCallbackURL(ctx, bank.Partner.ID(), srv.URL+"/"+string(fm)); err != nil {
			t.Fatal(err)
		}
		amount := int64(10_000 * (i + 1))
		total += amount
		start := time.Now()
		if _, err := a.PayVA(ctx, app.VAPayment{Partner: bank.Partner, VANumber: "39358081300000501", Amount: amount, BankReference: "R-" + string(fm)}); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took > 10*time.Second { // the request deadline; the webhook is a job
			t.Errorf("top-up waited %v for the partner's endpoint", took)
		}
	}
	for _, fm := range faultModes {
		waitUntil(t, string(fm)+" delivery", func() bool { return len(endpoint.requests(string(fm))) >= 2 })
	}
	time.Sleep(300 * time.Millisecond)
	for _, fm := range faultModes {
		reqs := endpoint.requests(string(fm))
		if len(reqs) != 2 {
			t.Errorf("%s: %d deliveries, want 2 (a fault, then acknowledged)", fm, len(reqs))
		}
		for _, r := range reqs[1:] {
			if !bytes.Equal(r, reqs[0]) {
				t.Errorf("%s: a retry carried another event:\n%s\n%s", fm, reqs[0], r)
			}
		}
	}
	v, err := a.InquireCustomer(ctx, app.InquireCustomer{Partner: shop.Partner, MobileNumber: "081300000501"})
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Pocket.Available(); got != total {
		t.Errorf("balance %d, want %d: each top-up exactly once", got, total)
	}
	audit(t, db)
}

func startRunner(t *testing.T, db *bunstore.DB, courier *app.Courier, a *app.App, hooks *app.Webhooks) *jobs.Runner {
	t.Helper()
	r, err := jobs.NewRunner(db, courier, nil, a, hooks,
		jobs.RunnerConfig{PollInterval: 20 * time.Millisecond, RetryBase: 20 * time.Millisecond, PurgeEvery: -1},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r
}

func audit(t *testing.T, db *bunstore.DB) {
	t.Helper()
	rep, err := db.Audit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) > 0 || rep.LedgerSum != 0 {
		t.Fatalf("ledger audit: %+v", rep)
	}
}
