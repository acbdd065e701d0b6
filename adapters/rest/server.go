// Package rest is the partner REST door: the documented paths, the SPEC §2
// envelope, HMAC request signatures and X-EXTERNAL-ID idempotency. It only
// translates; every decision is made in app.
package rest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-playground/validator/v10"

	"github.com/dompet/wallet/adapters/httpapi"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/partner"
)

// Pinger tells whether the database answers, for /readyz.
type Pinger interface {
	Ping(ctx context.Context) error
}

// IDs generates response ids.
type IDs = app.IDs

// Server holds the REST handlers.
type Server struct {
	app      *app.App
	validate *validator.Validate
	ids      IDs
	db       Pinger
	log      *slog.Logger
	sigFails *httpapi.FailLimiter
}

// NewServer returns the REST adapter.
func NewServer(a *app.App, v *validator.Validate, ids IDs, db Pinger, log *slog.Logger) *Server {
	return &Server{app: a, validate: v, ids: ids, db: db, log: log, sigFails: httpapi.NewFailLimiter(httpapi.DefaultSignatureLimit())}
}

// Mounts are handlers served beside the REST paths.
type Mounts struct {
	GraphQL           http.Handler
	WhatsAppWebhook   http.Handler
	GraphQLPlayground http.Handler
	Metrics           http.Handler // Prometheus text format
	OpenAPI           http.Handler // /openapi.json
	Docs              http.Handler // /docs, the OpenAPI viewer
	Assets            http.Handler // /assets/…, the pages' embedded scripts and styles
}

// Handler returns the whole HTTP surface.
func (s *Server) Handler(m Mounts) http.Handler {
	r := chi.NewRouter()
	r.Use(s.accessLog, s.recoverer, stripSlash)
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, map[string]string{"status": "ok"}) })
	r.Get("/readyz", s.ready)
	if m.GraphQL != nil {
		r.Handle("/graphql", m.GraphQL)
	}
	if m.GraphQLPlayground != nil {
		r.Handle("/playground", m.GraphQLPlayground)
	}
	if m.Metrics != nil {
		r.Handle("/metrics", m.Metrics)
	}
	if m.OpenAPI != nil {
		r.Handle("/openapi.json", m.OpenAPI)
	}
	if m.Docs != nil {
		r.Handle("/docs", m.Docs)
	}
	if m.Assets != nil {
		r.Handle("/assets/*", m.Assets)
	}
	if m.WhatsAppWebhook != nil {
		r.Handle("/webhooks/whatsapp", m.WhatsAppWebhook)
	}
	r.Group(func(r chi.Router) {
		r.Use(s.signed, s.idempotent)
		// SPEC §4: CHANNEL partners call only the top-up, VA, cash-out
		// redeem and bank callback paths; every other path is a PARTNER's.
		// The use cases check the role too; the router makes the rule
		// hold for paths whose use case serves both (status, banks).
		r.Group(func(r chi.Router) {
			r.Use(s.only(partner.RolePartner))
			r.Get("/pil-partner-get-otp", s.getOTP)
			r.Post("/validate-otp", s.validateOTP)
			r.Post("/register-customer", s.registerCustomer)
			r.Get("/customer-account-inquiry", s.inquiry)
			r.Post("/kyc", s.submitKYC)
			r.Get("/virtual-accounts", s.virtualAccounts)
			r.Post("/wallet-payment", s.walletPayment)
			r.Post("/wallet-payment/refund", s.refund)
			r.Post("/bank-transfer", s.bankTransfer)
			r.Post("/p2p-transfer", s.p2p)
			r.Get("/transaction-status", s.transactionStatus)
			r.Get("/transaction-history", s.transactionHistory)
			r.Get("/banks", s.banks)
			r.Post("/cash-out", s.cashOut)
			r.Post("/cash-out/cancel", s.cancelCashOut)
			r.Post("/qris/decode", s.decodeQRIS)
			r.Post("/qris-payment", s.qrisPayment)
		})
		r.Group(func(r chi.Router) {
			r.Use(s.only(partner.RoleChannel))
			r.Post("/topup/va/inquiry", s.vaInquiry)
			r.Post("/topup/va/payment", s.vaPayment)
			r.Post("/topup/retail/inquiry", s.retailInquiry)
			r.Post("/topup/retail/payment", s.retailPayment)
			r.Post("/callbacks/bank-transfer", s.bankCallback)
			r.Post("/cash-out/redeem", s.redeemCashOut)
		})
	})
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, fault.New(fault.NotFound, "no such endpoint"))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, req *http.Request) {
		s.methodNotAllowed(r, w, req)
	})
	return r
}

