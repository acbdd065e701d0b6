package graph_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dompet/wallet/domain/partner"
)

// The refusals of issue 14 read the same on GraphQL as on REST.
func TestClearRefusals(t *testing.T) {
	t.Parallel()

	t.Run("names that are not what they look like are 10 naming the field", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, noFault)
		p := f.partner("Ojek")
		for field, value := range map[string]string{
			"firstName":  "Budi\u202Egpj.exe",
			"lastName":   "\u2066Santoso\u2069",
			"middleName": "Nur\u200B",
		} {
			in := registerInput("081234567801")
			in["input"].(map[string]any)[field] = value
			e := f.post(as{partner: &p}, registerMutation, in).wantError(t, http.StatusOK, "INVALID_REQUEST", 10)
			if !strings.Contains(e.Message, field) {
				t.Errorf("%s: message %q does not name it", field, e.Message)
			}
		}
		// Invalid UTF-8 in the raw body: JSON makes it U+FFFD, which is
		// refused too.
		body := []byte(`{"query":"mutation { registerCustomer(input:{mobileNumber:\"081234567801\", firstName:\"Bu` + "\xff" + `di\"}) { otpExpiresIn } }"}`)
		e := f.sendRaw(as{partner: &p}, http.MethodPost, "/graphql", "application/json", body).wantError(t, http.StatusOK, "INVALID_REQUEST", 10)
		if !strings.Contains(e.Message, "firstName") {
			t.Errorf("invalid UTF-8: message %q does not name firstName", e.Message)
		}
		// Nothing was registered by the refusals.
		f.register(as{partner: &p}, "081234567801")
	})

	t.Run("a reused orderId says so", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, noFault)
		p := f.partner("Ojek")
		bank := f.partnerAs("BCA", "CHANNEL")
		customer := as{partner: &p, token: f.login(&p, "081234567802")}
		f.topUp(&bank, "081234567802", "100000", "BCA-UX-1")
		if r := f.pay(customer, "1000", "UX-ORDER-1"); len(r.Errors) > 0 {
			t.Fatal(r.raw)
		}
		e := f.pay(customer, "2000", "UX-ORDER-1").wantError(t, http.StatusOK, "IDEMPOTENCY_CONFLICT", 60)
		if !strings.Contains(e.Message, "orderId was already used") {
			t.Fatalf("message %q", e.Message)
		}
		if got := f.balance(customer); got != "99000" {
			t.Fatalf("balance %s after a refused payment", got)
		}
	})

	t.Run("a wrong method is 405 with Allow", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, noFault)
		p := f.partner("Ojek")
		for _, tt := range []struct{ method, target, allow string }{
			{http.MethodPut, "/graphql", "GET, POST, OPTIONS"},
			{http.MethodGet, "/graphql?query=" + url.QueryEscape(`mutation { logout }`), "POST"},
		} {
			req := httptest.NewRequest(tt.method, tt.target, nil)
			req.Header.Set("X-PARTNER-ID", p.id)
			rec := httptest.NewRecorder()
			f.handler.ServeHTTP(rec, req)
			if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != tt.allow {
				t.Fatalf("%s %s: HTTP %d Allow %q, want 405 Allow %q: %s", tt.method, tt.target, rec.Code, rec.Header().Get("Allow"), tt.allow, rec.Body)
			}
		}
	})

	t.Run("a stale timestamp names the window, a bad signature does not", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, noFault)
		p := f.partner("Ojek")
		query, _ := json.Marshal(map[string]string{"query": `{ customer(mobileNumber: "081234567803") { id } }`})
		send := func(partnerID, secret string, at time.Time) gqlError {
			req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(query))
			req.Header.Set("Content-Type", "application/json")
			ts := at.Format(time.RFC3339)
			req.Header.Set("X-PARTNER-ID", partnerID)
			req.Header.Set("X-TIMESTAMP", ts)
			req.Header.Set("X-SIGNATURE", partner.Sign([]byte(secret), http.MethodPost, "/graphql", query, ts))
			rec := httptest.NewRecorder()
			f.handler.ServeHTTP(rec, req)
			res := response{status: rec.Code, raw: rec.Body.String()}
			if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
				t.Fatal(err)
			}
			return res.wantError(t, http.StatusUnauthorized, "UNAUTHENTICATED", 20)
		}
		now := f.clock.Now()
		for _, at := range []time.Time{now.Add(-6 * time.Minute), now.Add(6 * time.Minute)} {
			for _, id := range []string{p.id, "NO-SUCH-PARTNER"} {
				if e := send(id, p.secret, at); !strings.Contains(e.Message, "X-TIMESTAMP") || !strings.Contains(e.Message, "300 s") {
					t.Fatalf("message %q does not name the window", e.Message)
				}
			}
		}
		for _, e := range []gqlError{send(p.id, "forged", now), send("NO-SUCH-PARTNER", p.secret, now)} {
			if e.Message != "Unauthenticated" {
				t.Fatalf("message %q reveals more than Unauthenticated", e.Message)
			}
		}
	})
}
