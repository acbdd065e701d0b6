package rest_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/internal/apptest"
	"github.com/dompet/wallet/internal/testdb"
)

type client struct {
	s          *apptest.Stack
	id, secret string
	n          int
	mu         sync.Mutex
}

func (c *client) nextKey() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return fmt.Sprintf("ext-%d-%d", time.Now().UnixNano(), c.n)
}

func (c *client) get(path string) apptest.Response {
	return c.s.Do(apptest.Request{Method: "GET", Path: path, PartnerID: c.id, Secret: c.secret})
}

func (c *client) post(path, body string) apptest.Response {
	return c.s.Do(apptest.Request{Method: "POST", Path: path, Body: body, PartnerID: c.id, Secret: c.secret, ExternalID: c.nextKey()})
}

func newClient(s *apptest.Stack, role string) *client {
	id, secret := s.Partner(role)
	return &client{s: s, id: id, secret: secret}
}

func expect(t *testing.T, r apptest.Response, status, code int) {
	t.Helper()
	if r.Status != status || r.Env.Code != code {
		t.Fatalf("got HTTP %d code %d, want HTTP %d code %d: %s", r.Status, r.Env.Code, status, code, r.Raw)
	}
	if r.Env.ResponseID == "" || r.Env.Message == "" {
		t.Fatalf("envelope misses responseId or message: %s", r.Raw)
	}
}

// register creates and verifies a customer; it returns the access token.
func register(t *testing.T, c *client, mobile string) string {
	t.Helper()
	expect(t, c.post("/register-customer/", `{"mobileNumber":"`+mobile+`","firstName":"Budi","lastName":"Santoso"}`), 200, 0)
	canonical := "62" + strings.TrimPrefix(mobile, "0")
	r := c.post("/validate-otp/", `{"mobileNumber":"`+mobile+`","otp":"`+c.s.LastOTP(canonical)+`"}`)
	expect(t, r, 200, 0)
	tok, _ := r.Env.Data["accessToken"].(string)
	if tok == "" {
		t.Fatalf("no access token: %s", r.Raw)
	}
	return tok
}

func TestREST(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *bunstore.DB) {
		s := apptest.New(t, db, nil)
		t.Run("happy path from registration to inquiry", func(t *testing.T) { t.Parallel(); happyPath(t, s) })
		t.Run("every error code", func(t *testing.T) { t.Parallel(); errorCodes(t, s) })
		t.Run("otp rules", func(t *testing.T) { t.Parallel(); otpRules(t, s) })
		t.Run("idempotency", func(t *testing.T) { t.Parallel(); idempotency(t, s) })
		t.Run("concurrent retries execute once", func(t *testing.T) { t.Parallel(); concurrentRetries(t, s) })
	})
}

func happyPath(t *testing.T, s *apptest.Stack) {
	c := newClient(s, "PARTNER")
	r := c.post("/register-customer", `{"mobileNumber":"+6281200000001","firstName":"Siti","middleName":"Nur","lastName":"Aisyah","email":"siti@example.com"}`)
	expect(t, r, 200, 0)
	if r.Env.Data["accountStatus"] != "PENDING_VERIFICATION" || r.Env.Data["expiry"] != float64(300) || r.Env.Message != "Success" {
		t.Fatalf("register: %s", r.Raw)
	}
	r = c.get("/customer-account-inquiry/?mobileNumber=081200000001")
	expect(t, r, 200, 0)
	if r.Env.Data["accountStatus"] != "PENDING_VERIFICATION" {
		t.Fatalf("inquiry before verification: %s", r.Raw)
	}
	r = c.post("/validate-otp/", `{"mobileNumber":"081200000001","otp":"`+s.LastOTP("6281200000001")+`","purpose":"REGISTRATION"}`)
	expect(t, r, 200, 0)
	if r.Env.Data["accountStatus"] != "ACTIVE" || r.Env.Data["expiresIn"] != float64(86400) {
		t.Fatalf("validate: %s", r.Raw)
	}
	r = s.Do(apptest.Request{Method: "GET", Path: "/customer-account-inquiry?mobileNumber=6281200000001", PartnerID: c.id, Secret: c.secret,
		Header: map[string]string{"Accept-Language": "id-ID,id;q=0.9"}})
	expect(t, r, 200, 0)
	d := r.Env.Data
	want := map[string]any{"firstName": "Siti", "middleName": "Nur", "lastName": "Aisyah", "fullName": "Siti Nur Aisyah",
		"accountType": "BASIC", "accountStatus": "ACTIVE", "customerType": "INDIVIDUAL", "email": "siti@example.com",
		"mobileNumber": "6281200000001", "kycStatus": "UNVERIFIED"}
	for k, v := range want {
		if d[k] != v {
			t.Errorf("inquiry %s = %v, want %v", k, d[k], v)
		}
	}
	bal, _ := d["balance"].(map[string]any)
	if bal["availableBalance"] != "0" || bal["pocketId"] == "" || r.Env.Message != "Berhasil" {
		t.Fatalf("inquiry balance/message: %s", r.Raw)
	}
	// A login through a second partner binds the customer there too.
	other := newClient(s, "PARTNER")
	expect(t, other.get("/customer-account-inquiry/?mobileNumber=081200000001"), 403, 21)
}

