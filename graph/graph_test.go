package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	coderws "github.com/coder/websocket"

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
	"github.com/dompet/wallet/domain/wallet"
	"github.com/dompet/wallet/graph"
	"github.com/dompet/wallet/internal/logcheck"
)

// ---- fixture: the real handler over a real application on memstore ----

// storeFault makes the pocket lookup fail, to prove internal errors and
// panics never reach a client. Everything else runs on memstore untouched.
type storeFault int

const (
	noFault storeFault = iota
	pocketError
	pocketPanic
)

const (
	secretErrorText = "dial tcp 10.0.0.7:5432: password authentication failed for user wallet_owner"
	secretPanicText = "runtime detail: master key 0xDEADBEEF"
)

type faultyStore struct {
	*memstore.Store
	fault storeFault
	// feedReads counts reads of the subscription feed (ForCustomer), so
	// that a test knows a subscription has started.
	feedReads *atomic.Int64
}

func (s faultyStore) Do(ctx context.Context, fn func(ctx context.Context, r app.Repos) error) error {
	return s.Store.Do(ctx, func(ctx context.Context, r app.Repos) error {
		if s.fault != noFault {
			r.Accounts = faultyAccounts{Repository: r.Accounts, fault: s.fault}
		}
		r.Events = countingEvents{EventStore: r.Events, reads: s.feedReads}
		return fn(ctx, r)
	})
}

type countingEvents struct {
	app.EventStore
	reads *atomic.Int64
}

func (e countingEvents) ForCustomer(ctx context.Context, customerID, afterID string, limit int) ([]app.Event, error) {
	defer e.reads.Add(1)
	return e.EventStore.ForCustomer(ctx, customerID, afterID, limit)
}

type faultyAccounts struct {
	wallet.Repository
	fault storeFault
}

func (a faultyAccounts) PocketOf(ctx context.Context, customerID string, _ bool) (*wallet.Account, error) {
	if a.fault == pocketPanic {
		panic(secretPanicText)
	}
	return nil, errors.New(secretErrorText)
}

