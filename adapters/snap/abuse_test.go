package snap_test

import (
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/adapters/httpapi"
	"github.com/dompet/wallet/adapters/snap"
	"github.com/dompet/wallet/adapters/system"
	"github.com/dompet/wallet/internal/apptest"
	"github.com/dompet/wallet/internal/testdb"
)

// TestSignatureFailuresAreLimited: on the SNAP door, failed token requests
// (4017300) and failed signed calls (401xx00 / 401xx01) of one partner id
// from one address count in the same limiter as the legacy door; past the
// limit every request of that pair is 429xx00 with Retry-After, even a
// correct one, while other partners are served.
func TestSignatureFailuresAreLimited(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *bunstore.DB) {
		lim := httpapi.NewFailLimiter(httpapi.SignatureLimit{Window: time.Hour, Failures: 3})
		s := apptest.NewWith(t, db, nil, apptest.Options{SignatureLimiter: lim})
		door := snap.NewServer(s.App, jsonValidator(), system.NewULIDs(), apptest.Logger(t))
		door.SetSignatureLimiter(lim)
		srv := httptest.NewServer(door.Handler())
		t.Cleanup(srv.Close)
		st := &stack{Stack: s, snap: srv, door: door}

		wantLimited := func(t *testing.T, r resp, code string) {
			t.Helper()
			expect(t, r, code)
			if secs, err := strconv.Atoi(r.Header("Retry-After")); err != nil || secs < 1 || secs > 3600 {
				t.Fatalf("Retry-After = %q: %s", r.Header("Retry-After"), r.Raw)
			}
		}

		t.Run("token requests", func(t *testing.T) {
			c, other := st.client(t, "PARTNER"), st.client(t, "PARTNER")
			wrongKey := testKey(t, 1)
			for range 3 {
				r := c.tokenCall(time.Now(), c.p.ID(), wrongKey)
				expect(t, r, "4017300")
				if r.Header("Retry-After") != "" {
					t.Fatal("Retry-After before the limit")
				}
			}
			wantLimited(t, c.tokenCall(time.Now(), c.p.ID(), wrongKey), "4297300")
			// The right key is refused too: the pair is blocked, nothing is
			// checked, and so are its signed calls.
			wantLimited(t, c.tokenCall(time.Now(), c.p.ID(), c.key), "4297300")
			wantLimited(t, c.call("balance-inquiry", `{"accountNo":"081200000001"}`), "4291100")
			// Another partner is served.
			expect(t, other.tokenCall(time.Now(), other.p.ID(), other.key), "2007300")
		})
		t.Run("signed calls, and the legacy door shares the count", func(t *testing.T) {
			c := st.client(t, "PARTNER")
			mobile := st.customer(t, c.p)
			body := `{"accountNo":"` + mobile + `"}`
			expect(t, c.do(req{path: "balance-inquiry", body: body, secret: "forged"}), "4011100")
			expect(t, c.do(req{path: "balance-inquiry", body: body, token: "not-a-token"}), "4011101")
			// A forged legacy request is the third failure of the pair.
			r := s.Do(apptest.Request{Method: "GET", Path: "/banks/", PartnerID: c.p.ID(), Secret: "forged"})
			if r.Status != 401 || r.Env.Code != 20 {
				t.Fatalf("legacy forged: %d %s", r.Status, r.Raw)
			}
			wantLimited(t, c.call("balance-inquiry", body), "4291100")
			r = s.Do(apptestReq(c, "/banks/"))
			if r.Status != 429 || r.Env.Code != 20 || r.Header.Get("Retry-After") == "" {
				t.Fatalf("legacy after the limit: %d %s", r.Status, r.Raw)
			}
		})
	})
}