func errorCodes(t *testing.T, s *apptest.Stack) {
	c := newClient(s, "PARTNER")
	channel := newClient(s, "CHANNEL")
	register(t, c, "081200000002")
	expect(t, c.post("/register-customer/", `{"mobileNumber":"081200000003","firstName":"Pending"}`), 200, 0)

	big := `{"mobileNumber":"081200000009","firstName":"` + strings.Repeat("x", 70<<10) + `"}`
	tests := []struct {
		name         string
		req          apptest.Request
		status, code int
		msg          string
	}{
		{"malformed JSON is 10", apptest.Request{Method: "POST", Path: "/register-customer/", Body: `{"mobileNumber":`}, 400, 10, "body"},
		{"wrong type is 10 naming the field", apptest.Request{Method: "POST", Path: "/register-customer/", Body: `{"mobileNumber":81200000009,"firstName":"A"}`}, 400, 10, "mobileNumber"},
		{"missing field is 10 naming the field", apptest.Request{Method: "POST", Path: "/register-customer/", Body: `{"mobileNumber":"081200000009"}`}, 400, 10, "firstName"},
		{"array body is 10", apptest.Request{Method: "POST", Path: "/register-customer/", Body: `[1,2]`}, 400, 10, "body"},
		{"trailing garbage is 10", apptest.Request{Method: "POST", Path: "/register-customer/", Body: `{"mobileNumber":"081200000009","firstName":"A"} x`}, 400, 10, "body"},
		{"missing X-EXTERNAL-ID is 10", apptest.Request{Method: "POST", Path: "/register-customer/", Body: `{"mobileNumber":"081200000009","firstName":"A"}`, ExternalID: "-"}, 400, 10, "X-EXTERNAL-ID"},
		{"missing query mobile is 10", apptest.Request{Method: "GET", Path: "/customer-account-inquiry/"}, 400, 10, "mobileNumber"},
		{"non-numeric otp is 10", apptest.Request{Method: "POST", Path: "/validate-otp/", Body: `{"mobileNumber":"081200000002","otp":"12345a"}`}, 400, 10, "otp"},
		{"landline is 11", apptest.Request{Method: "POST", Path: "/register-customer/", Body: `{"mobileNumber":"0215551234","firstName":"A"}`}, 400, 11, ""},
		{"garbage number is 11", apptest.Request{Method: "GET", Path: "/customer-account-inquiry/?mobileNumber=abc"}, 400, 11, ""},
		{"body over 64 KiB is 12", apptest.Request{Method: "POST", Path: "/register-customer/", Body: big}, 413, 12, ""},
		{"unknown number is 21, as an unbound one", apptest.Request{Method: "GET", Path: "/customer-account-inquiry/?mobileNumber=081299999999"}, 403, 21, ""},
		{"unknown number OTP is 30", apptest.Request{Method: "GET", Path: "/pil-partner-get-otp/?mobileNumber=081299999999"}, 404, 30, ""},
		{"unknown path is 30", apptest.Request{Method: "GET", Path: "/nope/"}, 404, 30, ""},
		{"registered number is 31", apptest.Request{Method: "POST", Path: "/register-customer/", Body: `{"mobileNumber":"081200000002","firstName":"A"}`}, 409, 31, ""},
		{"login OTP for pending account is 32", apptest.Request{Method: "GET", Path: "/pil-partner-get-otp/?mobileNumber=081200000003&purpose=LOGIN"}, 403, 32, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.PartnerID, tt.req.Secret = c.id, c.secret
			switch tt.req.ExternalID {
			case "-":
				tt.req.ExternalID = ""
			case "":
				if tt.req.Method == "POST" {
					tt.req.ExternalID = c.nextKey()
				}
			}
			r := s.Do(tt.req)
			expect(t, r, tt.status, tt.code)
			if !strings.Contains(r.Env.Message, tt.msg) {
				t.Fatalf("message %q does not name %q", r.Env.Message, tt.msg)
			}
		})
	}

	stranger := newClient(s, "PARTNER")
	auth := []struct {
		name         string
		req          apptest.Request
		status, code int
	}{
		{"no headers is 20", apptest.Request{Method: "GET", Path: "/customer-account-inquiry/?mobileNumber=081200000002"}, 401, 20},
		{"unknown partner is 20", apptest.Request{Method: "GET", Path: "/customer-account-inquiry/?mobileNumber=081200000002", PartnerID: "NOPE", Secret: c.secret}, 401, 20},
		{"wrong secret is 20", apptest.Request{Method: "GET", Path: "/customer-account-inquiry/?mobileNumber=081200000002", PartnerID: c.id, Secret: "forged"}, 401, 20},
		{"stale timestamp is 20", apptest.Request{Method: "GET", Path: "/customer-account-inquiry/?mobileNumber=081200000002", PartnerID: c.id, Secret: c.secret, Timestamp: time.Now().Add(-6 * time.Minute)}, 401, 20},
		{"future timestamp is 20", apptest.Request{Method: "GET", Path: "/customer-account-inquiry/?mobileNumber=081200000002", PartnerID: c.id, Secret: c.secret, Timestamp: time.Now().Add(6 * time.Minute)}, 401, 20},
		{"unbound partner is 21", apptest.Request{Method: "GET", Path: "/customer-account-inquiry/?mobileNumber=081200000002", PartnerID: stranger.id, Secret: stranger.secret}, 403, 21},
		{"channel partner on inquiry is 21", apptest.Request{Method: "GET", Path: "/customer-account-inquiry/?mobileNumber=081200000002", PartnerID: channel.id, Secret: channel.secret}, 403, 21},
		{"channel partner registering is 21", apptest.Request{Method: "POST", Path: "/register-customer/", Body: `{"mobileNumber":"081200000008","firstName":"A"}`, PartnerID: channel.id, Secret: channel.secret, ExternalID: "ch-1"}, 403, 21},
	}
	for _, tt := range auth {
		t.Run(tt.name, func(t *testing.T) {
			r := s.Do(tt.req)
			expect(t, r, tt.status, tt.code)
		})
	}
	t.Run("forged body with a valid signature of another body is 20", func(t *testing.T) {
		req, _ := http.NewRequest("POST", s.Server.URL+"/register-customer/", strings.NewReader(`{"mobileNumber":"081200000007","firstName":"Evil"}`))
		apptest.SignRequest(req, apptest.Request{Body: `{"mobileNumber":"081200000007","firstName":"Good"}`, PartnerID: c.id, Secret: c.secret, ExternalID: "forge-1"})
		resp, err := s.Server.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
	t.Run("Indonesian message on Accept-Language id", func(t *testing.T) {
		r := s.Do(apptest.Request{Method: "GET", Path: "/pil-partner-get-otp/?mobileNumber=081299999999", PartnerID: c.id, Secret: c.secret,
			Header: map[string]string{"Accept-Language": "id"}})
		expect(t, r, 404, 30)
		if r.Env.Message != "Data tidak ditemukan" {
			t.Fatalf("message %q", r.Env.Message)
		}
	})
}

func otpRules(t *testing.T, s *apptest.Stack) {
	c := newClient(s, "PARTNER")
	expect(t, c.post("/register-customer/", `{"mobileNumber":"081200000004","firstName":"Otp"}`), 200, 0)
	code := s.LastOTP("6281200000004")
	wrong := string(rune('0'+(code[0]-'0'+1)%10)) + code[1:]

	// 43: a second code inside the 60 s cooldown.
	expect(t, c.get("/pil-partner-get-otp/?mobileNumber=081200000004"), 429, 43)
	// 40 four times, then 42 on the fifth wrong attempt, and 42 for the right code after.
	for i := range 4 {
		r := c.post("/validate-otp/", `{"mobileNumber":"081200000004","otp":"`+wrong+`"}`)
		if r.Env.Code != 40 {
			t.Fatalf("wrong attempt %d: %s", i+1, r.Raw)
		}
	}
	expect(t, c.post("/validate-otp/", `{"mobileNumber":"081200000004","otp":"`+wrong+`"}`), 429, 42)
	expect(t, c.post("/validate-otp/", `{"mobileNumber":"081200000004","otp":"`+code+`"}`), 429, 42)

	// 41: a used code.
	register(t, c, "081200000005")
	r := c.post("/validate-otp/", `{"mobileNumber":"081200000005","otp":"`+s.LastOTP("6281200000005")+`","purpose":"REGISTRATION"}`)
	expect(t, r, 400, 41)
}

func idempotency(t *testing.T, s *apptest.Stack) {
	c := newClient(s, "PARTNER")
	body := `{"mobileNumber":"081200000006","firstName":"Idem"}`
	first := s.Do(apptest.Request{Method: "POST", Path: "/register-customer/", Body: body, PartnerID: c.id, Secret: c.secret, ExternalID: "idem-1"})
	expect(t, first, 200, 0)
	again := s.Do(apptest.Request{Method: "POST", Path: "/register-customer/", Body: body, PartnerID: c.id, Secret: c.secret, ExternalID: "idem-1"})
	if again.Status != 200 || string(again.Raw) != string(first.Raw) {
		t.Fatalf("replay differs:\n%s\n%s", first.Raw, again.Raw)
	}
	// The stored answer is sealed at rest (answers carry tokens and codes).
	var stored []byte
	if err := s.DB.Bun.NewSelect().Table("idempotency_keys").Column("body").Where("key = ?", "idem-1").Scan(t.Context(), &stored); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(stored), "responseId") {
		t.Fatal("the stored answer is readable at rest")
	}
	// Same key, different body: 60.
	conflict := s.Do(apptest.Request{Method: "POST", Path: "/register-customer/", Body: `{"mobileNumber":"081200000006","firstName":"Other"}`,
		PartnerID: c.id, Secret: c.secret, ExternalID: "idem-1"})
	expect(t, conflict, 409, 60)
	// Replayed errors are replayed too.
	e1 := s.Do(apptest.Request{Method: "POST", Path: "/register-customer/", Body: body, PartnerID: c.id, Secret: c.secret, ExternalID: "idem-2"})
	expect(t, e1, 409, 31)
	e2 := s.Do(apptest.Request{Method: "POST", Path: "/register-customer/", Body: body, PartnerID: c.id, Secret: c.secret, ExternalID: "idem-2"})
	if string(e1.Raw) != string(e2.Raw) {
		t.Fatal("error replay differs")
	}
	// Keys are per partner.
	other := newClient(s, "PARTNER")
	r := s.Do(apptest.Request{Method: "POST", Path: "/register-customer/", Body: body, PartnerID: other.id, Secret: other.secret, ExternalID: "idem-1"})
	expect(t, r, 409, 31)
}

func concurrentRetries(t *testing.T, s *apptest.Stack) {
	c := newClient(s, "PARTNER")
	body := `{"mobileNumber":"081200000010","firstName":"Race"}`
	const n = 50
	out := make([]apptest.Response, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = s.Do(apptest.Request{Method: "POST", Path: "/register-customer/", Body: body, PartnerID: c.id, Secret: c.secret, ExternalID: "race-1"})
		}()
	}
	wg.Wait()
	for i, r := range out {
		if r.Status != 200 || string(r.Raw) != string(out[0].Raw) {
			t.Fatalf("response %d differs: HTTP %d %s vs %s", i, r.Status, r.Raw, out[0].Raw)
		}
	}
	var sent int
	if err := s.DB.Bun.NewSelect().Table("notifications").ColumnExpr("count(*)").Where("recipient = ?", "6281200000010").Scan(t.Context(), &sent); err != nil {
		t.Fatal(err)
	}
	if sent != 1 {
		t.Fatalf("%d OTPs queued, want exactly 1", sent)
	}
}