// clock is a settable clock: OTP cooldowns are tested by moving it.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type fixture struct {
	t         *testing.T
	clock     *clock
	store     *memstore.Store
	feedReads *atomic.Int64
	box       *secretbox.Box
	app       *app.App
	handler   http.Handler
	logs      *syncBuffer
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newFixture(t *testing.T, f storeFault, opts ...graph.Option) *fixture {
	t.Helper()
	box, err := secretbox.New(secretbox.MasterKey(bytes.Repeat([]byte{1}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	store := memstore.New()
	cfg := app.DefaultConfig()
	cfg.OTPKey = bytes.Repeat([]byte{2}, 32)
	cfg.Money.Banks = banks.MustLoad()
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logcheck.Writer(logs), &slog.HandlerOptions{Level: slog.LevelDebug}))
	clk := &clock{now: time.Now()}
	feedReads := &atomic.Int64{}
	a := app.New(faultyStore{Store: store, fault: f, feedReads: feedReads}, clk, system.NewULIDs(), phone.NewNormalizer(), box, cfg, log, app.Gateways{Bank: bankgw.NewSimulator(bankgw.Delay(50 * time.Millisecond)), QRIS: qrisswitch.NewSimulator(bankgw.Delay(50 * time.Millisecond))})
	return &fixture{
		t: t, clock: clk, store: store, feedReads: feedReads, box: box, app: a, logs: logs,
		handler: graph.NewHandler(a, httpapi.NewValidator(), log, opts...),
	}
}

type testPartner struct {
	id     string
	secret string
}

func (f *fixture) partner(name string) testPartner {
	f.t.Helper()
	return f.partnerAs(name, "PARTNER")
}

// partnerAs creates a partner with a role: PARTNER or CHANNEL.
func (f *fixture) partnerAs(name, role string) testPartner {
	f.t.Helper()
	p, err := f.app.CreatePartner(context.Background(), app.NewPartner{Name: name, Role: role})
	if err != nil {
		f.t.Fatal(err)
	}
	logcheck.Secret("partner secret", p.Secret)
	return testPartner{id: p.Partner.ID(), secret: p.Secret}
}

// otpFor reads the last code sent to mobile (canonical form) from the
// notification outbox: the store keeps only the code's hash.
func (f *fixture) otpFor(mobile string) string {
	f.t.Helper()
	jobs := f.store.Jobs()
	for i := len(jobs) - 1; i >= 0; i-- {
		if jobs[i].Kind != memstore.JobSend {
			continue
		}
		var rec *app.NotificationRecord
		err := f.store.Do(context.Background(), func(ctx context.Context, r app.Repos) error {
			var err error
			rec, err = r.Notifications.Get(ctx, jobs[i].NotificationID, false)
			return err
		})
		if err != nil {
			f.t.Fatal(err)
		}
		if rec.To.String() != mobile {
			continue
		}
		plain, err := f.box.Open(rec.Sealed)
		if err != nil {
			f.t.Fatal(err)
		}
		var msg struct {
			Text string `json:"t"`
			OTP  string `json:"o"`
		}
		if err := json.Unmarshal(plain, &msg); err != nil {
			f.t.Fatal(err)
		}
		logcheck.Secret("OTP", msg.OTP)
		return msg.OTP
	}
	f.t.Fatalf("no OTP sent to %s", mobile)
	return ""
}

// ---- requests ----

// as says who sends a request.
type as struct {
	partner  *testPartner // X-PARTNER-ID
	sign     bool         // X-TIMESTAMP + X-SIGNATURE with the partner's secret
	badSign  bool         // a signature made with the wrong secret
	token    string       // Authorization: Bearer
	language string       // Accept-Language
	key      string       // X-EXTERNAL-ID
}

type gqlError struct {
	Message    string `json:"message"`
	Path       []any  `json:"path"`
	Extensions struct {
		Code       string `json:"code"`
		LegacyCode int    `json:"legacyCode"`
	} `json:"extensions"`
}

type response struct {
	status int
	raw    string
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

func (f *fixture) post(who as, query string, vars map[string]any) response {
	f.t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		f.t.Fatal(err)
	}
	return f.send(who, http.MethodPost, "/graphql", body)
}

func (f *fixture) get(who as, query string) response {
	f.t.Helper()
	return f.send(who, http.MethodGet, "/graphql?query="+url.QueryEscape(query), nil)
}

func (f *fixture) send(who as, method, target string, body []byte) response {
	f.t.Helper()
	contentType := ""
	if body != nil {
		contentType = "application/json"
	}
	return f.sendRaw(who, method, target, contentType, body)
}

func (f *fixture) sendRaw(who as, method, target, contentType string, body []byte) response {
	f.t.Helper()
	req := httptest.NewRequest(method, target, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if who.partner != nil {
		req.Header.Set("X-PARTNER-ID", who.partner.id)
	}
	if who.sign || who.badSign {
		secret := who.partner.secret
		if who.badSign {
			secret = "not-the-secret"
		}
		ts := f.clock.Now().Format(time.RFC3339)
		req.Header.Set("X-TIMESTAMP", ts)
		req.Header.Set("X-SIGNATURE", partner.Sign([]byte(secret), method, target, body, ts))
	}
	if who.token != "" {
		req.Header.Set("Authorization", "Bearer "+who.token)
	}
	if who.language != "" {
		req.Header.Set("Accept-Language", who.language)
	}
	if who.key != "" {
		req.Header.Set("X-EXTERNAL-ID", who.key)
	}
	logcheck.Request(body)
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, req)
	logcheck.JSON(rec.Body.Bytes())
	res := response{status: rec.Code, raw: rec.Body.String()}
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
		f.t.Fatalf("%s %s: response is not JSON (%v): %s", method, target, err, rec.Body.String())
	}
	return res
}

func (r response) decode(t *testing.T, dst any) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected errors: %s", r.raw)
	}
	if err := json.Unmarshal(r.Data, dst); err != nil {
		t.Fatalf("decode data: %v: %s", err, r.raw)
	}
}

