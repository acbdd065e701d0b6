package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dompet/wallet/domain/partner"
)

// chromium finds the browser. Without one the test skips, unless CI is
// set: CI must run it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("CI is set but no chromium is installed (apt-get install chromium)")
	}
	t.Skip("no chromium installed; set CI to make this a failure")
	return ""
}

// receiver is a partner's webhook endpoint: it counts deliveries per
// event id.
type receiver struct {
	mu     sync.Mutex
	events map[string]int    // X-EVENT-ID → deliveries
	reffs  map[string]string // X-EVENT-ID → reffId
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body struct {
		ReffID string `json:"reffId"`
	}
	_ = json.NewDecoder(r.Body).Decode(&body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	id := r.Header.Get("X-EVENT-ID")
	rc.events[id]++
	rc.reffs[id] = body.ReffID
	w.WriteHeader(http.StatusNoContent)
}

// eventOf returns an event delivered for reffID and how many times it
// arrived.
func (rc *receiver) eventOf(reffID string) (string, int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for id, reff := range rc.reffs {
		if reff == reffID {
			return id, rc.events[id]
		}
	}
	return "", 0
}

func (rc *receiver) count(id string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.events[id]
}

// TestConsoleInABrowser drives the back-office console in headless
// Chromium against a real server (issue 13): a SUPPORT operator's approve
// is refused, a REVIEWER's approve lets the customer transfer to a bank, an
// ADMIN replays a webhook that reaches the partner's endpoint. With
// CONSOLE_SCREENSHOTS=dir it saves a PNG of every page there (docs/console).
func TestConsoleInABrowser(t *testing.T) {
	t.Parallel()
	browser := chromium(t)
	dir := t.TempDir()
	addr := freeAddr(t)
	base := "http://" + addr
	environ := []string{"WALLET_DATA_DIR=" + dir, "WALLET_HTTP_ADDR=" + addr, "WALLET_JOB_POLL_INTERVAL=50ms", "WALLET_SIM_DELAY=300ms"}
	rc := &receiver{events: map[string]int{}, reffs: map[string]string{}}
	hook := httptest.NewServer(rc)
	defer hook.Close()

	cli := func(out any, args ...string) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), args, environ, nil, &stdout, &stderr); err != nil {
			t.Fatalf("wallet %v: %v\n%s", args, err, stderr.String())
		}
		if out != nil {
			if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
				t.Fatalf("wallet %v printed %q", args, stdout.String())
			}
		}
	}
	var shop, bank creds
	cli(&shop, "partner", "create", "--name", "Toko Online", "--callback-url", hook.URL+"/wallet/events")
	cli(&bank, "partner", "create", "--name", "Bank BCA", "--role", "CHANNEL")
	type op struct{ Email, Password string }
	var support, reviewer, admin op
	cli(&support, "operator", "create", "--email", "sari@dompet.example", "--role", "SUPPORT")
	cli(&reviewer, "operator", "create", "--email", "rudi@dompet.example", "--role", "REVIEWER")
	cli(&admin, "operator", "create", "--email", "ana@dompet.example", "--role", "ADMIN")

	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, environ, nil, io.Discard, logs) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	waitReady(t, base, done, logs)

	n := 0
	call := func(who creds, method, path, body string) map[string]any {
		t.Helper()
		n++
		ts := time.Now().Format(time.RFC3339)
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("X-PARTNER-ID", who.PartnerID)
		req.Header.Set("X-TIMESTAMP", ts)
		req.Header.Set("X-SIGNATURE", partner.Sign([]byte(who.Secret), method, path, []byte(body), ts))
		req.Header.Set("X-EXTERNAL-ID", fmt.Sprintf("console-%d", n))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var env map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
			t.Fatal(err)
		}
		return env
	}
	// A verified-phone customer with money and a KYC submission the e-KYC
	// provider cannot answer (NIK …8888): it waits for an operator.
	call(shop, "POST", "/register-customer/", `{"mobileNumber":"081234500001","firstName":"Budi","lastName":"Santoso"}`)
	code := waitOTP(t, logs, "6281234500001")
	if env := call(shop, "POST", "/validate-otp/", `{"mobileNumber":"081234500001","otp":"`+code+`"}`); env["code"] != float64(0) {
		t.Fatalf("validate: %v", env)
	}
	if env := call(bank, "POST", "/topup/va/payment/", `{"vaNumber":"39358081234500001","amount":"500000","bankReference":"R1"}`); env["code"] != float64(0) {
		t.Fatalf("top-up: %v", env)
	}
	if env := call(shop, "POST", "/kyc/", `{"mobileNumber":"081234500001","nik":"3273011708908888","fullName":"Budi Santoso","birthDate":"1990-08-17"}`); env["code"] != float64(0) {
		t.Fatalf("kyc: %v", env)
	}
	transfer := `{"mobileNumber":"081234500001","bankCode":"014","bankAccount":"1234567890","amount":"50000"}`
	if env := call(shop, "POST", "/bank-transfer/", transfer); env["code"] == float64(0) {
		t.Fatalf("an unverified customer transferred to a bank: %v", env)
	}

	// One browser, fresh profile, the flags of issue 13.
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(browser), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun, chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 860))
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	// The first Run starts the browser; it must not carry the timeout.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start %s: %v", browser, err)
	}
	// A safety net against a hung browser, not a timed assertion: generous,
	// because a loaded CI machine makes each page take seconds.
	bctx, cancelTimeout := context.WithTimeout(bctx, 5*time.Minute)
	defer cancelTimeout()
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, steps...); err != nil {
			t.Fatalf("browser, %s: %v\n%s", what, err, logs.String())
		}
	}
	text := func(sel chromedp.CSS) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("browser, text of %s: %v", sel, err)
		}
		return s
	}
	shots := os.Getenv("CONSOLE_SCREENSHOTS")
	shot := func(name string) {
		t.Helper()
		if shots == "" {
			return
		}
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	login := func(o op) {
		t.Helper()
		do("sign in as "+o.Email,
			chromedp.Navigate(base+"/console/"),
			chromedp.WaitVisible(chromedp.ID("email")),
			chromedp.SendKeys(chromedp.ID("email"), o.Email),
			chromedp.SendKeys(chromedp.ID("password"), o.Password),
			chromedp.Click(chromedp.ID("signin")),
			chromedp.WaitVisible(chromedp.ID("operator")))
	}
	logout := func() {
		t.Helper()
		do("sign out", chromedp.Click(chromedp.CSS("header form.who button")), chromedp.WaitVisible(chromedp.ID("email")))
	}
	approve := `tr[data-mobile="6281234500001"] button.approve`
	kycStatus := func() any {
		return call(shop, "GET", "/customer-account-inquiry/?mobileNumber=081234500001", "")["data"].(map[string]any)["kycStatus"]
	}

	// SUPPORT sees the queue, NIK masked, and is refused by the app.
	do("login page", chromedp.Navigate(base+"/console/login"), chromedp.WaitVisible(chromedp.ID("email")))
	shot("login")
	login(support)
	do("SUPPORT's queue", chromedp.WaitVisible(chromedp.CSS(approve)))
	nik := text(`tr[data-mobile="6281234500001"] td.nik`)
	do("SUPPORT approves", chromedp.Click(chromedp.CSS(approve)), chromedp.WaitVisible(chromedp.ID("error")))
	refusal := text("#error")
	if nik != "************8888" || !strings.Contains(refusal, "your role may not do this") {
		t.Fatalf("SUPPORT saw NIK %q and refusal %q", nik, refusal)
	}
	if s := kycStatus(); s != "PENDING" {
		t.Fatalf("after SUPPORT's approve the KYC is %v", s)
	}
	logout()

	// The REVIEWER approves; the customer may now transfer to a bank.
	login(reviewer)
	do("REVIEWER's queue", chromedp.WaitVisible(chromedp.CSS(approve)))
	nik = text(`tr[data-mobile="6281234500001"] td.nik`)
	if nik != "3273011708908888" {
		t.Fatalf("REVIEWER saw NIK %q", nik)
	}
	shot("kyc")
	do("REVIEWER approves", chromedp.Click(chromedp.CSS(approve)), chromedp.WaitVisible(chromedp.ID("flash")))
	flash := text("#flash")
	if !strings.Contains(flash, "VERIFIED") || kycStatus() != "VERIFIED" {
		t.Fatalf("after approve: flash %q, KYC %v", flash, kycStatus())
	}
	env := call(shop, "POST", "/bank-transfer/", transfer)
	if env["code"] != float64(0) {
		t.Fatalf("transfer after approval: %v", env)
	}
	reffID := env["responseId"].(string)
	logout()

	// The partner got the transfer's event; the ADMIN replays it from the
	// webhooks page and it arrives again.
	deadline := time.Now().Add(time.Minute)
	eventID, got := rc.eventOf(reffID)
	for got == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the transfer's webhook never arrived")
		}
		time.Sleep(50 * time.Millisecond)
		eventID, got = rc.eventOf(reffID)
	}
	login(admin)
	do("customer page", chromedp.Navigate(base+"/console/customers?mobile=081234500001"), chromedp.WaitVisible(chromedp.ID("customer")))
	shot("customers")
	do("transactions page", chromedp.Navigate(base+"/console/transactions?partner="+shop.PartnerID), chromedp.WaitVisible(chromedp.ID("transactions")))
	shot("transactions")
	do("partners page", chromedp.Navigate(base+"/console/partners"), chromedp.WaitVisible(chromedp.ID("partners")))
	shot("partners")
	row := `tr[data-event="` + eventID + `"] button.replay`
	do("webhooks page", chromedp.Navigate(base+"/console/webhooks?partner="+shop.PartnerID), chromedp.WaitVisible(chromedp.CSS(row)))
	shot("webhooks")
	do("replay", chromedp.Click(chromedp.CSS(row)), chromedp.WaitVisible(chromedp.ID("flash")))
	deadline = time.Now().Add(time.Minute)
	for rc.count(eventID) < got+1 {
		if time.Now().After(deadline) {
			t.Fatalf("the replayed event %s did not reach the receiver", eventID)
		}
		time.Sleep(50 * time.Millisecond)
	}
	do("reconcile", chromedp.Navigate(base+"/console/reconcile"), chromedp.WaitVisible(chromedp.ID("run-reconcile")),
		chromedp.Click(chromedp.ID("run-reconcile")), chromedp.WaitVisible(chromedp.ID("reconcile-result")))
	result := text("#reconcile-result")
	if !strings.Contains(result, "OK") {
		t.Fatalf("reconcile: %s", result)
	}
	shot("reconcile")
	do("audit page", chromedp.Navigate(base+"/console/audit"), chromedp.WaitVisible(chromedp.ID("audit")))
	audit := text("#audit")
	for _, want := range []string{"kyc.decide", "kyc.approve", "webhook.replay", "rudi@dompet.example", "sari@dompet.example"} {
		if !strings.Contains(audit, want) {
			t.Errorf("the audit log lacks %q:\n%s", want, audit)
		}
	}
	shot("audit")
	do("operators page", chromedp.Navigate(base+"/console/operators"), chromedp.WaitVisible(chromedp.ID("operators")))
	shot("operators")
}