// methodNotAllowed answers 405 with the Allow header (RFC 9110) and the
// SPEC §2 envelope with code 10 naming the method: SPEC §2 has no code of
// its own for it, and to the caller it is an invalid request.
func (s *Server) methodNotAllowed(routes chi.Routes, w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if len(path) > 1 {
		path = strings.TrimRight(path, "/")
	}
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		if routes.Match(chi.NewRouteContext(), m, path) {
			allowed = append(allowed, m)
		}
	}
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	err := fault.Invalidf("method", "%s is not allowed on this path; use %s", r.Method, strings.Join(allowed, " or "))
	_, msg := httpapi.Describe(err, httpapi.Indonesian(r))
	writeJSON(w, http.StatusMethodNotAllowed, envelope{ResponseID: s.ids.New(), Code: httpapi.Codes[fault.Invalid].Legacy, Message: msg})
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		s.log.WarnContext(ctx, "readiness check failed", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
		return
	}
	writeJSON(w, 200, map[string]string{"status": "ready"})
}

// stripSlash makes the documented trailing slash optional. The signature is
// still checked against the path exactly as sent.
func stripSlash(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; len(p) > 1 && strings.HasSuffix(p, "/") {
			rctx := chi.RouteContext(r.Context())
			if rctx != nil {
				rctx.RoutePath = strings.TrimRight(p, "/")
			}
		}
		next.ServeHTTP(w, r)
	})
}

// accessLog records one line per request, with the responseId the caller
// got, so a partner's complaint quoting it finds the line. The query string
// is left out: it carries customer phone numbers.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "http",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", sw.status), slog.String("partner", r.Header.Get("X-PARTNER-ID")),
			slog.String("response_id", sw.responseID),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000))
	})
}

// responseIDNoter is a response writer that keeps the envelope's
// responseId for the access log.
type responseIDNoter interface{ noteResponseID(id string) }

func noteResponseID(w http.ResponseWriter, id string) {
	if n, ok := w.(responseIDNoter); ok {
		n.noteResponseID(id)
	}
}

type statusWriter struct {
	http.ResponseWriter
	status     int
	responseID string
}