// wantError checks the one error of a response.
func (r response) wantError(t *testing.T, status int, code string, legacy int) gqlError {
	t.Helper()
	if r.status != status {
		t.Errorf("HTTP status = %d, want %d: %s", r.status, status, r.raw)
	}
	if len(r.Errors) != 1 {
		t.Fatalf("got %d errors, want 1: %s", len(r.Errors), r.raw)
	}
	e := r.Errors[0]
	if e.Extensions.Code != code || e.Extensions.LegacyCode != legacy {
		t.Fatalf("error extensions = %s/%d, want %s/%d: %s", e.Extensions.Code, e.Extensions.LegacyCode, code, legacy, r.raw)
	}
	return e
}

// ---- operations ----

const customerFields = `id mobileNumber firstName middleName lastName fullName email accountType accountStatus customerType kycStatus balance { pocketId availableBalance }`

const registerMutation = `mutation($input: RegisterCustomerInput!) {
	registerCustomer(input: $input) { otpExpiresIn customer { ` + customerFields + ` } }
}`

const validateMutation = `mutation($input: ValidateOtpInput!) {
	validateOtp(input: $input) { purpose accessToken expiresIn customer { mobileNumber accountStatus } }
}`

const meQuery = `{ me { ` + customerFields + ` } }`

const inquiryQuery = `query($m: String!) { customer(mobileNumber: $m) { ` + customerFields + ` } }`

type customerData struct {
	ID            string  `json:"id"`
	MobileNumber  string  `json:"mobileNumber"`
	FirstName     string  `json:"firstName"`
	MiddleName    *string `json:"middleName"`
	LastName      *string `json:"lastName"`
	FullName      string  `json:"fullName"`
	Email         *string `json:"email"`
	AccountType   string  `json:"accountType"`
	AccountStatus string  `json:"accountStatus"`
	CustomerType  string  `json:"customerType"`
	KycStatus     string  `json:"kycStatus"`
	Balance       struct {
		PocketID         string `json:"pocketId"`
		AvailableBalance any    `json:"availableBalance"`
	} `json:"balance"`
}

func registerInput(mobile string) map[string]any {
	return map[string]any{"input": map[string]any{
		"mobileNumber": mobile, "firstName": "Budi", "lastName": "Santoso", "email": "budi@example.co.id",
	}}
}

func (f *fixture) register(who as, mobile string) customerData {
	f.t.Helper()
	var out struct {
		RegisterCustomer struct {
			OtpExpiresIn int          `json:"otpExpiresIn"`
			Customer     customerData `json:"customer"`
		} `json:"registerCustomer"`
	}
	f.post(who, registerMutation, registerInput(mobile)).decode(f.t, &out)
	return out.RegisterCustomer.Customer
}

// login registers mobile through p's frontend and validates the
// REGISTRATION OTP, returning the access token.
func (f *fixture) login(p *testPartner, mobile string) string {
	f.t.Helper()
	c := f.register(as{partner: p}, mobile)
	var out struct {
		ValidateOtp struct {
			AccessToken string `json:"accessToken"`
		} `json:"validateOtp"`
	}
	f.post(as{partner: p}, validateMutation, map[string]any{"input": map[string]any{
		"mobileNumber": mobile, "otp": f.otpFor(c.MobileNumber),
	}}).decode(f.t, &out)
	return out.ValidateOtp.AccessToken
}

// ---- tests ----

