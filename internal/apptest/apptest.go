// Package apptest assembles the real application and HTTP stack on a test
// database, with helpers to sign requests and read the OTPs the console
// notifier would print.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dompet/wallet/adapters/bankgw"
	"github.com/dompet/wallet/adapters/banks"
	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/adapters/httpapi"
	"github.com/dompet/wallet/adapters/jobs"
	"github.com/dompet/wallet/adapters/phone"
	"github.com/dompet/wallet/adapters/qrisswitch"
	"github.com/dompet/wallet/adapters/rest"
	"github.com/dompet/wallet/adapters/secretbox"
	"github.com/dompet/wallet/adapters/system"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/internal/logcheck"
)

// SimDelay is how long the bank simulator keeps …9999 and …8888 transfers
// pending in tests.
const SimDelay = time.Second

// Stack is a running server over one database.
type Stack struct {
	t      testing.TB
	DB     *bunstore.DB
	App    *app.App
	Box    *secretbox.Box
	Server *httptest.Server
}

// Mount lets a test add handlers (GraphQL) built from the same app.
type Mount func(a *app.App, log *slog.Logger) rest.Mounts

// Option changes how New builds the stack.
type Option func(*Options)

// WithObserver gives the application an observer (metrics).
func WithObserver(o app.Observer) Option { return func(op *Options) { op.observer = o } }

// WithGateways changes the application's outbound ports (a test decorates
// them, or sets a tracer).
func WithGateways(change func(app.Gateways) app.Gateways) Option {
	return func(op *Options) { op.gateways = change }
}

// WithSignatureLimiter makes the REST door count failed signatures in f
// (share it with a SNAP or GraphQL door).
func WithSignatureLimiter(f *httpapi.FailLimiter) Option {
	return func(op *Options) { op.SignatureLimiter = f }
}

// WithMiddleware wraps the whole HTTP surface, as the server's outermost
// layers (metrics, tracing) do.
func WithMiddleware(wrap func(http.Handler) http.Handler) Option {
	return func(op *Options) { op.wrap = wrap }
}

// New builds the stack; mount may be nil.
func New(t testing.TB, db *bunstore.DB, mount Mount, opts ...Option) *Stack {
	var o Options
	for _, opt := range opts {
		opt(&o)
	}
	t.Helper()
	return NewWith(t, db, mount, o)
}

// Options adjust a stack.
type Options struct {
	Config         func(*app.Config)    // changes the application settings
	SignatureLimit *rest.SignatureLimit // replaces rest.DefaultSignatureLimit
	// SignatureLimiter, when set, is the REST door's failed-signature
	// limiter (share it with a SNAP or GraphQL door); it wins over
	// SignatureLimit.
	SignatureLimiter *httpapi.FailLimiter
	HTTPLimits       *rest.HTTPLimits // serves with these limits (rest.NewHTTPServer)

	observer app.Observer
	wrap     func(http.Handler) http.Handler
	gateways func(app.Gateways) app.Gateways
}

