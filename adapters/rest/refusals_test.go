package rest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/internal/apptest"
	"github.com/dompet/wallet/internal/testdb"
)

// TestClearRefusals: what a new partner gets wrong first is refused with a
// message that says what to fix (issue 14).
func TestClearRefusals(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *bunstore.DB) {
		s := apptest.New(t, db, nil)
		t.Run("names that are not what they look like are 10 naming the field", func(t *testing.T) { t.Parallel(); refusedNames(t, s) })
		t.Run("a reused orderId says so", func(t *testing.T) { t.Parallel(); reusedOrderID(t, s) })
		t.Run("a zero amount must be positive", func(t *testing.T) { t.Parallel(); zeroAmount(t, s) })
		t.Run("a stale timestamp names the window, a bad signature does not", func(t *testing.T) { t.Parallel(); timestampWindow(t, s) })
		t.Run("a wrong method is 405 with Allow", func(t *testing.T) { t.Parallel(); wrongMethod(t, s) })
	})
}

func refusedNames(t *testing.T, s *apptest.Stack) {
	c := newClient(s, "PARTNER")
	tests := []struct{ name, body, field string }{
		{"invalid UTF-8", `{"mobileNumber":"081400000001","firstName":"Bu` + "\xff" + `di"}`, "firstName"},
		{"escaped U+FFFD", `{"mobileNumber":"081400000001","firstName":"Bu\ufffddi"}`, "firstName"},
		{"right-to-left override", `{"mobileNumber":"081400000001","firstName":"Budi","lastName":"Santoso\u202egpj.exe"}`, "lastName"},
		{"raw right-to-left override", `{"mobileNumber":"081400000001","firstName":"Budi","lastName":"Santoso` + "\u202e" + `gpj"}`, "lastName"},
		{"zero-width space", `{"mobileNumber":"081400000001","firstName":"Budi","middleName":"\u200b"}`, "middleName"},
		{"bidi isolate", `{"mobileNumber":"081400000001","firstName":"\u2066Budi\u2069"}`, "firstName"},
		{"BOM", `{"mobileNumber":"081400000001","firstName":"\ufeffBudi"}`, "firstName"},
	}
	for _, tt := range tests {
		r := c.post("/register-customer/", tt.body)
		expect(t, r, 400, 10)
		if !strings.Contains(r.Env.Message, tt.field) {
			t.Errorf("%s: message %q does not name %s", tt.name, r.Env.Message, tt.field)
		}
	}
	// Nothing was stored: the number is still free.
	expect(t, c.post("/register-customer/", `{"mobileNumber":"081400000001","firstName":"Budi"}`), 200, 0)
}

func reusedOrderID(t *testing.T, s *apptest.Stack) {
	c := newClient(s, "PARTNER")
	bank := newClient(s, "CHANNEL")
	register(t, c, "081400000002")
	expect(t, topUpVA(t, bank, "081400000002", 100000, "REF-UX-1"), 200, 0)
	expect(t, c.post("/wallet-payment/", `{"mobileNumber":"081400000002","amount":"1000","orderId":"UX-ORDER-1"}`), 200, 0)
	// A new X-EXTERNAL-ID (c.post makes one) for another payment of the same order.
	r := c.post("/wallet-payment/", `{"mobileNumber":"081400000002","amount":"2000","orderId":"UX-ORDER-1"}`)
	expect(t, r, 409, 60)
	if !strings.Contains(r.Env.Message, "orderId was already used") {
		t.Fatalf("message %q does not say the orderId is used", r.Env.Message)
	}
	// The same X-EXTERNAL-ID with another body still says it is the key.
	body := `{"mobileNumber":"081400000002","amount":"1000","orderId":"UX-ORDER-2"}`
	expect(t, s.Do(apptest.Request{Method: "POST", Path: "/wallet-payment/", Body: body, PartnerID: c.id, Secret: c.secret, ExternalID: "ux-key-1"}), 200, 0)
	r = s.Do(apptest.Request{Method: "POST", Path: "/wallet-payment/", Body: strings.Replace(body, "1000", "1001", 1),
		PartnerID: c.id, Secret: c.secret, ExternalID: "ux-key-1"})
	expect(t, r, 409, 60)
	if !strings.Contains(r.Env.Message, "X-EXTERNAL-ID was already used") {
		t.Fatalf("message %q does not name X-EXTERNAL-ID", r.Env.Message)
	}
	if balance(t, c, "081400000002") != "98000" {
		t.Fatal("a refused payment moved money")
	}
}

func zeroAmount(t *testing.T, s *apptest.Stack) {
	c := newClient(s, "PARTNER")
	register(t, c, "081400000003")
	for _, body := range []string{
		`{"mobileNumber":"081400000003","amount":"0","orderId":"UX-ZERO"}`,
		`{"mobileNumber":"081400000003","amount":0,"orderId":"UX-ZERO"}`,
	} {
		r := c.post("/wallet-payment/", body)
		expect(t, r, 400, 10)
		if !strings.Contains(r.Env.Message, "amount must be a positive") {
			t.Fatalf("message %q", r.Env.Message)
		}
	}
}

func timestampWindow(t *testing.T, s *apptest.Stack) {
	c := newClient(s, "PARTNER")
	const path = "/customer-account-inquiry/?mobileNumber=081400000009"
	for _, skew := range []time.Duration{-6 * time.Minute, 6 * time.Minute} {
		for _, id := range []string{c.id, "NO-SUCH-PARTNER"} {
			r := s.Do(apptest.Request{Method: "GET", Path: path, PartnerID: id, Secret: c.secret, Timestamp: time.Now().Add(skew)})
			expect(t, r, 401, 20)
			if !strings.Contains(r.Env.Message, "X-TIMESTAMP") || !strings.Contains(r.Env.Message, "300 s") {
				t.Fatalf("skew %v partner %s: message %q does not name the window", skew, id, r.Env.Message)
			}
		}
	}
	// A fresh timestamp with a bad signature, or an unknown partner, learns
	// nothing more than "Unauthenticated".
	for _, req := range []apptest.Request{
		{Method: "GET", Path: path, PartnerID: c.id, Secret: "forged"},
		{Method: "GET", Path: path, PartnerID: "NO-SUCH-PARTNER", Secret: c.secret},
	} {
		r := s.Do(req)
		expect(t, r, 401, 20)
		if r.Env.Message != "Unauthenticated" {
			t.Fatalf("message %q reveals more than Unauthenticated", r.Env.Message)
		}
	}
}

func wrongMethod(t *testing.T, s *apptest.Stack) {
	c := newClient(s, "PARTNER")
	tests := []struct{ method, path, allow string }{
		{"GET", "/register-customer/", "POST"},
		{"GET", "/wallet-payment", "POST"},
		{"POST", "/customer-account-inquiry/", "GET"},
		{"PUT", "/banks/", "GET"},
	}
	for _, tt := range tests {
		req := apptest.Request{Method: tt.method, Path: tt.path, PartnerID: c.id, Secret: c.secret}
		if tt.method == "POST" {
			req.Body, req.ExternalID = `{}`, c.nextKey()
		}
		r := s.Do(req)
		expect(t, r, 405, 10)
		if r.Header.Get("Allow") != tt.allow {
			t.Fatalf("%s %s: Allow %q, want %s", tt.method, tt.path, r.Header.Get("Allow"), tt.allow)
		}
		if !strings.Contains(r.Env.Message, "method "+tt.method+" is not allowed") || !strings.Contains(r.Env.Message, tt.allow) {
			t.Fatalf("message %q", r.Env.Message)
		}
	}
}
