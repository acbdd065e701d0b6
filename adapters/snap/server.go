// Package snap is the SNAP BI door (SNAP.md): the /snap/v1.0 paths, B2B
// access tokens, SNAP signatures, responseCode answers and X-EXTERNAL-ID
// idempotency per calendar day. Like the legacy REST door it only
// translates: every decision is made in app.
package snap

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"github.com/dompet/wallet/adapters/httpapi"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-playground/validator/v10"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/wallet"
)

// Prefix is fixed in this product (SNAP.md §6).
const Prefix = "/snap/v1.0"

// maxBody bounds request bodies, as on the legacy door.
const maxBody = 64 << 10

// Server holds the SNAP handlers.
type Server struct {
	app      *app.App
	validate *validator.Validate
	ids      app.IDs
	log      *slog.Logger
	now      func() time.Time
	sigFails *httpapi.FailLimiter
}

// NewServer returns the SNAP adapter.
func NewServer(a *app.App, v *validator.Validate, ids app.IDs, log *slog.Logger) *Server {
	return &Server{app: a, validate: v, ids: ids, log: log, now: time.Now,
		sigFails: httpapi.NewFailLimiter(httpapi.DefaultSignatureLimit())}
}

// SetSignatureLimiter makes the door count failed signatures and tokens in
// f, shared with the legacy door (before serving).
func (s *Server) SetSignatureLimiter(f *httpapi.FailLimiter) { s.sigFails = f }

// authenticated runs auth (the token request or a signed call) under the
// failure limiter, with the same rule as the legacy door: failures of one
// claimed partner id from one address answer SNAP's 401 codes until
// httpapi.SignatureLimit.Failures, then 429xx00 with Retry-After until the
// window ends, without checking anything. Only Unauthenticated refusals
// (signature, timestamp, unknown client, bad token) count.
func (s *Server) authenticated(w http.ResponseWriter, r *http.Request, svc *service, partnerID string, auth func() error) bool {
	key := httpapi.SignatureKey(partnerID, r)
	if left := s.sigFails.Blocked(key); left > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(httpapi.RetryAfter(left)))
		writeJSON(w, http.StatusTooManyRequests, Head{ResponseCode: "429" + svc.code + "00", ResponseMessage: "Too Many Requests"})
		return false
	}
	if err := auth(); err != nil {
		if fault.KindOf(err) == fault.Unauthenticated {
			s.sigFails.Fail(key)
		}
		s.fail(w, r, svc, err)
		return false
	}
	return true
}

// Head starts every SNAP answer.
type Head struct {
	ResponseCode    string `json:"responseCode"`
	ResponseMessage string `json:"responseMessage"`
}

func (h *Head) head() *Head { return h }

// answer is a response body; its Head is filled in when left empty.
type answer interface{ head() *Head }

// service is one SNAP service behind one path.
type service struct {
	code string // two-digit service code
	path string // below Prefix
	run  func(ctx context.Context, c *call) (answer, error)
	// customerField is the request field holding the customer's mobile
	// number, named when it is not one.
	customerField string
	// role is who may call the service (SPEC §4: CHANNEL partners only
	// top up; everything else is a PARTNER's); empty: anyone (the
	// services answered 405 for everyone).
	role partner.Role
}

// call is one authenticated request.
type call struct {
	s       *Server
	partner *partner.Partner
	body    []byte
	svc     *service
}

func (c *call) decode(dst any) error { return decode(c.s.validate, c.body, dst) }

// Handler returns the SNAP paths; mount it at "/snap/".
func (s *Server) Handler() http.Handler {
	r := chi.NewRouter()
	r.Use(s.accessLog, s.recoverer)
	r.Post(Prefix+"/access-token/b2b", s.accessToken)
	for _, svc := range s.services() {
		r.Post(Prefix+"/"+svc.path, s.serve(svc))
	}
	unknown := &service{code: "00"}
	r.NotFound(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusNotFound, Head{ResponseCode: "4040000", ResponseMessage: "Not Found"})
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, _ *http.Request) {
		code, msg, status := describe(errNotSupported, unknown)
		writeJSON(w, status, Head{ResponseCode: code, ResponseMessage: msg})
	})
	return r
}

