package rest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/dompet/wallet/adapters/httpapi"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/internal/apptest"
	"github.com/dompet/wallet/internal/testdb"
)

// FuzzRESTStack sends random requests, signed with a valid partner (or
// channel) signature, through the whole REST handler stack on SQLite: no
// panic, never a 500, every answer the SPEC §2 envelope with a documented
// code and its HTTP status. Seeds: testdata/fuzz/FuzzRESTStack and below.
func FuzzRESTStack(f *testing.F) {
	s := apptest.New(f, testdb.SQLite(f), nil)
	ctx := context.Background()
	shop, err := s.App.CreatePartner(ctx, app.NewPartner{Name: "Shop", Role: "PARTNER"})
	if err != nil {
		f.Fatal(err)
	}
	bank, _ := s.App.CreatePartner(ctx, app.NewPartner{Name: "Bank", Role: "CHANNEL"})
	if _, err := s.App.RegisterCustomer(ctx, app.RegisterCustomer{Partner: shop.Partner, MobileNumber: "081200000001", FirstName: "Budi"}); err != nil {
		f.Fatal(err)
	}
	if _, err := s.App.ValidateOTP(ctx, app.ValidateOTP{Partner: shop.Partner, MobileNumber: "081200000001", Code: s.LastOTP("6281200000001")}); err != nil {
		f.Fatal(err)
	}
	// Documented pairs: every SPEC §2 code with its HTTP status, plus 405
	// (code 10, wrong method) and 429 (code 20, failed signatures).
	documented := map[[2]int]bool{{200, 0}: true, {202, 1}: true, {405, 10}: true, {429, 20}: true}
	for _, c := range httpapi.Codes {
		if c.Legacy != 99 {
			documented[[2]int{c.HTTP, c.Legacy}] = true
		}
	}
	for _, seed := range []struct {
		method, path, body string
		who                uint8
	}{
		{"GET", "/banks/", "", 0},
		{"POST", "/register-customer/", `{"mobileNumber":"081200000002","firstName":"Siti"}`, 0},
		{"POST", "/validate-otp/", `{"mobileNumber":"081200000001","otp":"123456"}`, 0},
		{"GET", "/customer-account-inquiry/?mobileNumber=081200000001", "", 0},
		{"POST", "/wallet-payment/", `{"mobileNumber":"081200000001","amount":"1000","orderId":"O-1"}`, 0},
		{"POST", "/topup/va/payment/", `{"vaNumber":"39358081200000001","amount":"10000","bankReference":"R-1"}`, 1},
		{"GET", "/transaction-history/?mobileNumber=081200000001&limit=0&cursor=%zz", "", 0},
		{"POST", "/qris/decode/", `{"qrContent":"000201"}`, 0},
		{"DELETE", "/p2p-transfer", `[]`, 2},
	} {
		f.Add(seed.method, seed.path, []byte(seed.body), "", "", seed.who)
	}
	var n atomic.Int64
	handler := s.Server.Config.Handler
	f.Fuzz(func(t *testing.T, method, path string, body []byte, hName, hValue string, who uint8) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		req, err := http.NewRequest(method, "http://wallet.test"+path, bytes.NewReader(body))
		if err != nil {
			return // not an HTTP request a server could receive
		}
		p := apptest.Request{Method: method, Body: string(body), PartnerID: shop.Partner.ID(), Secret: shop.Secret}
		if who&1 != 0 {
			p.PartnerID, p.Secret = bank.Partner.ID(), bank.Secret
		}
		if who&2 == 0 {
			p.ExternalID = fmt.Sprintf("fuzz-%d", n.Add(1))
		}
		apptest.SignRequest(req, p)
		if hName != "" {
			req.Header.Set(hName, hValue)
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if req.URL.Path == "/healthz" || req.URL.Path == "/readyz" {
			return
		}
		var env struct {
			ResponseID *string `json:"responseId"`
			Code       *int    `json:"code"`
			Message    string  `json:"message"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || env.Code == nil || env.ResponseID == nil || env.Message == "" {
			t.Fatalf("%s %q: HTTP %d, not an envelope: %q", method, path, rec.Code, rec.Body.String())
		}
		if !documented[[2]int{rec.Code, *env.Code}] {
			t.Fatalf("%s %q: HTTP %d code %d is not documented: %s", method, path, rec.Code, *env.Code, rec.Body.String())
		}
	})
}