func TestFrontendRegistersValidatesOTPAndReadsMe(t *testing.T) {
	t.Parallel()
	f := newFixture(t, noFault)
	p := f.partner("ojek")
	frontend := as{partner: &p}

	var reg struct {
		RegisterCustomer struct {
			OtpExpiresIn int          `json:"otpExpiresIn"`
			Customer     customerData `json:"customer"`
		} `json:"registerCustomer"`
	}
	f.post(frontend, registerMutation, registerInput("081234567890")).decode(t, &reg)
	c := reg.RegisterCustomer.Customer
	if c.MobileNumber != "6281234567890" || c.AccountStatus != "PENDING_VERIFICATION" || c.FullName != "Budi Santoso" {
		t.Fatalf("registered customer = %+v", c)
	}
	if c.MiddleName != nil || c.AccountType != "BASIC" || c.KycStatus != "UNVERIFIED" || c.CustomerType != "INDIVIDUAL" {
		t.Fatalf("registered customer = %+v", c)
	}
	if c.Balance.PocketID == "" || c.Balance.AvailableBalance != "0" {
		t.Fatalf("registered balance = %+v, want a pocket with \"0\"", c.Balance)
	}
	if reg.RegisterCustomer.OtpExpiresIn <= 0 || reg.RegisterCustomer.OtpExpiresIn > 300 {
		t.Fatalf("otpExpiresIn = %d", reg.RegisterCustomer.OtpExpiresIn)
	}

	var val struct {
		ValidateOtp struct {
			Purpose     string `json:"purpose"`
			AccessToken string `json:"accessToken"`
			ExpiresIn   int    `json:"expiresIn"`
			Customer    struct {
				MobileNumber  string `json:"mobileNumber"`
				AccountStatus string `json:"accountStatus"`
			} `json:"customer"`
		} `json:"validateOtp"`
	}
	f.post(frontend, validateMutation, map[string]any{"input": map[string]any{
		"mobileNumber": "+6281234567890", "otp": f.otpFor(c.MobileNumber), "purpose": "REGISTRATION",
	}}).decode(t, &val)
	v := val.ValidateOtp
	if v.Purpose != "REGISTRATION" || v.AccessToken == "" || v.ExpiresIn != 86400 || v.Customer.AccountStatus != "ACTIVE" {
		t.Fatalf("validateOtp = %+v", v)
	}

	var me struct {
		Me customerData `json:"me"`
	}
	f.post(as{partner: &p, token: v.AccessToken}, meQuery, nil).decode(t, &me)
	if me.Me.ID != c.ID || me.Me.MobileNumber != "6281234567890" || me.Me.AccountStatus != "ACTIVE" {
		t.Fatalf("me = %+v", me.Me)
	}
	if me.Me.Balance.PocketID != c.Balance.PocketID || me.Me.Balance.AvailableBalance != "0" {
		t.Fatalf("me balance = %+v, want pocket %s with \"0\"", me.Me.Balance, c.Balance.PocketID)
	}
	if me.Me.Email == nil || *me.Me.Email != "budi@example.co.id" {
		t.Fatalf("me email = %v", me.Me.Email)
	}

	// GET works for queries too.
	f.get(as{partner: &p, token: v.AccessToken}, `{ me { mobileNumber } }`).decode(t, &me)
	if me.Me.MobileNumber != "6281234567890" {
		t.Fatalf("GET me = %+v", me.Me)
	}
}

func TestRequestOTP(t *testing.T) {
	t.Parallel()
	f := newFixture(t, noFault)
	p := f.partner("ojek")
	f.login(&p, "081234567891")
	other := f.partner("kurir")
	const request = `mutation { requestOtp(input: {mobileNumber: "081234567891", purpose: LOGIN}) { expiresIn purpose } }`

	// The registration code was sent a moment ago: the resend cooldown.
	f.post(as{partner: &other}, request, nil).wantError(t, http.StatusOK, "OTP_TOO_FREQUENT", 43)

	// Any partner may ask for a LOGIN code: that is how a customer binds to
	// another partner.
	f.clock.Advance(61 * time.Second)
	var out struct {
		RequestOtp struct {
			ExpiresIn int    `json:"expiresIn"`
			Purpose   string `json:"purpose"`
		} `json:"requestOtp"`
	}
	f.post(as{partner: &other}, request, nil).decode(t, &out)
	if out.RequestOtp.Purpose != "LOGIN" || out.RequestOtp.ExpiresIn != 300 {
		t.Fatalf("requestOtp = %+v", out.RequestOtp)
	}

	// The LOGIN code binds the customer to the other partner and logs in.
	var val struct {
		ValidateOtp struct {
			Purpose     string `json:"purpose"`
			AccessToken string `json:"accessToken"`
		} `json:"validateOtp"`
	}
	f.post(as{partner: &other}, validateMutation, map[string]any{"input": map[string]any{
		"mobileNumber": "081234567891", "otp": f.otpFor("6281234567891"), "purpose": "LOGIN",
	}}).decode(t, &val)
	if val.ValidateOtp.Purpose != "LOGIN" || val.ValidateOtp.AccessToken == "" {
		t.Fatalf("validateOtp = %+v", val.ValidateOtp)
	}
	var inquiry struct {
		Customer struct {
			MobileNumber string `json:"mobileNumber"`
		} `json:"customer"`
	}
	f.post(as{partner: &other, sign: true}, inquiryQuery, map[string]any{"m": "081234567891"}).decode(t, &inquiry)
	if inquiry.Customer.MobileNumber != "6281234567891" {
		t.Fatalf("inquiry after LOGIN = %+v", inquiry.Customer)
	}
}

