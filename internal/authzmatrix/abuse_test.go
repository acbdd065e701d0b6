package authzmatrix_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	coderws "github.com/coder/websocket"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/adapters/httpapi"
	"github.com/dompet/wallet/adapters/rest"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/graph"
	"github.com/dompet/wallet/internal/apptest"
	"github.com/dompet/wallet/internal/logcheck"
	"github.com/dompet/wallet/internal/testdb"
)

// TestGraphQLAbuseLimits: the GraphQL door applies the same limits as the
// legacy door. Failed signatures share the REST door's limiter
// (UNAUTHENTICATED, then HTTP 429 with Retry-After), and wrong OTP codes
// sent to validateOtp count per source address across numbers.
func TestGraphQLAbuseLimits(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *bunstore.DB) {
		lim := httpapi.NewFailLimiter(httpapi.SignatureLimit{Window: time.Hour, Failures: 2})
		s := apptest.NewWith(t, db, func(a *app.App, log *slog.Logger) rest.Mounts {
			return rest.Mounts{GraphQL: graph.NewHandler(a, httpapi.NewValidator(), log, graph.WithSignatureLimiter(lim))}
		}, apptest.Options{
			SignatureLimiter: lim,
			Config: func(c *app.Config) {
				c.Guessing = app.GuessLimits{Window: time.Hour, PerPartner: 0, PerSource: 2}
			},
		})
		post := func(id, secret string, query string, headers map[string]string) (int, http.Header, string, string) {
			t.Helper()
			body, _ := json.Marshal(map[string]string{"query": query})
			h := map[string]string{"X-PARTNER-ID": id}
			for k, v := range headers {
				h[k] = v
			}
			req := apptest.Request{Method: "POST", Path: "/graphql", Body: string(body), Secret: secret, Header: h}
			r := s.Do(req)
			var out struct {
				Errors []struct {
					Extensions struct {
						Code string `json:"code"`
					} `json:"extensions"`
				} `json:"errors"`
			}
			_ = json.Unmarshal(r.Raw, &out)
			code := ""
			if len(out.Errors) > 0 {
				code = out.Errors[0].Extensions.Code
			}
			return r.Status, r.Header, code, string(r.Raw)
		}
		ctx := context.Background()
		newPartner := func() (*partner.Partner, string) {
			res, err := s.App.CreatePartner(ctx, app.NewPartner{Name: "Abuse", Role: "PARTNER"})
			if err != nil {
				t.Fatal(err)
			}
			logcheck.Secret("partner secret", res.Secret)
			return res.Partner, res.Secret
		}

		t.Run("failed signatures", func(t *testing.T) {
			p, secret := newPartner()
			const q = `{ banks { code } }`
			// Two forged GraphQL requests, then a forged REST one: blocked.
			for range 2 {
				if st, _, code, raw := post(p.ID(), "forged", q, nil); code != "UNAUTHENTICATED" || st != 401 {
					t.Fatalf("forged: %d %s", st, raw)
				}
			}
			st, h, code, raw := post(p.ID(), secret, q, nil)
			if st != 429 || code != "UNAUTHENTICATED" {
				t.Fatalf("after the limit: %d %s", st, raw)
			}
			if secs, err := strconv.Atoi(h.Get("Retry-After")); err != nil || secs < 1 {
				t.Fatalf("Retry-After %q", h.Get("Retry-After"))
			}
			r := s.Do(apptest.Request{Method: "GET", Path: "/banks/", PartnerID: p.ID(), Secret: secret})
			if r.Status != 429 || r.Env.Code != 20 {
				t.Fatalf("the legacy door does not share the count: %d %s", r.Status, r.Raw)
			}
			// An unsigned frontend request is not a signature attempt: it is
			// served (the limit is for signatures).
			if st, _, code, raw := post(p.ID(), "", q, nil); st != 200 || code != "" {
				t.Fatalf("frontend request: %d %s", st, raw)
			}
		})
		t.Run("wrong OTP codes per source address", func(t *testing.T) {
			p, _ := newPartner()
			var mobiles []string
			for i := range 3 {
				m := "08127900000" + strconv.Itoa(i+1)
				if _, err := s.App.RegisterCustomer(ctx, app.RegisterCustomer{Partner: p, MobileNumber: m, FirstName: "Budi"}); err != nil {
					t.Fatal(err)
				}
				mobiles = append(mobiles, m)
			}
			validate := func(m, code string) (int, string, string) {
				st, _, c, raw := post(p.ID(), "", `mutation { validateOtp(input: {mobileNumber: "`+m+`", otp: "`+code+`"}) { accessToken } }`, nil)
				return st, c, raw
			}
			for _, m := range mobiles[:2] {
				if _, c, raw := validate(m, "000000"); c != "OTP_INVALID" {
					t.Fatalf("wrong code: %s", raw)
				}
			}
			// The third number's right code is refused: two wrong codes came
			// from this address already.
			right := s.LastOTP("62" + strings.TrimPrefix(mobiles[2], "0"))
			if _, c, raw := validate(mobiles[2], right); c != "OTP_TOO_MANY_ATTEMPTS" {
				t.Fatalf("after the per-source limit: %s", raw)
			}
			// A websocket from the same address is refused too: the
			// connection keeps its address for connection_init.
			wsCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			conn, _, err := coderws.Dial(wsCtx, "ws"+strings.TrimPrefix(s.Server.URL, "http")+"/graphql",
				&coderws.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = conn.CloseNow() }()
			wsWrite := func(v any) {
				b, _ := json.Marshal(v)
				if err := conn.Write(wsCtx, coderws.MessageText, b); err != nil {
					t.Fatal(err)
				}
			}
			wsRead := func() map[string]any {
				for {
					_, data, err := conn.Read(wsCtx)
					if err != nil {
						t.Fatal(err)
					}
					var msg map[string]any
					_ = json.Unmarshal(data, &msg)
					if msg["type"] != "ping" && msg["type"] != "ka" {
						return msg
					}
				}
			}
			wsWrite(map[string]any{"type": "connection_init", "payload": map[string]any{"X-PARTNER-ID": p.ID()}})
			if msg := wsRead(); msg["type"] != "connection_ack" {
				t.Fatalf("websocket: %v", msg)
			}
			wsWrite(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
				"query": `mutation { validateOtp(input: {mobileNumber: "` + mobiles[2] + `", otp: "000000"}) { accessToken } }`}})
			msg := wsRead()
			b, _ := json.Marshal(msg)
			if !strings.Contains(string(b), "OTP_TOO_MANY_ATTEMPTS") {
				t.Fatalf("websocket validateOtp is not limited per source: %s", b)
			}
		})
	})
}
