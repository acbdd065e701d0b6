package faulttest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dompet/wallet/internal/logcheck"
	"github.com/dompet/wallet/internal/pgcluster"
	"github.com/dompet/wallet/internal/walletproc"
)

// Deadlines the issue states. The slack on top is for a loaded 2-core CI
// machine running the race detector elsewhere; the server itself answers
// an outage in milliseconds (a refused connection).
const (
	outageAnswer  = 2 * time.Second // every request during the outage answers 90 within this
	recoverWithin = 5 * time.Second // requests succeed again within this once the database is back
	slack         = 3 * time.Second
)

// TestDatabaseOutage stops the server's own PostgreSQL under a running
// `wallet serve`: every door answers "retry" quickly (REST code 90 / HTTP
// 503, GraphQL legacyCode 90, SNAP 500xx00 General Error), /readyz is 503
// and /healthz 200; once the database is back requests succeed without a
// restart, the jobs resume (a transfer held before the outage settles, its
// webhook arrives, a new OTP is delivered), and the ledger reconciles.
func TestDatabaseOutage(t *testing.T) {
	t.Parallel()
	pg := pgcluster.New(t)
	hooks := newHookSink()
	receiver := httptest.NewServer(hooks)
	defer receiver.Close()
	env := walletproc.Env(pg.URL(""), t.TempDir(), "WALLET_SIM_DELAY=1s")
	shop := walletproc.CreatePartner(t, env, "Shop", "")
	walletproc.CLI(t, env, "partner", "update", "--id", shop.PartnerID, "--callback-url", receiver.URL+"/events")
	bank := walletproc.CreatePartner(t, env, "Bank", "CHANNEL")
	snapKey := snapPartner(t, env)
	s := walletproc.Start(t, env)
	c := &client{t: t, base: s.URL}
	if status, code := c.snapToken(snapKey); status != http.StatusOK {
		t.Fatalf("SNAP token before the outage: HTTP %d %s", status, code)
	}

	token := c.enrol(s, shop, bank, "081234500001", 500_000)
	c.mustCode(shop, "POST", "/kyc/", `{"mobileNumber":"081234500001","nik":"3273011708900001","fullName":"Budi","birthDate":"1990-08-17"}`, 0)
	c.waitVerified(shop, "081234500001")
	// A transfer the gateway keeps pending (…9999) past the outage: the
	// settlement job must finish it after the database is back.
	held := c.mustCode(shop, "POST", "/bank-transfer/", `{"mobileNumber":"081234500001","bankCode":"014","bankAccount":"1234569999","amount":"100000"}`, 1)
	reffID := held.Env["responseId"].(string)

	pg.Stop(t)
	down := time.Now()
	payment := `{"mobileNumber":"081234500001","amount":"25000","orderId":"OUT-1"}`
	checks := []struct {
		name string
		do   func() (status, code int, body string)
	}{
		{"payment", func() (int, int, string) {
			a := shop.Call(c.http(), c.base, "POST", "/wallet-payment/", payment, "pay-during-outage")
			return a.Status, a.Code(), string(a.Body)
		}},
		{"inquiry", func() (int, int, string) {
			a := shop.Call(c.http(), c.base, "GET", "/customer-account-inquiry/?mobileNumber=081234500001", "", "")
			return a.Status, a.Code(), string(a.Body)
		}},
		{"register", func() (int, int, string) {
			a := shop.Call(c.http(), c.base, "POST", "/register-customer/", `{"mobileNumber":"081234500002","firstName":"Siti"}`, "reg-during-outage")
			return a.Status, a.Code(), string(a.Body)
		}},
		{"graphql me", func() (int, int, string) {
			return c.graphql(shop.PartnerID, token, `{"query":"{ me { balance { availableBalance } } }"}`)
		}},
	}
	// SNAP's catalogue has no 503: a dependency outage is 500xx00
	// "General Error" (the retryable one), never 500xx01 Internal.
	start := time.Now()
	if status, code := c.snapToken(snapKey); status != http.StatusInternalServerError || code != "5007300" {
		t.Errorf("SNAP token with the database down: HTTP %d %s, want 500 / 5007300 General Error", status, code)
	}
	if took := time.Since(start); took > outageAnswer+slack {
		t.Errorf("SNAP token with the database down took %v", took)
	}
	for _, chk := range checks {
		start := time.Now()
		status, code, body := chk.do()
		took := time.Since(start)
		if status != http.StatusServiceUnavailable || code != 90 {
			t.Errorf("%s with the database down: HTTP %d code %d, want 503 / 90: %s", chk.name, status, code, body)
		}
		if took > outageAnswer+slack {
			t.Errorf("%s with the database down took %v, want < %v", chk.name, took, outageAnswer)
		}
	}
	if code := c.status("/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the database down: %d, want 503", code)
	}
	if code := c.status("/healthz"); code != http.StatusOK {
		t.Errorf("/healthz with the database down: %d, want 200", code)
	}
	// Stay down past the transfer's settlement time, so the job's first
	// look (and River's own polling) meets the outage.
	time.Sleep(time.Until(down.Add(1500 * time.Millisecond)))

	pg.Start(t)
	back := time.Now()
	var a walletproc.Answer
	for {
		a = shop.Call(c.http(), c.base, "POST", "/wallet-payment/", payment, "pay-during-outage")
		if a.Code() != 90 || time.Since(back) > recoverWithin+slack {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if a.Code() != 0 {
		t.Fatalf("payment retried after the database came back (%v): HTTP %d %s\n%s", time.Since(back), a.Status, a.Body, s.Logs().String())
	}
	t.Logf("requests succeed %v after the database is back", time.Since(back).Round(10*time.Millisecond))
	if code := c.status("/readyz"); code != http.StatusOK {
		t.Errorf("/readyz after the outage: %d, want 200", code)
	}
	// The jobs resume: the held transfer settles and its webhook arrives;
	// a new registration's OTP is delivered.
	c.waitStatus(shop, reffID, "SUCCESS", 20*time.Second)
	hooks.wait(t, reffID, "SUCCESS", 20*time.Second)
	c.mustCode(shop, "POST", "/register-customer/", `{"mobileNumber":"081234500002","firstName":"Siti"}`, 0)
	walletproc.WaitOTP(t, "6281234500002", s)

	// Nothing half-applied: 500000 − (100000 + 2500 fee) − 25000, paid once.
	if got := c.balance(shop, "081234500001"); got != "372500" {
		t.Errorf("balance %s, want 372500", got)
	}
	walletproc.CLI(t, env, "reconcile")
	// River's producers fail every poll while the database is down; the
	// log says so once per 10 s, not 25 times a second.
	if n := strings.Count(s.Logs().String(), "Error fetching jobs"); n > 4 {
		t.Errorf("%d lines of failed job fetches during a short outage", n)
	}
	if strings.Contains(s.Logs().String(), "panic") {
		t.Errorf("the server panicked:\n%s", s.Logs().String())
	}
}

// client is the test's view of one server.
type client struct {
	t    *testing.T
	base string
	n    int
	mu   sync.Mutex
}

// http is the client for every call: its timeout turns a hang into a
// failure instead of a stuck test.
func (c *client) http() *http.Client { return &http.Client{Timeout: 30 * time.Second} }

func (c *client) extID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return fmt.Sprintf("ft-%d-%d", time.Now().UnixNano(), c.n)
}

