package faulttest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dompet/wallet/internal/logcheck"
	"github.com/dompet/wallet/internal/walletproc"
)

// crashWorld is one store with a running server, a shop (PARTNER), a bank
// (CHANNEL that tops customers up by VA) and KYC-verified customers.
type crashWorld struct {
	env       []string
	dataDir   string
	srv       *walletproc.Server
	shop      walletproc.Partner
	bank      walletproc.Partner
	customers []string // mobile numbers as dialled (08…)
	client    *http.Client
	seq       atomic.Int64
	prefix    string
}

// crashInitial is every customer's balance after enrolment.
const crashInitial = 2_000_000

// newCrashWorld creates the partners, starts the server and enrols n
// customers: registration, OTP from the console log, a VA top-up of
// crashInitial and KYC (P2P and bank transfers need a verified account).
func newCrashWorld(t *testing.T, databaseURL string, n int, extra ...string) *crashWorld {
	t.Helper()
	dir := t.TempDir()
	w := &crashWorld{
		env:     walletproc.Env(databaseURL, dir, extra...),
		dataDir: dir,
		// Requests in flight at a kill end with a transport error at
		// once; the timeout only bounds a server that hangs.
		client: &http.Client{Timeout: 30 * time.Second},
		prefix: fmt.Sprintf("c%x-", time.Now().UnixNano()&0xffffff),
	}
	w.shop = walletproc.CreatePartner(t, w.env, "Crash Shop", "")
	w.bank = walletproc.CreatePartner(t, w.env, "Crash Bank", "CHANNEL")
	w.srv = walletproc.Start(t, w.env)
	base := 10_000_000 + int(time.Now().UnixNano()%80_000_000)
	for i := range n {
		w.customers = append(w.customers, fmt.Sprintf("0812%08d", base+i))
	}
	for i, m := range w.customers {
		w.mustOK(t, w.shop, "POST", "/register-customer/", fmt.Sprintf(`{"mobileNumber":%q,"firstName":"Crash","lastName":"Test%d"}`, m, i))
		otp := walletproc.WaitOTP(t, "62"+m[1:], w.srv)
		w.mustOK(t, w.shop, "POST", "/validate-otp/", fmt.Sprintf(`{"mobileNumber":%q,"otp":%q}`, m, otp))
		w.mustOK(t, w.bank, "POST", "/topup/va/payment/", fmt.Sprintf(`{"vaNumber":"39358%s","amount":"%d","bankReference":"init-%d"}`, m, crashInitial, i))
		kyc := fmt.Sprintf(`{"mobileNumber":%q,"nik":"32730117089%05d","fullName":"Crash Test","birthDate":"1990-08-17"}`, m, 1000+i)
		logcheck.Request([]byte(kyc))
		w.mustOK(t, w.shop, "POST", "/kyc/", kyc)
	}
	for _, m := range w.customers {
		deadline := time.Now().Add(30 * time.Second)
		for w.inquiry(t, m)["kycStatus"] != "VERIFIED" {
			if time.Now().After(deadline) {
				t.Fatalf("KYC of %s not approved", m)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return w
}

func (w *crashWorld) extID(kind string) string {
	return fmt.Sprintf("%s%s-%d", w.prefix, kind, w.seq.Add(1))
}

// call signs and sends one request to the current server.
func (w *crashWorld) call(p walletproc.Partner, method, path, body, extID string) walletproc.Answer {
	return p.Call(w.client, w.srv.URL, method, path, body, extID)
}

func (w *crashWorld) mustOK(t *testing.T, p walletproc.Partner, method, path, body string) map[string]any {
	t.Helper()
	ext := ""
	if method == "POST" {
		ext = w.extID("setup")
	}
	a := w.call(p, method, path, body, ext)
	if a.Code() != 0 {
		t.Fatalf("%s %s: %d %v %s", method, path, a.Status, a.Err, a.Body)
	}
	d, _ := a.Env["data"].(map[string]any)
	return d
}

func (w *crashWorld) inquiry(t *testing.T, mobile string) map[string]any {
	t.Helper()
	return w.mustOK(t, w.shop, "GET", "/customer-account-inquiry/?mobileNumber="+mobile, "")
}

func (w *crashWorld) balance(t *testing.T, mobile string) string {
	t.Helper()
	b, _ := w.inquiry(t, mobile)["balance"].(map[string]any)
	s, _ := b["availableBalance"].(string)
	return s
}

// history returns every item of a customer's history, newest first.
func (w *crashWorld) history(t *testing.T, mobile string) []map[string]any {
	t.Helper()
	var items []map[string]any
	cursor := ""
	for {
		path := "/transaction-history/?limit=100&mobileNumber=" + mobile
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		d := w.mustOK(t, w.shop, "GET", path, "")
		raw, _ := json.Marshal(d["items"])
		var page []map[string]any
		_ = json.Unmarshal(raw, &page)
		items = append(items, page...)
		cursor, _ = d["nextCursor"].(string)
		if cursor == "" || len(page) == 0 {
			return items
		}
	}
}

// waitSettled polls a transfer's status until it is final.
func (w *crashWorld) waitSettled(t *testing.T, reffID string, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		d := w.mustOK(t, w.shop, "GET", "/transaction-status/?reffId="+reffID, "")
		if s, _ := d["status"].(string); s != "PENDING" && s != "" {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("transfer %s still pending after %v: %v", reffID, timeout, d)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