func TestSignedPartnerInquiresCustomer(t *testing.T) {
	t.Parallel()
	f := newFixture(t, noFault)
	p := f.partner("ojek")
	server := as{partner: &p, sign: true}
	c := f.register(server, "6281234567892")

	var out struct {
		Customer customerData `json:"customer"`
	}
	f.post(server, inquiryQuery, map[string]any{"m": "081234567892"}).decode(t, &out)
	if out.Customer.ID != c.ID || out.Customer.MobileNumber != "6281234567892" || out.Customer.Balance.AvailableBalance != "0" {
		t.Fatalf("customer = %+v", out.Customer)
	}

	// A signed GET covers the query string.
	f.get(server, `{ customer(mobileNumber: "081234567892") { id kycStatus } }`).decode(t, &out)
	if out.Customer.ID != c.ID || out.Customer.KycStatus != "UNVERIFIED" {
		t.Fatalf("GET customer = %+v", out.Customer)
	}
}

func TestErrorsCarryCodeAndLegacyCode(t *testing.T) {
	t.Parallel()
	f := newFixture(t, noFault)
	p := f.partner("ojek")
	other := f.partner("kurir")
	unknown := testPartner{id: "01JUNKNOWNPARTNER00000000000", secret: "x"}
	registered := f.register(as{partner: &p}, "081234567893")
	token := f.login(&p, "081234567894")

	tests := []struct {
		name   string
		send   func() response
		status int
		code   string
		legacy int
		msg    string // a substring of the message, when it matters
	}{
		{
			name:   "invalid mobile number is 11",
			send:   func() response { return f.post(as{partner: &p}, registerMutation, registerInput("12345")) },
			status: http.StatusOK, code: "INVALID_MOBILE_NUMBER", legacy: 11,
		},
		{
			name: "missing required field is 10 naming the field",
			send: func() response {
				return f.post(as{partner: &p}, registerMutation, map[string]any{"input": map[string]any{"mobileNumber": "081234567895", "firstName": ""}})
			},
			status: http.StatusOK, code: "INVALID_REQUEST", legacy: 10, msg: "firstName is required",
		},
		{
			name: "non-numeric otp is 10 naming the field",
			send: func() response {
				return f.post(as{partner: &p}, validateMutation, map[string]any{"input": map[string]any{"mobileNumber": "081234567893", "otp": "12ab56"}})
			},
			status: http.StatusOK, code: "INVALID_REQUEST", legacy: 10, msg: "otp must contain digits only",
		},
		{
			name: "bad signature is 20 with HTTP 401",
			send: func() response {
				return f.post(as{partner: &p, badSign: true}, inquiryQuery, map[string]any{"m": "081234567893"})
			},
			status: http.StatusUnauthorized, code: "UNAUTHENTICATED", legacy: 20,
		},
		{
			name:   "unknown partner is 20 with HTTP 401",
			send:   func() response { return f.post(as{partner: &unknown}, registerMutation, registerInput("081234567896")) },
			status: http.StatusUnauthorized, code: "UNAUTHENTICATED", legacy: 20,
		},
		{
			name:   "missing X-PARTNER-ID is 20 with HTTP 401",
			send:   func() response { return f.post(as{}, meQuery, nil) },
			status: http.StatusUnauthorized, code: "UNAUTHENTICATED", legacy: 20, msg: "X-PARTNER-ID",
		},
		{
			name:   "unknown bearer token is 20 with HTTP 401",
			send:   func() response { return f.post(as{partner: &p, token: "not-a-token"}, meQuery, nil) },
			status: http.StatusUnauthorized, code: "UNAUTHENTICATED", legacy: 20,
		},
		{
			name:   "token used through another partner is 20 with HTTP 401",
			send:   func() response { return f.post(as{partner: &other, token: token}, meQuery, nil) },
			status: http.StatusUnauthorized, code: "UNAUTHENTICATED", legacy: 20,
		},
		{
			name:   "customer inquiry without signature is 20",
			send:   func() response { return f.post(as{partner: &p}, inquiryQuery, map[string]any{"m": "081234567893"}) },
			status: http.StatusOK, code: "UNAUTHENTICATED", legacy: 20, msg: "X-SIGNATURE",
		},
		{
			name: "customer inquiry with only a customer token is 20",
			send: func() response {
				return f.post(as{partner: &p, token: token}, inquiryQuery, map[string]any{"m": "081234567894"})
			},
			status: http.StatusOK, code: "UNAUTHENTICATED", legacy: 20,
		},
		{
			name:   "me without a customer token is 20",
			send:   func() response { return f.post(as{partner: &p, sign: true}, meQuery, nil) },
			status: http.StatusOK, code: "UNAUTHENTICATED", legacy: 20, msg: "Authorization",
		},
		{
			name:   "logout without a customer token is 20",
			send:   func() response { return f.post(as{partner: &p}, `mutation { logout }`, nil) },
			status: http.StatusOK, code: "UNAUTHENTICATED", legacy: 20,
		},
		{
			name: "inquiry by a partner the customer is not bound to is 21",
			send: func() response {
				return f.post(as{partner: &other, sign: true}, inquiryQuery, map[string]any{"m": "081234567893"})
			},
			status: http.StatusOK, code: "FORBIDDEN", legacy: 21,
		},
		{
			name: "inquiry for an unknown number is 21, as for an unbound one",
			send: func() response {
				return f.post(as{partner: &p, sign: true}, inquiryQuery, map[string]any{"m": "081299999999"})
			},
			status: http.StatusOK, code: "FORBIDDEN", legacy: 21,
		},
		{
			name: "an unknown transaction is 30",
			send: func() response {
				return f.post(as{partner: &p, sign: true}, `{ transaction(reffId: "01KZZZZZZZZZZZZZZZZZZZZZZZ") { reffId } }`, nil)
			},
			status: http.StatusOK, code: "NOT_FOUND", legacy: 30,
		},
		{
			name: "wrong OTP is 40",
			send: func() response {
				return f.post(as{partner: &p}, validateMutation, map[string]any{"input": map[string]any{
					"mobileNumber": "081234567893", "otp": wrongCode(f.otpFor(registered.MobileNumber)),
				}})
			},
			status: http.StatusOK, code: "OTP_INVALID", legacy: 40,
		},
		{
			name:   "registering a registered number is 31",
			send:   func() response { return f.post(as{partner: &p}, registerMutation, registerInput("6281234567894")) },
			status: http.StatusOK, code: "ALREADY_REGISTERED", legacy: 31,
		},
		{
			name: "body over 64 KiB is 12 with HTTP 413",
			send: func() response {
				return f.post(as{partner: &p}, `{ me { id } }`+strings.Repeat(" ", httpapi.MaxBody), nil)
			},
			status: http.StatusRequestEntityTooLarge, code: "REQUEST_TOO_LARGE", legacy: 12,
		},
		{
			name:   "parse error keeps gqlgen's code with legacy 10",
			send:   func() response { return f.post(as{partner: &p}, `{ me { id `, nil) },
			status: http.StatusUnprocessableEntity, code: "GRAPHQL_PARSE_FAILED", legacy: 10,
		},
		{
			name:   "validation error keeps gqlgen's code with legacy 10",
			send:   func() response { return f.post(as{partner: &p}, `{ me { noSuchField } }`, nil) },
			status: http.StatusUnprocessableEntity, code: "GRAPHQL_VALIDATION_FAILED", legacy: 10, msg: "noSuchField",
		},
		{
			name: "bad enum in variables keeps gqlgen's code with legacy 10",
			send: func() response {
				return f.post(as{partner: &p}, validateMutation, map[string]any{"input": map[string]any{
					"mobileNumber": "081234567893", "otp": "123456", "purpose": "PAYMENT",
				}})
			},
			status: http.StatusUnprocessableEntity, code: "GRAPHQL_VALIDATION_FAILED", legacy: 10,
		},
		{
			name:   "undecodable JSON body is 10",
			send:   func() response { return f.send(as{partner: &p}, http.MethodPost, "/graphql", []byte(`{"query": `)) },
			status: http.StatusBadRequest, code: "INVALID_REQUEST", legacy: 10,
		},
		{
			name: "POST that is not JSON is 10 with HTTP 415",
			send: func() response {
				return f.sendRaw(as{partner: &p}, http.MethodPost, "/graphql", "text/plain", []byte(`{ me { id } }`))
			},
			status: http.StatusUnsupportedMediaType, code: "INVALID_REQUEST", legacy: 10, msg: "Content-Type",
		},
		{
			name:   "mutation over GET is 10 with HTTP 405",
			send:   func() response { return f.get(as{partner: &p}, `mutation { logout }`) },
			status: http.StatusMethodNotAllowed, code: "INVALID_REQUEST", legacy: 10, msg: "POST",
		},
		{
			name:   "other methods are 10 with HTTP 405",
			send:   func() response { return f.send(as{partner: &p}, http.MethodPut, "/graphql", []byte(`{}`)) },
			status: http.StatusMethodNotAllowed, code: "INVALID_REQUEST", legacy: 10,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := tc.send().wantError(t, tc.status, tc.code, tc.legacy)
			if tc.msg != "" && !strings.Contains(e.Message, tc.msg) {
				t.Errorf("message %q does not contain %q", e.Message, tc.msg)
			}
		})
	}
}

func wrongCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

func TestLogoutRevokesTheToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t, noFault)
	p := f.partner("ojek")
	token := f.login(&p, "081234567897")
	customer := as{partner: &p, token: token}

	var out struct {
		Logout bool `json:"logout"`
	}
	f.post(customer, `mutation { logout }`, nil).decode(t, &out)
	if !out.Logout {
		t.Fatal("logout = false")
	}
	f.post(customer, meQuery, nil).wantError(t, http.StatusUnauthorized, "UNAUTHENTICATED", 20)
}

func TestAcceptLanguageIndonesian(t *testing.T) {
	t.Parallel()
	f := newFixture(t, noFault)
	p := f.partner("ojek")
	c := f.register(as{partner: &p}, "081234567898")

	wrong := map[string]any{"input": map[string]any{"mobileNumber": c.MobileNumber, "otp": wrongCode(f.otpFor(c.MobileNumber))}}
	e := f.post(as{partner: &p, language: "id-ID,id;q=0.9"}, validateMutation, wrong).wantError(t, http.StatusOK, "OTP_INVALID", 40)
	if e.Message != "OTP tidak valid" {
		t.Errorf("message = %q, want Indonesian", e.Message)
	}
	e = f.post(as{partner: &p, language: "en"}, validateMutation, wrong).wantError(t, http.StatusOK, "OTP_INVALID", 40)
	if e.Message != "OTP invalid" {
		t.Errorf("message = %q, want English", e.Message)
	}
	e = f.post(as{partner: &p, badSign: true, language: "id"}, meQuery, nil).wantError(t, http.StatusUnauthorized, "UNAUTHENTICATED", 20)
	if e.Message != "Autentikasi gagal" {
		t.Errorf("middleware message = %q, want Indonesian", e.Message)
	}
}

