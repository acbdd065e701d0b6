// Package console is the back-office web console for the platform's
// operators: server-rendered html/template pages, htmx (embedded, no CDN)
// for in-page navigation, its own sign-in, cookies and CSRF tokens. It only
// translates HTTP to app.Backoffice, where every role check is made
// (ADR 0010).
package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/operator"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Cookie names. The session cookie holds the session token; the login
// cookie the CSRF token of the sign-in form (there is no session yet).
const (
	sessionCookie = "console_session"
	loginCookie   = "console_login"
	flashCookie   = "console_flash"
	prefix        = "/console"
	maxBody       = 64 << 10
)

// Server serves the console under /console/.
type Server struct {
	bo    *app.Backoffice
	log   *slog.Logger
	pages map[string]*template.Template
}

// New parses the templates; it panics on a template error, which is a
// build defect caught by any test.
func New(bo *app.Backoffice, log *slog.Logger) *Server {
	return &Server{bo: bo, log: log, pages: parsePages()}
}

type ctxKey struct{}

type session struct {
	op    *operator.Operator
	token string
}

// Handler returns the console's routes; mount it at /console/.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /console/static/", http.StripPrefix("/console/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /console/login", s.loginPage)
	mux.HandleFunc("POST /console/login", s.login)

	authed := func(pattern string, h http.HandlerFunc) {
		mux.Handle(pattern, s.authenticated(h))
	}
	authed("GET /console/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, prefix+"/kyc", http.StatusSeeOther)
	})
	authed("POST /console/logout", s.logout)
	authed("GET /console/kyc", s.kycPage)
	authed("POST /console/kyc/decide", s.decideKYC)
	authed("GET /console/customers", s.customersPage)
	authed("POST /console/customers/block", s.blockCustomer)
	authed("GET /console/transactions", s.transactionsPage)
	authed("GET /console/webhooks", s.webhooksPage)
	authed("POST /console/webhooks/replay", s.replay)
	authed("POST /console/webhooks/replay-dead", s.replayDead)
	authed("GET /console/partners", s.partnersPage)
	authed("POST /console/partners/disable", s.disablePartner)
	authed("GET /console/reconcile", s.reconcilePage)
	authed("POST /console/reconcile", s.reconcile)
	authed("GET /console/audit", s.auditPage)
	authed("GET /console/operators", s.operatorsPage)
	authed("POST /console/operators", s.createOperator)
	return securityHeaders(mux)
}

// securityHeaders: nothing from elsewhere may run or frame the console, and
// no page (they hold personal data) is cached.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if !strings.HasPrefix(r.URL.Path, prefix+"/static/") {
			h.Set("Cache-Control", "no-store")
		}
		// Forms are small; a larger body is refused before it is parsed.
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		next.ServeHTTP(w, r)
	})
}

// secure reports whether the client reached us over TLS, directly or
// through a proxy that terminates it.
func secure(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: prefix + "/", MaxAge: maxAge,
		HttpOnly: true, Secure: secure(r), SameSite: http.SameSiteStrictMode})
}

// authenticated loads the session's operator, checks the CSRF token of
// every POST, and sends anyone else to the sign-in page.
func (s *Server) authenticated(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		var op *operator.Operator
		if err == nil {
			op, err = s.bo.Authenticate(r.Context(), c.Value)
		}
		if err != nil {
			if fault.KindOf(err) != fault.Unauthenticated && !errors.Is(err, http.ErrNoCookie) {
				s.log.ErrorContext(r.Context(), "console session check failed", "err", err)
			}
			if r.Method == http.MethodPost {
				http.Error(w, "signed out: sign in again", http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, prefix+"/login", http.StatusSeeOther)
			return
		}
		sess := &session{op: op, token: c.Value}
		if r.Method == http.MethodPost && !validCSRF(r, csrfToken(sess.token)) {
			http.Error(w, "invalid or missing CSRF token: reload the page", http.StatusForbidden)
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, sess)))
	})
}