// NewWith builds the stack with options; mount may be nil.
func NewWith(t testing.TB, db *bunstore.DB, mount Mount, o Options) *Stack {
	t.Helper()
	log := Logger(t)
	key := secretbox.MasterKey(bytes.Repeat([]byte{42}, 32))
	box, err := secretbox.New(key)
	if err != nil {
		t.Fatal(err)
	}
	ins, err := jobs.NewInserter(db, log)
	if err != nil {
		t.Fatal(err)
	}
	cfg := app.DefaultConfig()
	cfg.OTPKey = key.Derive("otp")
	cfg.IdempotencyWait = 5 * time.Second
	cfg.Money.Banks = banks.MustLoad()
	if o.Config != nil {
		o.Config(&cfg)
	}
	ids := system.NewULIDs()
	// Pending bank transfers settle quickly in tests (simulator rules in
	// adapters/bankgw).
	gw := app.Gateways{Bank: bankgw.NewSimulator(bankgw.Delay(SimDelay)), QRIS: qrisswitch.NewSimulator(bankgw.Delay(SimDelay)), Observer: o.observer}
	if o.gateways != nil {
		gw = o.gateways(gw)
	}
	a := app.New(bunstore.NewUnitOfWork(db, ins.Bind, box), system.Clock{}, ids, phone.NewNormalizer(), box, cfg, log, gw)
	var m rest.Mounts
	if mount != nil {
		m = mount(a, log)
	}
	rs := rest.NewServer(a, httpapi.NewValidator(), ids, db, log)
	if o.SignatureLimit != nil {
		rs.SetSignatureLimit(*o.SignatureLimit)
	}
	if o.SignatureLimiter != nil {
		rs.SetSignatureLimiter(o.SignatureLimiter)
	}
	h := rs.Handler(m)
	if o.wrap != nil {
		h = o.wrap(h)
	}
	srv := httptest.NewUnstartedServer(h)
	if o.HTTPLimits != nil {
		srv.Config = rest.NewHTTPServer(srv.Config.Handler, *o.HTTPLimits)
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return &Stack{t: t, DB: db, App: a, Box: box, Server: srv}
}

// Partner creates a partner and returns its id and secret.
func (s *Stack) Partner(role string) (id, secret string) {
	s.t.Helper()
	return s.PartnerWith(app.NewPartner{Name: "Test " + role, Role: role})
}

// PartnerWith creates the partner n describes (the bank gateway, say).
func (s *Stack) PartnerWith(n app.NewPartner) (id, secret string) {
	s.t.Helper()
	res, err := s.App.CreatePartner(context.Background(), n)
	if err != nil {
		s.t.Fatal(err)
	}
	logcheck.Secret("partner secret", res.Secret)
	return res.Partner.ID(), res.Secret
}

// LastOTP opens the newest queued message to a canonical number.
func (s *Stack) LastOTP(mobile string) string {
	s.t.Helper()
	var sealed []byte
	err := s.DB.Bun.NewSelect().Table("notifications").Column("sealed").Where("recipient = ?", mobile).
		Order("created_at DESC", "id DESC").Limit(1).Scan(context.Background(), &sealed)
	if err != nil {
		s.t.Fatalf("no OTP for %s: %v", mobile, err)
	}
	plain, err := s.Box.Open(sealed)
	if err != nil {
		s.t.Fatal(err)
	}
	var m struct {
		O string `json:"o"`
	}
	if err := json.Unmarshal(plain, &m); err != nil || m.O == "" {
		s.t.Fatalf("queued message has no OTP: %v", err)
	}
	logcheck.Secret("OTP", m.O)
	return m.O
}

// Request describes one call.
type Request struct {
	Method, Path string
	Body         string
	PartnerID    string
	Secret       string
	ExternalID   string
	Header       map[string]string
	Timestamp    time.Time // zero: now
}

// Response is a decoded REST answer.
type Response struct {
	Status int
	Header http.Header
	Raw    []byte
	Env    struct {
		ResponseID string         `json:"responseId"`
		Code       int            `json:"code"`
		Message    string         `json:"message"`
		Data       map[string]any `json:"data"`
	}
}

// Do signs (when Secret is set) and sends a request.
func (s *Stack) Do(r Request) Response {
	s.t.Helper()
	req, err := http.NewRequest(r.Method, s.Server.URL+r.Path, strings.NewReader(r.Body))
	if err != nil {
		s.t.Fatal(err)
	}
	SignRequest(req, r)
	logcheck.Request([]byte(r.Body))
	resp, err := s.Server.Client().Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out Response
	out.Status = resp.StatusCode
	out.Header = resp.Header
	out.Raw, _ = io.ReadAll(resp.Body)
	logcheck.JSON(out.Raw)
	if err := json.Unmarshal(out.Raw, &out.Env); err != nil && resp.Header.Get("Content-Type") != "" &&
		strings.Contains(resp.Header.Get("Content-Type"), "json") {
		s.t.Fatalf("response is not JSON: %s", out.Raw)
	}
	return out
}

// SignRequest sets the SPEC §4 headers on req.
func SignRequest(req *http.Request, r Request) {
	if r.PartnerID != "" {
		req.Header.Set("X-PARTNER-ID", r.PartnerID)
	}
	ts := r.Timestamp
	if ts.IsZero() {
		ts = time.Now()
	}
	stamp := ts.In(time.FixedZone("WIB", 7*3600)).Format(time.RFC3339)
	if r.Secret != "" {
		req.Header.Set("X-TIMESTAMP", stamp)
		req.Header.Set("X-SIGNATURE", partner.Sign([]byte(r.Secret), req.Method, req.URL.RequestURI(), []byte(r.Body), stamp))
	}
	if r.ExternalID != "" {
		req.Header.Set("X-EXTERNAL-ID", r.ExternalID)
	}
	if r.Body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
}

// Logger is the logger of a test's server: every line at every level goes to
// the logcheck sink (TestMain fails on a secret in any of them); warnings and
// errors also show in the test output.
func Logger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewMultiHandler(
		slog.NewJSONHandler(logcheck.Writer(nil), &slog.HandlerOptions{Level: slog.LevelDebug}),
		slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
