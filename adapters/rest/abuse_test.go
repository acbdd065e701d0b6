package rest_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/adapters/rest"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/internal/apptest"
	"github.com/dompet/wallet/internal/testdb"
)

// TestOTPGuessingAcrossNumbers: beyond the 5 tries per number, wrong codes
// are limited per partner and per source address across numbers (code 42,
// HTTP 429), counted in the database so every process sharing it agrees.
func TestOTPGuessingAcrossNumbers(t *testing.T) {
	t.Parallel()
	limits := func(perPartner, perSource int) apptest.Options {
		return apptest.Options{Config: func(c *app.Config) {
			c.Guessing = app.GuessLimits{Window: time.Hour, PerPartner: perPartner, PerSource: perSource}
		}}
	}
	wrong := func(t *testing.T, c *client, mobile string) {
		t.Helper()
		expect(t, c.post("/validate-otp/", `{"mobileNumber":"`+mobile+`","otp":"000000"}`), 400, 40)
	}
	pending := func(t *testing.T, c *client, mobile string) {
		t.Helper()
		expect(t, c.post("/register-customer/", `{"mobileNumber":"`+mobile+`","firstName":"Budi"}`), 200, 0)
	}
	testdb.Each(t, func(t *testing.T, db *bunstore.DB) {
		// Subtests share the database: the per-source one runs first.
		t.Run("per source address across partners", func(t *testing.T) {
			s := apptest.NewWith(t, db, nil, limits(0, 3))
			a, b := newClient(s, "PARTNER"), newClient(s, "PARTNER")
			for _, m := range []string{"081278000001", "081278000002", "081278000003"} {
				pending(t, a, m)
			}
			pending(t, b, "081278000004")
			wrong(t, a, "081278000001")
			wrong(t, a, "081278000002")
			wrong(t, a, "081278000003")
			// Every request of the test comes from 127.0.0.1: partner b is
			// refused too.
			expect(t, b.post("/validate-otp/", `{"mobileNumber":"081278000004","otp":"`+s.LastOTP("6281278000004")+`"}`), 429, 42)
		})
		t.Run("per partner, shared by two servers on one database", func(t *testing.T) {
			s1 := apptest.NewWith(t, db, nil, limits(3, 0))
			s2 := apptest.NewWith(t, db, nil, limits(3, 0))
			c := newClient(s1, "PARTNER")
			c2 := &client{s: s2, id: c.id, secret: c.secret}
			other := newClient(s1, "PARTNER")
			for _, m := range []string{"081277000001", "081277000002", "081277000003", "081277000004"} {
				pending(t, c, m)
			}
			pending(t, other, "081277000005")
			wrong(t, c, "081277000001")
			wrong(t, c2, "081277000002")
			wrong(t, c, "081277000003")
			// The partner is now refused on both servers, even with the right
			// code; the customer's own OTP is untouched.
			ok := `{"mobileNumber":"081277000004","otp":"` + s1.LastOTP("6281277000004") + `"}`
			expect(t, c.post("/validate-otp/", ok), 429, 42)
			expect(t, c2.post("/validate-otp/", ok), 429, 42)
			// Another partner is not affected (the per-source bound is off).
			expect(t, other.post("/validate-otp/", `{"mobileNumber":"081277000005","otp":"`+s1.LastOTP("6281277000005")+`"}`), 200, 0)
		})
	})
}

// TestSignatureFailuresAreLimited: failed signatures of one partner id from
// one address answer code 20 (HTTP 401), then HTTP 429 with Retry-After.
func TestSignatureFailuresAreLimited(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *bunstore.DB) {
		s := apptest.NewWith(t, db, nil, apptest.Options{SignatureLimit: &rest.SignatureLimit{Window: time.Hour, Failures: 3}})
		c, other := newClient(s, "PARTNER"), newClient(s, "PARTNER")
		forged := func() apptest.Response {
			return s.Do(apptest.Request{Method: "GET", Path: "/banks/", PartnerID: c.id, Secret: "not-the-secret"})
		}
		for range 3 {
			r := forged()
			expect(t, r, 401, 20)
			if r.Header.Get("Retry-After") != "" {
				t.Fatalf("Retry-After before the limit: %s", r.Header.Get("Retry-After"))
			}
		}
		for _, r := range []apptest.Response{forged(), c.get("/banks/")} {
			expect(t, r, 429, 20)
			if secs, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || secs < 1 || secs > 3600 {
				t.Fatalf("Retry-After = %q", r.Header.Get("Retry-After"))
			}
		}
		// Other partners are served.
		expect(t, other.get("/banks/"), 200, 0)
	})
}