func TestInternalErrorsNeverLeak(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		fault storeFault
		text  string
	}{
		{"store error", pocketError, secretErrorText},
		{"panic", pocketPanic, secretPanicText},
	} {
		t.Run(tc.name+" is 99 without detail", func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tc.fault)
			p := f.partner("ojek")
			res := f.post(as{partner: &p, sign: true}, registerMutation, registerInput("081234567899"))
			// The registration itself succeeds; only the balance (the
			// pocket lookup) fails, as a field error.
			if len(res.Errors) != 1 {
				t.Fatalf("errors = %s", res.raw)
			}
			e := res.Errors[0]
			if e.Extensions.Code != "INTERNAL" || e.Extensions.LegacyCode != 99 || e.Message != "Internal error" {
				t.Fatalf("error = %+v", e)
			}
			for _, leak := range []string{tc.text, "5432", "DEADBEEF", "panic", "goroutine"} {
				if strings.Contains(res.raw, leak) {
					t.Fatalf("response leaks %q: %s", leak, res.raw)
				}
			}
			if !strings.Contains(f.logs.String(), strings.Split(tc.text, ":")[0]) {
				t.Errorf("the log lacks the internal error: %s", f.logs.String())
			}
		})
	}
}

func TestComplexityLimit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, noFault, graph.WithComplexityLimit(3))
	p := f.partner("ojek")
	f.post(as{partner: &p, sign: true}, meQuery, nil).wantError(t, http.StatusOK, "COMPLEXITY_LIMIT_EXCEEDED", 10)
}