// serve is the pipeline of every transactional service: body limit,
// mandatory headers, token and signature, X-EXTERNAL-ID, then the service.
func (s *Server) serve(svc *service) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		fail := func(err error) { s.fail(w, r, svc, err) }
		body, err := readBody(r)
		if err != nil {
			fail(err)
			return
		}
		for _, h := range []string{"X-TIMESTAMP", "X-SIGNATURE", "X-PARTNER-ID", "X-EXTERNAL-ID", "CHANNEL-ID"} {
			if strings.TrimSpace(r.Header.Get(h)) == "" {
				fail(mandatory(h))
				return
			}
		}
		externalID := r.Header.Get("X-EXTERNAL-ID")
		if len(externalID) > 36 || !printable(externalID) {
			fail(fault.Invalidf("X-EXTERNAL-ID", "must be 1 to 36 printable characters"))
			return
		}
		if len(r.Header.Get("CHANNEL-ID")) > 5 {
			fail(fault.Invalidf("CHANNEL-ID", "must be at most 5 characters"))
			return
		}
		var p *partner.Partner
		if !s.authenticated(w, r, svc, r.Header.Get("X-PARTNER-ID"), func() (err error) {
			p, err = s.app.AuthenticateSNAP(r.Context(), app.SNAPRequest{
				PartnerID: r.Header.Get("X-PARTNER-ID"), Token: bearer(r.Header.Get("Authorization")),
				Method: r.Method, PathWithQuery: r.URL.RequestURI(), Body: body,
				Timestamp: r.Header.Get("X-TIMESTAMP"), Signature: r.Header.Get("X-SIGNATURE"),
			})
			return err
		}) {
			return
		}
		if svc.role != "" {
			if err := p.RequireRole(svc.role); err != nil {
				fail(err)
				return
			}
		}
		c := &call{s: s, partner: p, body: body, svc: svc}
		resp, err := s.once(r, p.ID(), externalID, body, func() app.StoredResponse {
			a, err := svc.run(r.Context(), c)
			return s.render(r, svc, a, err)
		})
		if err != nil {
			fail(err)
			return
		}
		if resp.replayed {
			w.Header().Set("Idempotent-Replayed", "true")
		}
		write(w, resp.Status, resp.Body)
	}
}

type onceResponse struct {
	app.StoredResponse
	replayed bool
}

// once is the X-EXTERNAL-ID glue over the app's idempotency API: the key is
// the partner's id under the calendar day (WIB), so the same id on another
// day is a new request (SNAP.md §2). The same id and body replay the first
// answer; another body is 409xx00; a duplicate arriving while the first
// runs waits for it.
func (s *Server) once(r *http.Request, partnerID, externalID string, body []byte, run func() app.StoredResponse) (onceResponse, error) {
	key := "snap:" + s.now().In(wallet.WIB).Format("2006-01-02") + ":" + externalID
	h := sha256.New()
	h.Write([]byte(r.Method + " " + r.URL.Path + "\n"))
	h.Write(partner.Minify(body))
	replay, err := s.app.BeginIdempotent(r.Context(), partnerID, key, h.Sum(nil))
	if err != nil {
		return onceResponse{}, err
	}
	if replay != nil {
		return onceResponse{StoredResponse: *replay, replayed: true}, nil
	}
	// Stored even when the client has gone, so that its retry replays it.
	ctx := context.WithoutCancel(r.Context())
	// A claim lasts as long as its process lives (ADR 0011), so a panic,
	// which answers 500, must free it like any 5xx.
	defer func() {
		if v := recover(); v != nil {
			_ = s.app.FinishIdempotent(ctx, partnerID, key, app.StoredResponse{Status: http.StatusInternalServerError})
			panic(v)
		}
	}()
	resp := run()
	if err := s.app.FinishIdempotent(ctx, partnerID, key, resp); err != nil {
		s.log.ErrorContext(ctx, "storing SNAP answer failed", "err", err)
	}
	return onceResponse{StoredResponse: resp}, nil
}

// render turns a service's outcome into status and body.
func (s *Server) render(r *http.Request, svc *service, a answer, err error) app.StoredResponse {
	if err != nil {
		code, msg, status := s.describe(r, svc, err)
		return marshal(status, Head{ResponseCode: code, ResponseMessage: msg})
	}
	h := a.head()
	if h.ResponseCode == "" {
		*h = success(svc)
	}
	return marshal(statusOf(h.ResponseCode), a)
}

func (s *Server) describe(r *http.Request, svc *service, err error) (string, string, int) {
	code, msg, status := describe(err, svc)
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "SNAP request failed", "path", r.URL.Path, "err", err)
	}
	return code, msg, status
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, svc *service, err error) {
	code, msg, status := s.describe(r, svc, err)
	writeJSON(w, status, Head{ResponseCode: code, ResponseMessage: msg})
}

