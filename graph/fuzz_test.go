package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dompet/wallet/adapters/bankgw"
	"github.com/dompet/wallet/adapters/banks"
	"github.com/dompet/wallet/adapters/httpapi"
	"github.com/dompet/wallet/adapters/memstore"
	"github.com/dompet/wallet/adapters/phone"
	"github.com/dompet/wallet/adapters/qrisswitch"
	"github.com/dompet/wallet/adapters/secretbox"
	"github.com/dompet/wallet/adapters/system"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/graph"
	"github.com/dompet/wallet/internal/logcheck"
)

// gqlgenCodes are the request errors gqlgen itself answers (legacyCode
// 10): a document that does not parse, does not validate against the
// schema or costs too much.
var gqlgenCodes = map[string]bool{
	"GRAPHQL_PARSE_FAILED": true, "GRAPHQL_VALIDATION_FAILED": true, "COMPLEXITY_LIMIT_EXCEEDED": true,
}

// FuzzGraphQL sends random GraphQL documents and variables through the real
// GraphQL handler (memstore behind it, for speed) as a partner frontend, a
// signed partner or channel, or a customer with a valid token: no panic,
// never HTTP 500, every answer a GraphQL response whose errors carry a
// documented extensions.code (a SPEC §2 name, or gqlgen's own request
// errors with legacyCode 10) and never INTERNAL. Seeds:
// testdata/fuzz/FuzzGraphQL and below.
func FuzzGraphQL(f *testing.F) {
	box, err := secretbox.New(secretbox.MasterKey(bytes.Repeat([]byte{1}, 32)))
	if err != nil {
		f.Fatal(err)
	}
	cfg := app.DefaultConfig()
	cfg.OTPKey = bytes.Repeat([]byte{2}, 32)
	cfg.Money.Banks = banks.MustLoad()
	log := slog.New(slog.NewTextHandler(logcheck.Writer(nil), &slog.HandlerOptions{Level: slog.LevelWarn}))
	store := memstore.New()
	a := app.New(store, system.Clock{}, system.NewULIDs(), phone.NewNormalizer(), box, cfg, log,
		app.Gateways{Bank: bankgw.NewSimulator(bankgw.Delay(time.Hour)), QRIS: qrisswitch.NewSimulator(bankgw.Delay(time.Hour))})
	h := graph.NewHandler(a, httpapi.NewValidator(), log)
	ctx := context.Background()
	shop, err := a.CreatePartner(ctx, app.NewPartner{Name: "Shop", Role: "PARTNER"})
	if err != nil {
		f.Fatal(err)
	}
	bank, err := a.CreatePartner(ctx, app.NewPartner{Name: "Bank", Role: "CHANNEL"})
	if err != nil {
		f.Fatal(err)
	}
	logcheck.Secret("partner secret", shop.Secret)
	logcheck.Secret("partner secret", bank.Secret)
	if _, err := a.RegisterCustomer(ctx, app.RegisterCustomer{Partner: shop.Partner, MobileNumber: "081200000001", FirstName: "Budi"}); err != nil {
		f.Fatal(err)
	}
	token := loginFromOutbox(f, a, store, box, shop.Partner, "6281200000001")

	documented := map[string]bool{}
	for _, c := range httpapi.Codes {
		if c.Legacy != 99 {
			documented[c.Name] = true
		}
	}
	for _, seed := range []struct {
		query, vars string
		who         uint8
	}{
		{`{ banks { code name } }`, ``, 0},
		{`{ me { mobileNumber balance { availableBalance } transactions(first: 5) { edges { node { reffId } } } } }`, ``, 2},
		{`query($m: String!) { customer(mobileNumber: $m) { fullName } }`, `{"m":"081200000001"}`, 1},
		{`mutation($i: PayInput!) { pay(input: $i) { transaction { reffId } } }`, `{"i":{"amount":"1000","orderId":"O-1"}}`, 2 | 8},
		{`mutation { vaPayment(input: {vaNumber: "39358081200000001", amount: 10000, bankReference: "R-1"}) { transaction { reffId } } }`, ``, 1 | 4 | 8},
		{`{ __schema { types { name fields { name type { name ofType { name ofType { name } } } } } } }`, ``, 0},
		{`{ a: banks { code } b: banks { code } ...F } fragment F on Query { banks { name } }`, ``, 0},
		{`query Q($after: String) { me { transactions(first: 100, after: $after, from: "2026-01-01") { pageInfo { endCursor } } } }`, `{"after":"%%%"}`, 2},
		{`{ transaction(reffId: "") { reffId } }`, ``, 1},
		{`subscription { transactionUpdated { reffId } }`, ``, 2},
		{`mutation { registerCustomer(input: {mobileNumber: "+6281200000002", firstName: "\u202e"}) { otpExpiresIn } }`, `[]`, 0},
		{`{ decodeQris(payload: "000201") { merchantName } }`, `{"x": 1e999}`, 1},
	} {
		f.Add(seed.query, []byte(seed.vars), seed.who)
	}
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, query string, vars []byte, who uint8) {
		doc := map[string]any{"query": query}
		if json.Valid(vars) {
			doc["variables"] = json.RawMessage(vars)
		}
		body, err := json.Marshal(doc)
		if err != nil {
			return // not valid UTF-8 JSON a client could send: json.Marshal replaces, so unreachable
		}
		p := shop
		if who&4 != 0 {
			p = bank
		}
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-PARTNER-ID", p.Partner.ID())
		if who&1 != 0 {
			stamp := time.Now().In(time.FixedZone("WIB", 7*3600)).Format(time.RFC3339)
			req.Header.Set("X-TIMESTAMP", stamp)
			req.Header.Set("X-SIGNATURE", partner.Sign([]byte(p.Secret), http.MethodPost, "/graphql", body, stamp))
		}
		if who&2 != 0 && p == shop {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if who&8 != 0 {
			req.Header.Set("X-EXTERNAL-ID", fmt.Sprintf("fuzz-%d", n.Add(1)))
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("HTTP %d for %q: %s", rec.Code, query, rec.Body.String())
		}
		var resp struct {
			Data   json.RawMessage `json:"data"`
			Errors []struct {
				Message    string `json:"message"`
				Extensions struct {
					Code       string `json:"code"`
					LegacyCode *int   `json:"legacyCode"`
				} `json:"extensions"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			t.Fatalf("not JSON (HTTP %d) for %q: %s", rec.Code, query, rec.Body.String())
		}
		if resp.Data == nil && len(resp.Errors) == 0 {
			t.Fatalf("neither data nor errors for %q: %s", query, rec.Body.String())
		}
		for _, e := range resp.Errors {
			c := e.Extensions.Code
			if e.Message == "" || e.Extensions.LegacyCode == nil {
				t.Fatalf("error without message or legacyCode for %q: %s", query, rec.Body.String())
			}
			switch {
			case documented[c]:
			case gqlgenCodes[c] && *e.Extensions.LegacyCode == 10:
			default:
				t.Fatalf("undocumented error code %q (legacyCode %d) for %q: %s", c, *e.Extensions.LegacyCode, query, rec.Body.String())
			}
		}
	})
}

// loginFromOutbox validates the REGISTRATION OTP queued for mobile
// (canonical form) and returns the access token.
func loginFromOutbox(tb testing.TB, a *app.App, store *memstore.Store, box *secretbox.Box, p *partner.Partner, mobile string) string {
	tb.Helper()
	ctx := context.Background()
	jobs := store.Jobs()
	for i := len(jobs) - 1; i >= 0; i-- {
		if jobs[i].Kind != memstore.JobSend {
			continue
		}
		var rec *app.NotificationRecord
		err := store.Do(ctx, func(ctx context.Context, r app.Repos) error {
			var err error
			rec, err = r.Notifications.Get(ctx, jobs[i].NotificationID, false)
			return err
		})
		if err != nil || rec.To.String() != mobile {
			continue
		}
		plain, err := box.Open(rec.Sealed)
		if err != nil {
			tb.Fatal(err)
		}
		var msg struct {
			OTP string `json:"o"`
		}
		if err := json.Unmarshal(plain, &msg); err != nil {
			tb.Fatal(err)
		}
		code := msg.OTP
		logcheck.Secret("OTP", code)
		v, err := a.ValidateOTP(ctx, app.ValidateOTP{Partner: p, MobileNumber: "0" + mobile[2:], Code: code})
		if err != nil {
			tb.Fatal(err)
		}
		logcheck.Secret("access token", v.Token)
		return v.Token
	}
	tb.Fatalf("no OTP queued for %s", mobile)
	return ""
}