// mustCode sends a request with a fresh X-EXTERNAL-ID and fails unless it
// answers code.
func (c *client) mustCode(p walletproc.Partner, method, path, body string, code int) walletproc.Answer {
	c.t.Helper()
	ext := ""
	if method == "POST" {
		ext = c.extID()
	}
	a := p.Call(c.http(), c.base, method, path, body, ext)
	if a.Code() != code {
		c.t.Fatalf("%s %s: HTTP %d %v %s, want code %d", method, path, a.Status, a.Err, a.Body, code)
	}
	return a
}

func (c *client) status(path string) int {
	c.t.Helper()
	resp, err := c.http().Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// graphql posts a document with the customer's token; it returns the HTTP
// status (503 when the first error is code 90) and the first error's
// legacyCode (0 without errors).
func (c *client) graphql(partnerID, token, doc string) (int, int, string) {
	req, _ := http.NewRequest("POST", c.base+"/graphql", strings.NewReader(doc))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-PARTNER-ID", partnerID)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.http().Do(req)
	if err != nil {
		return 0, -1, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var out struct {
		Errors []struct {
			Extensions struct {
				LegacyCode int `json:"legacyCode"`
			} `json:"extensions"`
		} `json:"errors"`
	}
	_ = json.Unmarshal(body, &out)
	code := 0
	if len(out.Errors) > 0 {
		code = out.Errors[0].Extensions.LegacyCode
	}
	return resp.StatusCode, code, string(body)
}

// enrol registers and activates a customer of p, tops it up through the
// bank channel and returns its access token.
func (c *client) enrol(s *walletproc.Server, p, bank walletproc.Partner, mobile string, amount int) string {
	c.t.Helper()
	c.mustCode(p, "POST", "/register-customer/", `{"mobileNumber":"`+mobile+`","firstName":"Budi"}`, 0)
	otp := walletproc.WaitOTP(c.t, "62"+mobile[1:], s)
	a := c.mustCode(p, "POST", "/validate-otp/", `{"mobileNumber":"`+mobile+`","otp":"`+otp+`"}`, 0)
	token, _ := a.Env["data"].(map[string]any)["accessToken"].(string)
	logcheck.Secret("access token", token)
	if amount > 0 {
		c.mustCode(bank, "POST", "/topup/va/payment/", fmt.Sprintf(`{"vaNumber":"39358%s","amount":"%d","bankReference":"%s"}`, mobile, amount, c.extID()), 0)
	}
	return token
}

func (c *client) waitVerified(p walletproc.Partner, mobile string) {
	c.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for c.mustCode(p, "GET", "/customer-account-inquiry/?mobileNumber="+mobile, "", 0).Env["data"].(map[string]any)["kycStatus"] != "VERIFIED" {
		if time.Now().After(deadline) {
			c.t.Fatal("KYC not approved by the simulator")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (c *client) waitStatus(p walletproc.Partner, reffID, want string, timeout time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		a := p.Call(c.http(), c.base, "GET", "/transaction-status/?reffId="+reffID, "", "")
		if d, ok := a.Env["data"].(map[string]any); ok && d["status"] == want {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("transaction %s not %s after %v: %s", reffID, want, timeout, a.Body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (c *client) balance(p walletproc.Partner, mobile string) string {
	c.t.Helper()
	a := c.mustCode(p, "GET", "/customer-account-inquiry/?mobileNumber="+mobile, "", 0)
	return a.Env["data"].(map[string]any)["balance"].(map[string]any)["availableBalance"].(string)
}

// hookSink is a partner's webhook endpoint that acknowledges every event
// and remembers the statuses it saw per reffId.
type hookSink struct {
	mu   sync.Mutex
	seen map[string][]string // reffId → statuses in arrival order
	hits int
}

func newHookSink() *hookSink { return &hookSink{seen: map[string][]string{}} }

func (h *hookSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var ev struct{ ReffID, Status string }
	body, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(body, &ev)
	h.mu.Lock()
	h.hits++
	h.seen[ev.ReffID] = append(h.seen[ev.ReffID], ev.Status)
	h.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (h *hookSink) wait(t *testing.T, reffID, status string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		h.mu.Lock()
		got := append([]string(nil), h.seen[reffID]...)
		h.mu.Unlock()
		for _, s := range got {
			if s == status {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s webhook for %s after %v (got %v)", status, reffID, timeout, got)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// snapKey is a SNAP partner and its private key.
type snapKey struct {
	id  string
	key *rsa.PrivateKey
}

// snapPartner creates a partner with a SNAP public key.
func snapPartner(t *testing.T, env []string) snapKey {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	file := filepath.Join(t.TempDir(), "snap.pub.pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o600); err != nil {
		t.Fatal(err)
	}
	var p walletproc.Partner
	if err := json.Unmarshal(walletproc.CLI(t, env, "partner", "create", "--name", "Snap", "--snap-public-key", file), &p); err != nil {
		t.Fatal(err)
	}
	return snapKey{id: p.PartnerID, key: key}
}

// snapToken asks for a B2B token (SNAP service 73) and returns the HTTP
// status and the responseCode.
func (c *client) snapToken(k snapKey) (int, string) {
	c.t.Helper()
	ts := time.Now().Format(time.RFC3339)
	sum := sha256.Sum256([]byte(k.id + "|" + ts))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k.key, crypto.SHA256, sum[:])
	if err != nil {
		c.t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", c.base+"/snap/v1.0/access-token/b2b", strings.NewReader(`{"grantType":"client_credentials"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-TIMESTAMP", ts)
	req.Header.Set("X-CLIENT-KEY", k.id)
	req.Header.Set("X-SIGNATURE", base64.StdEncoding.EncodeToString(sig))
	resp, err := c.http().Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	logcheck.JSON(body)
	var out struct{ ResponseCode string }
	_ = json.Unmarshal(body, &out)
	return resp.StatusCode, out.ResponseCode
}
