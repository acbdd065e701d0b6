package jobs_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
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
	"github.com/dompet/wallet/adapters/phone"
	"github.com/dompet/wallet/adapters/secretbox"
	"github.com/dompet/wallet/adapters/system"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/internal/testdb"
)

// provider is a local stand-in for the WhatsApp Cloud API or an SMS
// gateway: it records requests and can fail the first ones.
type provider struct {
	mu       sync.Mutex
	failures int // answer 503 to this many requests first
	bodies   []map[string]any
	reply    func(n int) string
}

func (p *provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.failures > 0 {
		p.failures--
		http.Error(w, `{"error":"maintenance"}`, http.StatusServiceUnavailable)
		return
	}
	var body map[string]any
	_ = json.NewDecoder(r.Body).Decode(&body)
	p.bodies = append(p.bodies, body)
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, p.reply(len(p.bodies)))
}

// to returns the requests sent to a number.
func (p *provider) to(number string) []map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []map[string]any
	for _, b := range p.bodies {
		if b["to"] == number {
			out = append(out, b)
		}
	}
	return out
}

const appSecret = "meta-app-secret"

func TestDeliveryWithFallback(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *bunstore.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		log := slog.New(slog.NewTextHandler(io.Discard, nil))

		wa := &provider{failures: 1, reply: func(n int) string {
			return fmt.Sprintf(`{"messaging_product":"whatsapp","contacts":[{"input":"x","wa_id":"x"}],"messages":[{"id":"wamid.%d"}]}`, n)
		}}
		gw := &provider{failures: 2, reply: func(n int) string { return fmt.Sprintf(`{"messageId":"sms-%d"}`, n) }}
		waSrv, smsSrv := httptest.NewServer(wa), httptest.NewServer(gw)
		defer waSrv.Close()
		defer smsSrv.Close()

		key := secretbox.MasterKey(bytes.Repeat([]byte{9}, 32))
		box, _ := secretbox.New(key)
		cfg := app.DefaultConfig()
		cfg.OTPKey = key.Derive("otp")
		cfg.Delivery = app.DeliveryConfig{Mode: app.ModeWhatsAppAndSMS, FallbackAfter: 1500 * time.Millisecond}
		ins, err := jobs.NewInserter(db, log)
		if err != nil {
			t.Fatal(err)
		}
		uow := bunstore.NewUnitOfWork(db, ins.Bind, box)
		a := app.New(uow, system.Clock{}, system.NewULIDs(), phone.NewNormalizer(), box, cfg, log, app.Gateways{})
		courier := app.NewCourier(uow, box, system.Clock{},
			whatsapp.New(whatsapp.Config{BaseURL: waSrv.URL, PhoneNumberID: "1055", AccessToken: "tok"}),
			sms.New(sms.Config{URL: smsSrv.URL, APIKey: "key", SenderID: "WALLET"}), cfg, log, nil)
		runner, err := jobs.NewRunner(db, courier, nil, a, nil, jobs.RunnerConfig{PollInterval: 20 * time.Millisecond, RetryBase: 10 * time.Millisecond}, log)
		if err != nil {
			t.Fatal(err)
		}
		if err := runner.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = runner.Stop(context.Background()) }()
		webhook := httptest.NewServer(whatsapp.NewWebhook(appSecret, "verify", courier, log))
		defer webhook.Close()

		p, err := a.CreatePartner(ctx, app.NewPartner{Name: "Shop", Role: "PARTNER"})
		if err != nil {
			t.Fatal(err)
		}
		register := func(mobile string) {
			t.Helper()
			if _, err := a.RegisterCustomer(ctx, app.RegisterCustomer{Partner: p.Partner, MobileNumber: mobile, FirstName: "X"}); err != nil {
				t.Fatal(err)
			}
		}
		waitFor := func(what string, cond func() bool) {
			t.Helper()
			deadline := time.Now().Add(15 * time.Second)
			for !cond() {
				if time.Now().After(deadline) {
					t.Fatalf("timed out waiting for %s", what)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		status := func(wamid, st string, code int) {
			t.Helper()
			now := time.Now().Unix()
			s := fmt.Sprintf(`{"id":%q,"status":%q,"timestamp":"%d","recipient_id":"x"}`, wamid, st, now)
			if code != 0 {
				s = fmt.Sprintf(`{"id":%q,"status":"failed","timestamp":"%d","recipient_id":"x","errors":[{"code":%d,"title":"Message undeliverable"}]}`, wamid, now, code)
			}
			body := `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"1055"},"statuses":[` + s + `]}}]}]}`
			mac := hmac.New(sha256.New, []byte(appSecret))
			mac.Write([]byte(body))
			// Like Meta, deliver again while the webhook answers 503 (the
			// status overtook our record of the send).
			for attempt := 0; ; attempt++ {
				req, _ := http.NewRequest("POST", webhook.URL, strings.NewReader(body))
				req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode == 200 {
					return
				}
				if resp.StatusCode != 503 || attempt == 50 {
					t.Fatalf("webhook answered %d", resp.StatusCode)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		// A: not on WhatsApp. The WhatsApp outage (one 503) is retried, Meta
		// then reports 131026 by webhook, and the SMS gateway outage (two
		// 503s) is retried until the SMS goes out, with the same code.
		register("081200000101")
		waitFor("WhatsApp send to A", func() bool { return len(wa.to("6281200000101")) == 1 })
		template := wa.to("6281200000101")[0]
		if template["type"] != "template" {
			t.Fatalf("WhatsApp message is not a template: %v", template)
		}
		codeA := templateCode(t, template)
		status(wamidFor(wa, "6281200000101"), "failed", 131026)
		waitFor("SMS to A", func() bool { return len(gw.to("6281200000101")) == 1 })
		if text, _ := gw.to("6281200000101")[0]["text"].(string); !strings.Contains(text, codeA) {
			t.Fatalf("SMS %q does not carry the WhatsApp code %s", text, codeA)
		}

		// B: delivered on WhatsApp; no SMS even after the fallback time.
		register("081200000102")
		waitFor("WhatsApp send to B", func() bool { return len(wa.to("6281200000102")) == 1 })
		status(wamidFor(wa, "6281200000102"), "delivered", 0)
		// C: no status at all; SMS after WALLET_WA_FALLBACK_AFTER.
		register("081200000103")
		waitFor("SMS to C after the fallback time", func() bool { return len(gw.to("6281200000103")) == 1 })
		time.Sleep(2 * time.Second) // past B's fallback check too
		if n := len(gw.to("6281200000102")); n != 0 {
			t.Fatalf("B was delivered on WhatsApp but got %d SMS", n)
		}
		// A repeated failure webhook for A sends no second SMS.
		status(wamidFor(wa, "6281200000101"), "failed", 131026)
		time.Sleep(300 * time.Millisecond)
		if n := len(gw.to("6281200000101")); n != 1 {
			t.Fatalf("A got %d SMS, want 1", n)
		}
	})
}

// wamidFor finds the id the fake API gave the message to number.
func wamidFor(p *provider, number string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, b := range p.bodies {
		if b["to"] == number {
			return fmt.Sprintf("wamid.%d", i+1)
		}
	}
	return ""
}

func templateCode(t *testing.T, msg map[string]any) string {
	t.Helper()
	tpl, _ := msg["template"].(map[string]any)
	comps, _ := tpl["components"].([]any)
	for _, c := range comps {
		m, _ := c.(map[string]any)
		if m["type"] != "body" {
			continue
		}
		params, _ := m["parameters"].([]any)
		if len(params) == 1 {
			if p, _ := params[0].(map[string]any); p["text"] != nil {
				return p["text"].(string)
			}
		}
	}
	t.Fatalf("no code parameter in %v", msg)
	return ""
}
