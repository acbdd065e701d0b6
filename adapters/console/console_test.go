package console_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dompet/wallet/adapters/console"
	"github.com/dompet/wallet/adapters/memstore"
	"github.com/dompet/wallet/adapters/phone"
	"github.com/dompet/wallet/adapters/system"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/kyc"
	"github.com/dompet/wallet/domain/operator"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/wallet"
)

type plainBox struct{}

func (plainBox) Seal(p []byte) ([]byte, error) { return append([]byte(nil), p...), nil }
func (plainBox) Open(s []byte) ([]byte, error) { return append([]byte(nil), s...), nil }

type plainHasher struct{}

func (plainHasher) Hash(p string) (string, error) { return "plain:" + p, nil }
func (plainHasher) Verify(enc, p string) bool     { return enc == "plain:"+p }

type okAuditor struct{}

func (okAuditor) Audit(context.Context) (app.AuditReport, error) {
	return app.AuditReport{Entries: 1}, nil
}

type env struct {
	t         *testing.T
	store     *memstore.Store
	bo        *app.Backoffice
	srv       *httptest.Server
	passwords map[operator.Role]string
}

const mobile = "6281234567890"

func newEnv(t *testing.T) *env {
	t.Helper()
	st := memstore.New()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := app.DefaultConfig()
	cfg.OTPKey = []byte("k")
	a := app.New(st, system.Clock{}, system.NewULIDs(), phone.NewNormalizer(), plainBox{}, cfg, log, app.Gateways{})
	bo := app.NewBackoffice(a, plainHasher{}, okAuditor{})
	e := &env{t: t, store: st, bo: bo, passwords: map[operator.Role]string{}}
	for _, r := range []operator.Role{operator.RoleReviewer, operator.RoleSupport, operator.RoleAdmin} {
		_, pw, err := bo.CreateOperator(context.Background(), nil, strings.ToLower(string(r))+"@dompet.example", string(r))
		if err != nil {
			t.Fatal(err)
		}
		e.passwords[r] = pw
	}
	// An active customer with a pending KYC submission.
	now := time.Now()
	c, err := customer.Register("cus1", customer.Registration{Mobile: mobile, FirstName: "Budi", LastName: "Santoso"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Activate(now); err != nil {
		t.Fatal(err)
	}
	if err := c.StartKYC(now); err != nil {
		t.Fatal(err)
	}
	nik, _ := kyc.ParseNIK("3273011708900001")
	s, err := kyc.Submit("kyc1", c.ID(), nik, "Budi Santoso", time.Date(1990, 8, 17, 0, 0, 0, 0, time.UTC), now)
	if err != nil {
		t.Fatal(err)
	}
	pocket, _ := wallet.OpenPocket("pkt1", c.ID(), now)
	err = st.Do(context.Background(), func(ctx context.Context, r app.Repos) error {
		if err := r.Customers.Add(ctx, c); err != nil {
			return err
		}
		if err := r.Accounts.Open(ctx, pocket); err != nil {
			return err
		}
		return r.KYC.Add(ctx, s)
	})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(console.New(bo, log).Handler())
	t.Cleanup(e.srv.Close)
	return e
}

// client is a browser: a cookie jar, no redirects followed.
type client struct {
	e    *env
	http *http.Client
	last string // body of the last page
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (c *client) do(method, path string, form url.Values, header ...string) *http.Response {
	c.e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, c.e.srv.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	c.last = string(b)
	return resp
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf reads the token from the last page.
func (c *client) csrf() string {
	c.e.t.Helper()
	m := csrfField.FindStringSubmatch(c.last)
	if m == nil {
		c.e.t.Fatalf("no CSRF token in the page:\n%s", c.last)
	}
	return m[1]
}

func (c *client) login(role operator.Role) {
	c.e.t.Helper()
	c.do("GET", "/console/login", nil)
	resp := c.do("POST", "/console/login", url.Values{"csrf": {c.csrf()}, "email": {strings.ToLower(string(role)) + "@dompet.example"},
		"password": {c.e.passwords[role]}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/kyc" {
		c.e.t.Fatalf("login as %s: %d %s\n%s", role, resp.StatusCode, resp.Header.Get("Location"), c.last)
	}
}

func (e *env) kycStatus() customer.KYCStatus {
	e.t.Helper()
	d, err := e.bo.Customer(context.Background(), operator.Rehydrate(operator.Snapshot{Role: operator.RoleAdmin}), mobile)
	if err != nil {
		e.t.Fatal(err)
	}
	return d.Customer.KYCStatus()
}

func TestPagesNeedASession(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	for _, p := range []string{"/console/", "/console/kyc", "/console/customers", "/console/transactions", "/console/webhooks",
		"/console/partners", "/console/reconcile", "/console/audit"} {
		if resp := c.do("GET", p, nil); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/login" {
			t.Errorf("GET %s without a session: %d %s", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if resp := c.do("POST", "/console/kyc/decide", url.Values{"mobile": {mobile}, "decision": {"approve"}}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("POST without a session: %d", resp.StatusCode)
	}
	if e.kycStatus() != customer.KYCPending {
		t.Fatal("a request without a session changed the KYC")
	}
}

func TestSessionCookieFlags(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tls := range []bool{false, true} {
		c := e.client()
		var h []string
		if tls {
			h = []string{"X-Forwarded-Proto", "https"}
		}
		c.do("GET", "/console/login", nil, h...)
		resp := c.do("POST", "/console/login", url.Values{"csrf": {c.csrf()}, "email": {"reviewer@dompet.example"},
			"password": {e.passwords[operator.RoleReviewer]}}, h...)
		var found bool
		for _, ck := range resp.Cookies() {
			if ck.Name != "console_session" {
				continue
			}
			found = true
			if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Secure != tls || ck.Path != "/console/" {
				t.Errorf("tls=%v: session cookie %+v", tls, ck)
			}
		}
		if !found {
			t.Fatalf("tls=%v: no session cookie (%d)", tls, resp.StatusCode)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("CSP %q", csp)
		}
	}
}

func TestLoginNeedsItsCSRFTokenAndIsRateLimited(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.do("GET", "/console/login", nil)
	if resp := c.do("POST", "/console/login", url.Values{"email": {"reviewer@dompet.example"}, "password": {e.passwords[operator.RoleReviewer]}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("login without CSRF token: %d", resp.StatusCode)
	}
	for i := range 6 {
		resp := c.do("POST", "/console/login", url.Values{"csrf": {c.csrf()}, "email": {"reviewer@dompet.example"}, "password": {"guess"}})
		want := http.StatusUnauthorized
		if i == 5 {
			want = http.StatusForbidden
		}
		if resp.StatusCode != want {
			t.Fatalf("attempt %d: %d, want %d", i+1, resp.StatusCode, want)
		}
	}
	if !strings.Contains(c.last, "too many failed sign-ins") {
		t.Fatalf("rate-limited page: %s", c.last)
	}
}

func TestKYCDecisionThroughTheConsole(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	sup := e.client()
	sup.login(operator.RoleSupport)
	sup.do("GET", "/console/kyc", nil)
	if !strings.Contains(sup.last, "************0001") || strings.Contains(sup.last, "3273011708900001") {
		t.Fatalf("SUPPORT's queue shows the NIK unmasked or not at all:\n%s", sup.last)
	}
	token := sup.csrf()
	if resp := sup.do("POST", "/console/kyc/decide", url.Values{"mobile": {mobile}, "decision": {"approve"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("approve without CSRF token: %d", resp.StatusCode)
	}
	if resp := sup.do("POST", "/console/kyc/decide", url.Values{"csrf": {token}, "mobile": {mobile}, "decision": {"approve"}},
		"Origin", "https://evil.example"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("approve from another origin: %d", resp.StatusCode)
	}
	resp := sup.do("POST", "/console/kyc/decide", url.Values{"csrf": {token}, "mobile": {mobile}, "decision": {"approve"}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(sup.last, "your role may not do this") {
		t.Fatalf("SUPPORT approve: %d\n%s", resp.StatusCode, sup.last)
	}
	if e.kycStatus() != customer.KYCPending {
		t.Fatal("SUPPORT's refused approve changed the KYC")
	}

	rev := e.client()
	rev.login(operator.RoleReviewer)
	rev.do("GET", "/console/kyc", nil)
	if !strings.Contains(rev.last, "3273011708900001") {
		t.Fatalf("REVIEWER's queue does not show the full NIK:\n%s", rev.last)
	}
	// A REVIEWER may not block.
	rev.do("GET", "/console/customers?mobile=081234567890", nil)
	if strings.Contains(rev.last, `id="block"`) {
		t.Error("REVIEWER is shown the block button")
	}
	if resp := rev.do("POST", "/console/customers/block", url.Values{"csrf": {rev.csrf()}, "mobile": {mobile}, "action": {"block"}, "reason": {"x"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("REVIEWER block: %d", resp.StatusCode)
	}
	resp = rev.do("POST", "/console/kyc/decide", url.Values{"csrf": {rev.csrf()}, "mobile": {mobile}, "decision": {"approve"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("REVIEWER approve: %d\n%s", resp.StatusCode, rev.last)
	}
	if e.kycStatus() != customer.KYCVerified {
		t.Fatal("REVIEWER's approve did not verify the customer")
	}
	rev.do("GET", "/console/kyc", nil)
	if !strings.Contains(rev.last, "KYC of 6281234567890: VERIFIED (PREMIUM).") || !strings.Contains(rev.last, "No pending submissions.") {
		t.Fatalf("queue after approve:\n%s", rev.last)
	}

	// The audit log holds both, for the ADMIN.
	adm := e.client()
	adm.login(operator.RoleAdmin)
	adm.do("GET", "/console/audit", nil)
	for _, want := range []string{"kyc.decide", "DENIED", "kyc.approve", "support@dompet.example", "reviewer@dompet.example"} {
		if !strings.Contains(adm.last, want) {
			t.Errorf("audit page lacks %q", want)
		}
	}
	if resp := sup.do("GET", "/console/audit", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("SUPPORT audit page: %d", resp.StatusCode)
	}

	// Sign-out ends the session on the server, not only in the browser.
	cookies := rev.http.Jar.Cookies(mustURL(e.srv.URL + "/console/"))
	rev.do("GET", "/console/kyc", nil)
	if resp := rev.do("POST", "/console/logout", url.Values{"csrf": {rev.csrf()}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	replay := e.client()
	replay.http.Jar.SetCookies(mustURL(e.srv.URL+"/console/"), cookies)
	if resp := replay.do("GET", "/console/kyc", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("old session cookie after logout: %d", resp.StatusCode)
	}
}

func TestSupportBlocksAndUnblocks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	sup := e.client()
	sup.login(operator.RoleSupport)
	sup.do("GET", "/console/customers?mobile=081234567890", nil)
	if !strings.Contains(sup.last, "Budi Santoso") || !strings.Contains(sup.last, "Rp20.000.000") {
		t.Fatalf("customer page:\n%s", sup.last)
	}
	if resp := sup.do("POST", "/console/customers/block", url.Values{"csrf": {sup.csrf()}, "mobile": {mobile}, "action": {"block"}, "reason": {""}}); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("block without reason: %d", resp.StatusCode)
	}
	resp := sup.do("POST", "/console/customers/block", url.Values{"csrf": {sup.csrf()}, "mobile": {mobile}, "action": {"block"}, "reason": {"stolen phone"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("block: %d\n%s", resp.StatusCode, sup.last)
	}
	sup.do("GET", resp.Header.Get("Location"), nil)
	if !strings.Contains(sup.last, `id="status" class="status-BLOCKED">BLOCKED`) || !strings.Contains(sup.last, "Unblock") {
		t.Fatalf("after block:\n%s", sup.last)
	}
	sup.do("GET", "/console/customers?mobile=0899", nil)
	if !strings.Contains(sup.last, `id="error"`) {
		t.Fatalf("bad mobile shows no error:\n%s", sup.last)
	}
}

func TestEveryPageRenders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	adm := e.client()
	adm.login(operator.RoleAdmin)
	for _, p := range []string{"/console/kyc", "/console/customers", "/console/transactions?status=SUCCESS&from=2026-01-01&to=2026-12-31",
		"/console/webhooks", "/console/partners", "/console/reconcile", "/console/audit", "/console/static/htmx.min.js", "/console/static/console.css"} {
		if resp := adm.do("GET", p, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d\n%s", p, resp.StatusCode, adm.last)
		}
	}
	if resp := adm.do("GET", "/console/transactions?from=yesterday", nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad date: %d", resp.StatusCode)
	}
	adm.do("GET", "/console/reconcile", nil)
	if resp := adm.do("POST", "/console/reconcile", url.Values{"csrf": {adm.csrf()}}); resp.StatusCode != http.StatusOK || !strings.Contains(adm.last, "OK: the ledger balances.") {
		t.Errorf("reconcile: %d\n%s", resp.StatusCode, adm.last)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func TestOnlyAnAdminDisablesAPartner(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	err := e.store.Do(ctx, func(ctx context.Context, r app.Repos) error {
		p, err := partner.New("ptn1", "Toko Maju", partner.RolePartner, []byte("sealed"), time.Now())
		if err != nil {
			return err
		}
		return r.Partners.Add(ctx, p)
	})
	if err != nil {
		t.Fatal(err)
	}
	sup := e.client()
	sup.login(operator.RoleSupport)
	sup.do("GET", "/console/partners", nil)
	if strings.Contains(sup.last, "/console/partners/disable") {
		t.Error("SUPPORT is shown the disable button")
	}
	if resp := sup.do("POST", "/console/partners/disable", url.Values{"csrf": {sup.csrf()}, "partner": {"ptn1"}, "reason": {"x"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("SUPPORT disable: %d", resp.StatusCode)
	}
	adm := e.client()
	adm.login(operator.RoleAdmin)
	adm.do("GET", "/console/partners", nil)
	if resp := adm.do("POST", "/console/partners/disable", url.Values{"csrf": {adm.csrf()}, "partner": {"ptn1"}, "reason": {"leaked secret"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("ADMIN disable: %d\n%s", resp.StatusCode, adm.last)
	}
	adm.do("GET", "/console/partners", nil)
	if !strings.Contains(adm.last, "Toko Maju is disabled") || !strings.Contains(adm.last, ">disabled</span>") {
		t.Fatalf("partners page after disable:\n%s", adm.last)
	}
}

func TestAdminCreatesAnOperator(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rev := e.client()
	rev.login(operator.RoleReviewer)
	if resp := rev.do("GET", "/console/operators", nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("REVIEWER operators page: %d", resp.StatusCode)
	}
	if resp := rev.do("POST", "/console/operators", url.Values{"csrf": {rev.csrf()}, "email": {"x@dompet.example"}, "role": {"ADMIN"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("REVIEWER creates an operator: %d", resp.StatusCode)
	}
	adm := e.client()
	adm.login(operator.RoleAdmin)
	adm.do("GET", "/console/operators", nil)
	if resp := adm.do("POST", "/console/operators", url.Values{"csrf": {adm.csrf()}, "email": {"dewi@dompet.example"}, "role": {"SUPPORT"}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("ADMIN creates an operator: %d\n%s", resp.StatusCode, adm.last)
	}
	m := regexp.MustCompile(`id="new-password">([^<]+)<`).FindStringSubmatch(adm.last)
	if m == nil {
		t.Fatalf("no password shown:\n%s", adm.last)
	}
	if _, _, err := e.bo.Login(context.Background(), "dewi@dompet.example", m[1], "10.0.0.9"); err != nil {
		t.Fatalf("the shown password does not sign in: %v", err)
	}
}

func TestReplayDeadWebhooks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	err := e.store.Do(ctx, func(ctx context.Context, r app.Repos) error {
		for _, ev := range []app.Event{
			{ID: "ev1", PartnerID: "ptn1", CustomerID: "cus1", ReffID: "trx1", Type: app.EventTransactionUpdated, Payload: []byte("{}"), Status: app.EventDead, Attempts: 36, CreatedAt: time.Now()},
			{ID: "ev2", PartnerID: "ptn1", CustomerID: "cus1", ReffID: "trx2", Type: app.EventTransactionUpdated, Payload: []byte("{}"), Status: app.EventDelivered, CreatedAt: time.Now()},
		} {
			if err := r.Events.Add(ctx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rev := e.client()
	rev.login(operator.RoleReviewer)
	rev.do("GET", "/console/webhooks?partner=ptn1&status=DEAD", nil)
	if !strings.Contains(rev.last, `data-event="ev1"`) || strings.Contains(rev.last, `data-event="ev2"`) || strings.Contains(rev.last, "replay-dead") {
		t.Fatalf("REVIEWER's DEAD filter:\n%s", rev.last)
	}
	if resp := rev.do("POST", "/console/webhooks/replay-dead", url.Values{"csrf": {rev.csrf()}, "partner": {"ptn1"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("REVIEWER replay: %d", resp.StatusCode)
	}
	sup := e.client()
	sup.login(operator.RoleSupport)
	sup.do("GET", "/console/webhooks?partner=ptn1", nil)
	resp := sup.do("POST", "/console/webhooks/replay-dead", url.Values{"csrf": {sup.csrf()}, "partner": {"ptn1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("SUPPORT replay: %d\n%s", resp.StatusCode, sup.last)
	}
	sup.do("GET", resp.Header.Get("Location"), nil)
	if !strings.Contains(sup.last, "1 dead event(s) queued") {
		t.Fatalf("after replay:\n%s", sup.last)
	}
	var queued []string
	for _, j := range e.store.Jobs() {
		if j.Kind == memstore.JobDeliver {
			queued = append(queued, j.EventID)
		}
	}
	if len(queued) != 1 || queued[0] != "ev1" {
		t.Fatalf("delivery jobs %v, want [ev1]", queued)
	}
}