func sessionOf(r *http.Request) *session { return r.Context().Value(ctxKey{}).(*session) }

// csrfToken is derived from the session token (a one-way hash, so the page
// that shows it does not reveal the cookie); a form from another site
// cannot know it.
func csrfToken(sessionToken string) string {
	sum := sha256.Sum256([]byte("console csrf\x00" + sessionToken))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// validCSRF checks the form's token, and the Origin header when the
// browser sends one.
func validCSRF(r *http.Request, want string) bool {
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return false
		}
	}
	got := r.PostFormValue("csrf")
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// clientIP is the peer address. X-Forwarded-For is not trusted: anyone can
// send it, and it would let a client escape the sign-in rate limit.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.renderLogin(w, r, http.StatusOK, "")
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, msg string) {
	token := randomToken()
	setCookie(w, r, loginCookie, token, 600)
	s.render(w, r, status, "login", page{Title: "Sign in", CSRF: token, Error: msg})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(loginCookie)
	if err != nil || !validCSRF(r, c.Value) {
		s.renderLogin(w, r, http.StatusForbidden, "The sign-in form expired; please try again.")
		return
	}
	token, _, err := s.bo.Login(r.Context(), r.PostFormValue("email"), r.PostFormValue("password"), clientIP(r))
	if err != nil {
		status, msg := s.describe(r, err)
		s.renderLogin(w, r, status, msg)
		return
	}
	setCookie(w, r, loginCookie, "", -1)
	setCookie(w, r, sessionCookie, token, int(app.OperatorSessionTTL.Seconds()))
	http.Redirect(w, r, prefix+"/kyc", http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	sess := sessionOf(r)
	if err := s.bo.Logout(r.Context(), sess.op, sess.token); err != nil {
		s.fail(w, r, err)
		return
	}
	setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, prefix+"/login", http.StatusSeeOther)
}

// describe maps an error to a status and a message safe to show.
func (s *Server) describe(r *http.Request, err error) (int, string) {
	f, ok := fault.As(err)
	if !ok || f.Kind == fault.Internal {
		s.log.ErrorContext(r.Context(), "console request failed", "path", r.URL.Path, "err", err)
		return http.StatusInternalServerError, "Something went wrong on our side; it is logged."
	}
	switch f.Kind {
	case fault.Forbidden:
		return http.StatusForbidden, f.Error()
	case fault.Unauthenticated:
		return http.StatusUnauthorized, f.Error()
	case fault.NotFound:
		return http.StatusNotFound, f.Error()
	case fault.Unavailable:
		return http.StatusServiceUnavailable, "The database is unavailable; try again."
	}
	return http.StatusBadRequest, f.Error()
}

// fail shows an error on a small page of its own.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := s.describe(r, err)
	s.render(w, r, status, "error", s.page(r, "Refused", msg))
}

// done redirects after a successful change, with a message for the next
// page (POST, redirect, GET).
func done(w http.ResponseWriter, r *http.Request, to, msg string) {
	setCookie(w, r, flashCookie, base64.RawURLEncoding.EncodeToString([]byte(msg)), 60)
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// page is what every template gets.
type page struct {
	Title string
	Nav   string
	Op    *operator.Operator
	CSRF  string
	Flash string
	Error string
	Data  any
}

func (s *Server) page(r *http.Request, title, errMsg string) page {
	sess := sessionOf(r)
	return page{Title: title, Op: sess.op, CSRF: csrfToken(sess.token), Error: errMsg}
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	if c, err := r.Cookie(flashCookie); err == nil {
		if b, err := base64.RawURLEncoding.DecodeString(c.Value); err == nil {
			p.Flash = string(b)
		}
		setCookie(w, r, flashCookie, "", -1)
	}
	if p.Nav == "" {
		p.Nav = name
	}
	t, ok := s.pages[name]
	if !ok {
		panic("console: no template " + name)
	}
	var buf strings.Builder
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.log.ErrorContext(r.Context(), "console template failed", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(buf.String()))
}

func urlQuery(s string) string { return url.QueryEscape(s) }
