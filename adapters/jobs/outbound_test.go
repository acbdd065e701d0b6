package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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
	"github.com/dompet/wallet/adapters/httpapi"
	"github.com/dompet/wallet/adapters/jobs"
	"github.com/dompet/wallet/adapters/notify/sms"
	"github.com/dompet/wallet/adapters/notify/whatsapp"
	"github.com/dompet/wallet/adapters/system"
	"github.com/dompet/wallet/adapters/webhook"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/qris"
	"github.com/dompet/wallet/domain/transfer"
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
// (10 s in production); short so the timeout case stays fast, long enough
// for a good answer on a loaded CI machine.
const outboundTimeout = time.Second

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
				if !bounded(len(reqs)) {
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
		if !bounded(len(reqs)) {
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

// bounded: one fault was injected, so the ideal is 2 requests; one more
// is tolerated for a good answer that arrived after the client's timeout
// on a loaded machine. A retry storm would be far more.
func bounded(n int) bool { return n == 2 || n == 3 }

func startRunner(t *testing.T, db *bunstore.DB, courier *app.Courier, a *app.App, hooks *app.Webhooks) *jobs.Runner {
	t.Helper()
	r, err := jobs.NewRunner(db, courier, nil, a, hooks,
		// Polls at 100 ms: SQLite has one connection, which faster polling
		// of five queues would keep from the requests.
		jobs.RunnerConfig{PollInterval: 100 * time.Millisecond, RetryBase: 20 * time.Millisecond, PurgeEvery: -1},
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

// fakeBank is the bank gateway and the QRIS switch as the app's ports see
// an HTTP provider failing: the first call of each operation on each
// transfer fails in the transfer's mode. What the provider did before the
// failure follows the mode: a 500 executed nothing; a timeout, garbage or a
// cut connection may hide an executed payment (the worst case, assumed
// here). It remembers what it executed, so that its status answers tell
// the truth, and counts every call.
type fakeBank struct {
	bank app.BankGateway
	qris app.QRISSwitch
	// stall is how long a timing-out provider holds a call when the
	// caller's context does not end first (an adapter's client timeout).
	stall time.Duration

	mu       sync.Mutex
	calls    map[string]int // "op key" → calls
	executed map[string]int // reference → payments executed
}

// modeOfAccount: transfers to accounts …10 … …13 fail in the four modes.
func modeOfAccount(account string) faultMode { return modeOfNumber(account) }

// modeOfAmount: QRIS payments of …0 … …3 rupiah likewise.
func modeOfAmount(amount int64) faultMode { return faultModes[amount%10%int64(len(faultModes))] }

func (f *fakeBank) first(op, key string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[op+" "+key]++
	return f.calls[op+" "+key] == 1
}

func (f *fakeBank) fail(ctx context.Context, mode faultMode) error {
	switch mode {
	case faultTimeout:
		select {
		case <-ctx.Done():
		case <-time.After(f.stall):
		}
		return fmt.Errorf("provider: %w", context.DeadlineExceeded)
	case fault500:
		return errors.New("provider: HTTP 500")
	case faultGarbage:
		return errors.New("provider: invalid character '<' looking for beginning of value")
	}
	return fmt.Errorf("provider: read answer: %w", io.ErrUnexpectedEOF)
}

// execute records a submission the provider carried out. Like a real
// gateway it is idempotent on the reference (the port's contract): a
// second submission of the same reference is the same payment.
func (f *fakeBank) execute(ref string, mode faultMode, failed bool) {
	if failed && mode == fault500 {
		return
	}
	f.mu.Lock()
	f.executed[ref] = 1
	f.mu.Unlock()
}

// callsFor counts the calls of every operation on ref.
func (f *fakeBank) callsFor(ref string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for k, c := range f.calls {
		if strings.HasSuffix(k, " "+ref) {
			n += c
		}
	}
	return n
}

func (f *fakeBank) wasExecuted(ref string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.executed[ref] > 0
}

func (f *fakeBank) InquireAccount(ctx context.Context, bank, account string) (string, error) {
	if f.first("inquire", account) {
		return "", f.fail(ctx, modeOfAccount(account))
	}
	return f.bank.InquireAccount(ctx, bank, account)
}

func (f *fakeBank) Disburse(ctx context.Context, d app.Disbursement) (app.DisbursementResult, error) {
	mode, failed := modeOfAccount(d.Account), f.first("disburse", d.Reference)
	f.execute(d.Reference, mode, failed)
	if failed {
		return app.DisbursementResult{}, f.fail(ctx, mode)
	}
	return f.bank.Disburse(ctx, d)
}

func (f *fakeBank) Status(ctx context.Context, d app.Disbursement) (app.DisbursementResult, error) {
	if f.first("status", d.Reference) {
		return app.DisbursementResult{}, f.fail(ctx, modeOfAccount(d.Account))
	}
	if !f.wasExecuted(d.Reference) {
		return app.DisbursementResult{Status: app.DisbursementUnknown}, nil
	}
	return f.bank.Status(ctx, d)
}

func (f *fakeBank) Pay(ctx context.Context, p app.QRISPayment) (app.DisbursementResult, error) {
	mode, failed := modeOfAmount(p.Amount), f.first("pay", p.Reference)
	f.execute(p.Reference, mode, failed)
	if failed {
		return app.DisbursementResult{}, f.fail(ctx, mode)
	}
	return f.qris.Pay(ctx, p)
}

func (f *fakeBank) qrisStatus(ctx context.Context, p app.QRISPayment) (app.DisbursementResult, error) {
	if f.first("qstatus", p.Reference) {
		return app.DisbursementResult{}, f.fail(ctx, modeOfAmount(p.Amount))
	}
	if !f.wasExecuted(p.Reference) {
		return app.DisbursementResult{Status: app.DisbursementUnknown}, nil
	}
	return f.qris.Status(ctx, p)
}

// qrisPort is fakeBank as the QRIS switch (its Status differs in type).
type qrisPort struct{ *fakeBank }

func (q qrisPort) Status(ctx context.Context, p app.QRISPayment) (app.DisbursementResult, error) {
	return q.qrisStatus(ctx, p)
}

// TestOutboundMoneyFaults: the bank gateway and the QRIS switch time out,
// answer 500, answer garbage and cut the connection on the first call of
// every operation (account inquiry, disbursement or payment, status). The
// API answers within its deadline (WALLET_REQUEST_TIMEOUT, 10 s): 90
// while the account cannot be checked (nothing held; the partner's retry
// with the same X-EXTERNAL-ID then goes through), and "in process" (code 1,
// money held) when the submission's outcome is unknown. The settlement job
// asks the provider and submits only what it never executed: every
// transfer and QRIS payment ends SUCCESS, executed exactly once at the
// provider, and the ledger audit holds.
func TestOutboundMoneyFaults(t *testing.T) {
	t.Parallel()
	const deadline = 10 * time.Second // the default WALLET_REQUEST_TIMEOUT
	db := testdb.SQLite(t)
	ctx := context.Background()
	fake := &fakeBank{stall: time.Minute, calls: map[string]int{}, executed: map[string]int{}}
	// The production wiring in small: a request deadline
	// (WALLET_REQUEST_TIMEOUT) and a shorter bound on each provider call
	// (WALLET_GATEWAY_TIMEOUT, 1 s here); the fake provider never gives up
	// before the request's context does.
	o := apptest.Options{Config: func(c *app.Config) { c.Money.GatewayTimeout, c.Money.SettleAfter = time.Second, 100*time.Millisecond }}
	apptest.WithGateways(func(g app.Gateways) app.Gateways {
		fake.bank, fake.qris = g.Bank, g.QRIS
		g.Bank, g.QRIS = fake, qrisPort{fake}
		return g
	})(&o)
	apptest.WithMiddleware(func(h http.Handler) http.Handler { return httpapi.Deadline(deadline, h) })(&o)
	s := apptest.NewWith(t, db, nil, o)
	a := s.App
	runner := startRunner(t, db, nil, a, nil)
	defer func() { _ = runner.Stop(ctx) }()

	shopID, shopSecret := s.Partner("PARTNER")
	shop, err := a.Partner(ctx, shopID)
	if err != nil {
		t.Fatal(err)
	}
	bank, _ := a.CreatePartner(ctx, app.NewPartner{Name: "Bank", Role: "CHANNEL"})
	const mobile = "081300000601"
	register(t, s, shop, mobile)
	if _, err := a.PayVA(ctx, app.VAPayment{Partner: bank.Partner, VANumber: "39358" + mobile, Amount: 1_000_000, BankReference: "TOPUP"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SubmitKYC(ctx, app.SubmitKYC{Partner: shop, MobileNumber: mobile, NIK: "3273011708900001", FullName: "Budi", BirthDate: "1990-08-17"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DecideKYC(ctx, mobile, true, ""); err != nil {
		t.Fatal(err)
	}
	acq, _ := qris.NewAcquirer(51, qris.QRISGlobalID, "", "ID1020012345678", "UMI")
	qr, err := qris.NewBuilder().Acquirer(acq).MCC("5812").MerchantName("WARUNG BU SRI").MerchantCity("JAKARTA").Encode()
	if err != nil {
		t.Fatal(err)
	}

	post := func(path, body, extID string) apptest.Response {
		t.Helper()
		start := time.Now()
		r := s.Do(apptest.Request{Method: "POST", Path: path, Body: body, PartnerID: shopID, Secret: shopSecret, ExternalID: extID})
		if took := time.Since(start); took > deadline+3*time.Second { // slack for a loaded CI machine
			t.Errorf("%s answered after %v, deadline %v", path, took, deadline)
		}
		return r
	}
	var reffIDs []string
	var spent int64
	for i, fm := range faultModes {
		body := fmt.Sprintf(`{"mobileNumber":%q,"bankCode":"014","bankAccount":"123456781%d","amount":"10000"}`, mobile, i)
		ext := "bt-" + string(fm)
		if r := post("/bank-transfer/", body, ext); r.Status != 503 || r.Env.Code != 90 {
			t.Errorf("%s inquiry: HTTP %d code %d, want 503/90: %s", fm, r.Status, r.Env.Code, r.Raw)
		}
		r := post("/bank-transfer/", body, ext)
		if r.Env.Code != 1 {
			t.Fatalf("%s transfer with the submission failing: HTTP %d %s, want code 1 (in process)", fm, r.Status, r.Raw)
		}
		reffIDs = append(reffIDs, r.Env.ResponseID)
		spent += 12_500

		amount := 20_000 + i
		r = post("/qris-payment/", fmt.Sprintf(`{"mobileNumber":%q,"qrContent":%q,"amount":"%d"}`, mobile, qr, amount), "qr-"+string(fm))
		if r.Env.Code != 1 {
			t.Fatalf("%s QRIS payment: HTTP %d %s, want code 1", fm, r.Status, r.Raw)
		}
		reffIDs = append(reffIDs, r.Env.ResponseID)
		spent += int64(amount)
	}
	requested := time.Now()
	for _, id := range reffIDs {
		waitUntil(t, "settlement of "+id, func() bool {
			tx, err := a.TransactionStatus(ctx, shop, id)
			return err == nil && tx.Status() == transfer.StatusSuccess
		})
		if n := fake.executedCount(id); n != 1 {
			t.Errorf("%s not executed at the provider", id)
		}
		// Submission, status and a resubmission at most, plus the polls
		// of a pending QRIS payment: bounded, no retry storm.
		if n := fake.callsFor(id); n > 8 {
			t.Errorf("%s: %d calls to the provider", id, n)
		}
	}
	t.Logf("all settled %v after the last request", time.Since(requested).Round(time.Millisecond))
	v, err := a.InquireCustomer(ctx, app.InquireCustomer{Partner: shop, MobileNumber: mobile})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := v.Pocket.Available(), 1_000_000-spent; got != want || v.Pocket.Balance() != want {
		t.Errorf("available %d, balance %d, want %d", got, v.Pocket.Balance(), want)
	}
	audit(t, db)
}

func (f *fakeBank) executedCount(ref string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.executed[ref]
}
