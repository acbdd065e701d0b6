package rest

import (
	"net/http"
	"strconv"
	"time"

	"github.com/dompet/wallet/adapters/httpapi"
	"github.com/dompet/wallet/domain/fault"
)

// sourceAddr is the caller's address (httpapi.SourceAddr).
func sourceAddr(r *http.Request) string { return httpapi.SourceAddr(r) }

// SignatureLimit bounds failed signatures per partner id and source address
// (httpapi.SignatureLimit): code 20, then HTTP 429 with Retry-After.
type SignatureLimit = httpapi.SignatureLimit

// DefaultSignatureLimit allows a misconfigured partner a few honest mistakes.
func DefaultSignatureLimit() SignatureLimit { return httpapi.DefaultSignatureLimit() }

// SetSignatureLimit gives the door a limiter of its own with limit l
// (before serving).
func (s *Server) SetSignatureLimit(l SignatureLimit) { s.sigFails = httpapi.NewFailLimiter(l) }

// SetSignatureLimiter makes the door count failures in f, shared with the
// SNAP door (before serving).
func (s *Server) SetSignatureLimiter(f *httpapi.FailLimiter) { s.sigFails = f }

// tooManyFailures answers HTTP 429 with Retry-After and code 20: SPEC §2 has
// no code of its own for it, and to the caller it is still an
// authentication refusal.
func (s *Server) tooManyFailures(w http.ResponseWriter, r *http.Request, left time.Duration) {
	secs := httpapi.RetryAfter(left)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	err := fault.New(fault.Unauthenticated, "too many failed signatures; retry after "+strconv.Itoa(secs)+" s")
	_, msg := httpapi.Describe(err, httpapi.Indonesian(r))
	writeJSON(w, http.StatusTooManyRequests, envelope{ResponseID: s.ids.New(), Code: httpapi.Codes[fault.Unauthenticated].Legacy, Message: msg})
}

// authFailed tells a refused signature (not a refused role or a database
// outage).
func authFailed(err error) bool { return fault.KindOf(err) == fault.Unauthenticated }