func (w *statusWriter) noteResponseID(id string) { w.responseID = id }

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController and the websocket upgrade reach the
// underlying connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "panic in handler", "panic", v, "path", r.URL.Path)
				s.fail(w, r, errors.New("panic"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

type ctxKey int

const (
	partnerKey ctxKey = iota
	bodyKey
)

// signed reads the body once (so the limit applies before anything else)
// and authenticates the partner.
func (s *Server) signed(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := httpapi.ReadBody(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		// Failed signatures are limited per partner id and address
		// (limit.go).
		limitKey := httpapi.SignatureKey(r.Header.Get("X-PARTNER-ID"), r)
		if left := s.sigFails.Blocked(limitKey); left > 0 {
			s.tooManyFailures(w, r, left)
			return
		}
		p, err := s.app.AuthenticatePartner(r.Context(), httpapi.SignedRequest(r, body))
		if err != nil {
			if authFailed(err) {
				s.sigFails.Fail(limitKey)
			}
			s.fail(w, r, err)
			return
		}
		ctx := context.WithValue(r.Context(), partnerKey, p)
		ctx = context.WithValue(ctx, bodyKey, body)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// only refuses, with code 21, a partner whose role may not call the path.
func (s *Server) only(role partner.Role) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := partnerFrom(r).RequireRole(role); err != nil {
				s.fail(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func partnerFrom(r *http.Request) *partner.Partner {
	p, _ := r.Context().Value(partnerKey).(*partner.Partner)
	return p
}

func bodyFrom(r *http.Request) []byte {
	b, _ := r.Context().Value(bodyKey).([]byte)
	return b
}

// idempotent applies X-EXTERNAL-ID to every POST: the first request runs,
// identical repeats replay its bytes, different requests with the key get
// code 60.
func (s *Server) idempotent(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		key := r.Header.Get("X-EXTERNAL-ID")
		if key == "" || len(key) > 64 || !printable(key) {
			s.fail(w, r, fault.Invalidf("X-EXTERNAL-ID", "header is required on POST (1 to 64 printable characters)"))
			return
		}
		p := partnerFrom(r)
		path := strings.TrimRight(r.URL.Path, "/")
		h := sha256.New()
		h.Write([]byte(r.Method + " " + path + "\n"))
		h.Write(bodyFrom(r))
		if movements[path] {
			s.movement(w, r, next, &app.Answer{PartnerID: p.ID(), Key: key, RequestHash: h.Sum(nil)})
			return
		}
		replay, err := s.app.BeginIdempotent(r.Context(), p.ID(), key, h.Sum(nil))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if replay != nil {
			noteAnswer(w, r, replay.Body)
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(replay.Status)
			_, _ = w.Write(replay.Body)
			return
		}
		rec := &recorder{header: http.Header{}, status: http.StatusOK}
		// The request's context may be cancelled by now (client gone); the
		// answer must be stored regardless so that the retry replays it.
		ctx := context.WithoutCancel(r.Context())
		// A claim lasts as long as its process lives (ADR 0011), so a
		// panic, which answers 500, must free it like any 5xx.
		defer func() {
			if v := recover(); v != nil {
				_ = s.app.FinishIdempotent(ctx, p.ID(), key, app.StoredResponse{Status: http.StatusInternalServerError})
				panic(v)
			}
		}()
		next.ServeHTTP(rec, r)
		if err := s.app.FinishIdempotent(ctx, p.ID(), key, app.StoredResponse{Status: rec.status, Body: rec.body.Bytes()}); err != nil {
			s.log.ErrorContext(ctx, "storing idempotent response failed", "err", err)
		}
		noteResponseID(w, rec.responseID)
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.status)
		_, _ = w.Write(rec.body.Bytes())
	})
}

// movements are the paths whose money movement claims the key, moves the
// money, writes the event and stores the answer in one transaction
// (ADR 0009). Transfers that leave the platform (bank, QRIS) answer only
// after the gateway does, so they claim first like every other POST.
var movements = map[string]bool{
	"/wallet-payment":        true,
	"/wallet-payment/refund": true,
	"/p2p-transfer":          true,
	"/topup/va/payment":      true,
	"/topup/retail/payment":  true,
	"/cash-out":              true,
}

// movement runs a money movement without claiming its key first: the use
// case stores the answer in its own transaction. When it did not (it
// failed, or the key was used before), the answer is settled afterwards:
// stored if the key is free, else the key's first answer is replayed or
// the request refused with 60.
func (s *Server) movement(w http.ResponseWriter, r *http.Request, next http.Handler, ans *app.Answer) {
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	next.ServeHTTP(rec, r.WithContext(app.WithAnswer(r.Context(), ans)))
	resp := app.StoredResponse{Status: rec.status, Body: rec.body.Bytes()}
	if _, stored := ans.Stored(); !stored {
		// The request's context may be cancelled by now (client gone); the
		// answer must be stored regardless so that the retry replays it.
		var replayed bool
		var err error
		resp, replayed, err = s.app.SettleIdempotent(context.WithoutCancel(r.Context()), ans.PartnerID, ans.Key, ans.RequestHash, resp)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if replayed {
			// Another request's answer: its code and id are in the bytes.
			w.Header().Set("Idempotent-Replayed", "true")
			noteAnswer(w, r, resp.Body)
			rec.responseID = ""
		}
	}
	if rec.responseID != "" {
		noteResponseID(w, rec.responseID)
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.Status)
	_, _ = w.Write(resp.Body)
}

// noteAnswer tells the access log and the metrics the responseId and code
// of an answer that was stored (or rendered with its movement) rather than
// written by writeEnvelope.
func noteAnswer(w http.ResponseWriter, r *http.Request, body []byte) {
	var e struct {
		ResponseID string      `json:"responseId"`
		Code       json.Number `json:"code"`
	}
	if json.Unmarshal(body, &e) == nil {
		noteResponseID(w, e.ResponseID)
		httpapi.SetCode(r.Context(), e.Code.String())
	}
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

type recorder struct {
	header     http.Header
	status     int
	body       bytes.Buffer
	responseID string
}

func (r *recorder) noteResponseID(id string) { r.responseID = id }

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(status int)      { r.status = status }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }

// ok writes a success envelope.
func (s *Server) ok(w http.ResponseWriter, r *http.Request, data any) {
	writeEnvelope(w, r, http.StatusOK, envelope{ResponseID: s.ids.New(), Code: 0, Message: success(httpapi.Indonesian(r)), Data: data})
}

// fail writes an error envelope; internal details go to the log only.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := httpapi.Describe(err, httpapi.Indonesian(r))
	if code.Legacy == 99 || code.Legacy == 90 {
		s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeEnvelope(w, r, code.HTTP, envelope{ResponseID: s.ids.New(), Code: code.Legacy, Message: msg})
}