func success(svc *service) Head {
	return Head{ResponseCode: "200" + svc.code + "00", ResponseMessage: "Successful"}
}

func inProgress(svc *service) Head {
	return Head{ResponseCode: "202" + svc.code + "00", ResponseMessage: "Request In Progress"}
}

// statusOf is the HTTP status a responseCode starts with.
func statusOf(code string) int {
	n := 0
	for i := 0; i < 3 && i < len(code); i++ {
		n = n*10 + int(code[i]-'0')
	}
	return n
}

func marshal(status int, v any) app.StoredResponse {
	b, err := json.Marshal(v)
	if err != nil {
		return app.StoredResponse{Status: 500, Body: []byte(`{"responseCode":"5000001","responseMessage":"Internal Server Error"}`)}
	}
	return app.StoredResponse{Status: status, Body: b}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	resp := marshal(status, v)
	write(w, resp.Status, resp.Body)
}

func write(w http.ResponseWriter, status int, body []byte) {
	if sw, ok := w.(*statusWriter); ok {
		sw.code = responseCodeOf(body)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// readBody reads at most maxBody bytes.
func readBody(r *http.Request) ([]byte, error) {
	if r.ContentLength > maxBody {
		return nil, fault.New(fault.TooLarge, "body exceeds 64 KiB")
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, errBadRequest
	}
	if len(b) > maxBody {
		return nil, fault.New(fault.TooLarge, "body exceeds 64 KiB")
	}
	return b, nil
}

// bearer strips the scheme; the signature covers the bare token.
func bearer(h string) string {
	if len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return s != ""
}

// accessLog records one line per request; headers and bodies stay out (they
// carry tokens, signatures and phone numbers).
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		// The metrics middleware labels the request with SNAP's answer code.
		httpapi.SetCode(r.Context(), sw.code)
		who := r.Header.Get("X-PARTNER-ID")
		if who == "" {
			who = r.Header.Get("X-CLIENT-KEY")
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "http", slog.String("door", "snap"),
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", sw.status),
			slog.String("responseCode", sw.code), slog.String("partner", who),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
	code   string // responseCode of the answer
}

// responseCodeOf finds the seven-digit responseCode in an answer body.
func responseCodeOf(body []byte) string {
	const key = `"responseCode":"`
	i := bytes.Index(body, []byte(key))
	if i < 0 || len(body) < i+len(key)+7 {
		return ""
	}
	return string(body[i+len(key) : i+len(key)+7])
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "panic in SNAP handler", "panic", v, "path", r.URL.Path)
				writeJSON(w, 500, Head{ResponseCode: "5000001", ResponseMessage: "Internal Server Error"})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// tokenRequest is the body of service 73.
type tokenRequest struct {
	GrantType string `json:"grantType" validate:"required"`
}

type tokenResponse struct {
	Head
	AccessToken string `json:"accessToken"`
	TokenType   string `json:"tokenType"`
	ExpiresIn   string `json:"expiresIn"`
}

var tokenService = &service{code: "73"}

// accessToken is service 73: a B2B token for a partner that proves its
// registered RSA key.
func (s *Server) accessToken(w http.ResponseWriter, r *http.Request) {
	fail := func(err error) { s.fail(w, r, tokenService, err) }
	body, err := readBody(r)
	if err != nil {
		fail(err)
		return
	}
	for _, h := range []string{"X-TIMESTAMP", "X-CLIENT-KEY", "X-SIGNATURE"} {
		if strings.TrimSpace(r.Header.Get(h)) == "" {
			fail(mandatory(h))
			return
		}
	}
	var req tokenRequest
	if err := decode(s.validate, body, &req); err != nil {
		fail(err)
		return
	}
	if req.GrantType != "client_credentials" {
		fail(fault.Invalidf("grantType", "must be client_credentials"))
		return
	}
	var tok app.IssuedSNAPToken
	if !s.authenticated(w, r, tokenService, r.Header.Get("X-CLIENT-KEY"), func() (err error) {
		tok, err = s.app.IssueSNAPToken(r.Context(), r.Header.Get("X-CLIENT-KEY"), r.Header.Get("X-TIMESTAMP"), r.Header.Get("X-SIGNATURE"))
		return err
	}) {
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, tokenResponse{Head: success(tokenService), AccessToken: tok.Token, TokenType: "Bearer",
		ExpiresIn: strconv.Itoa(int(tok.ExpiresIn / time.Second))})
}