func TestIntrospectionIsOn(t *testing.T) {
	t.Parallel()
	f := newFixture(t, noFault)
	p := f.partner("ojek")
	var out struct {
		Type struct {
			Name string `json:"name"`
			Kind string `json:"kind"`
		} `json:"__type"`
	}
	f.post(as{partner: &p}, `{ __type(name: "Money") { name kind } }`, nil).decode(t, &out)
	if out.Type.Name != "Money" || out.Type.Kind != "SCALAR" {
		t.Fatalf("__type = %+v", out.Type)
	}
}

func TestWebsocketAuthenticatesFromConnectionInit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, noFault)
	p := f.partner("ojek")
	token := f.login(&p, "081234567800")
	srv := httptest.NewServer(f.handler)
	t.Cleanup(srv.Close)
	wsURL := "ws" + strings.TrimPrefix(srv.URL, "http") + "/graphql"

	dial := func(t *testing.T, payload map[string]any) (*coderws.Conn, context.Context) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		t.Cleanup(cancel)
		conn, _, err := coderws.Dial(ctx, wsURL, &coderws.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = conn.CloseNow() })
		writeWS(ctx, t, conn, map[string]any{"type": "connection_init", "payload": payload})
		return conn, ctx
	}

	t.Run("customer token in the payload reaches me", func(t *testing.T) {
		t.Parallel()
		conn, ctx := dial(t, map[string]any{"X-PARTNER-ID": p.id, "Authorization": "Bearer " + token})
		if msg := readWS(ctx, t, conn); msg["type"] != "connection_ack" {
			t.Fatalf("got %v, want connection_ack", msg)
		}
		writeWS(ctx, t, conn, map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": "{ me { mobileNumber } }"}})
		msg := readWS(ctx, t, conn)
		if msg["type"] != "next" {
			t.Fatalf("got %v, want next", msg)
		}
		b, _ := json.Marshal(msg["payload"])
		if !strings.Contains(string(b), `"mobileNumber":"6281234567800"`) {
			t.Fatalf("payload = %s", b)
		}
	})

	t.Run("unknown partner is refused", func(t *testing.T) {
		t.Parallel()
		conn, ctx := dial(t, map[string]any{"X-PARTNER-ID": "nobody"})
		for {
			_, data, err := conn.Read(ctx)
			if err != nil {
				return // closed without an ack
			}
			var msg map[string]any
			_ = json.Unmarshal(data, &msg)
			if msg["type"] == "connection_ack" {
				t.Fatalf("unknown partner was acknowledged")
			}
		}
	})
}

func writeWS(ctx context.Context, t *testing.T, conn *coderws.Conn, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.Write(ctx, coderws.MessageText, b); err != nil {
		t.Fatal(err)
	}
}

func readWS(ctx context.Context, t *testing.T, conn *coderws.Conn) map[string]any {
	t.Helper()
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var msg map[string]any
		if err := json.Unmarshal(data, &msg); err != nil {
			t.Fatal(err)
		}
		if msg["type"] == "ping" || msg["type"] == "ka" {
			continue
		}
		return msg
	}
}
