package rest

import (
	"github.com/dompet/wallet/adapters/httpapi"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/dompet/wallet/domain/fault"
)

// sourceAddr is the caller's address as the server sees it: the peer of the
// TCP connection. Proxy headers (X-Forwarded-For) are not trusted: anyone
// can send them. Behind a load balancer every caller shares its address, so
// the per-address limits become per-balancer limits; configure the balancer
// to keep the client address (PROXY protocol) for per-client limits.
func sourceAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// SignatureLimit bounds failed signatures per partner id and source address:
// after Failures failures within Window, that pair is answered HTTP 429 with
// Retry-After (code 20) until the window ends, without checking the
// signature. Keying on the pair means a forger elsewhere cannot lock the
// real partner out. The counts are per process (in memory): with N processes
// a forger gets at most N×Failures tries per window, still far from useful
// against HMAC-SHA256; the point is to shed the load and make it visible.
type SignatureLimit struct {
	Window   time.Duration
	Failures int // 0 disables the limit
}

// DefaultSignatureLimit allows a misconfigured partner a few honest mistakes.
func DefaultSignatureLimit() SignatureLimit {
	return SignatureLimit{Window: time.Minute, Failures: 10}
}

// maxTracked bounds the limiter's memory under a flood of made-up partner
// ids: beyond it, new pairs are not tracked until old windows expire.
const maxTracked = 100_000

type failWindow struct {
	start time.Time
	n     int
}

type failLimiter struct {
	mu    sync.Mutex
	limit SignatureLimit
	now   func() time.Time
	seen  map[string]*failWindow
}

func newFailLimiter(l SignatureLimit) *failLimiter {
	return &failLimiter{limit: l, now: time.Now, seen: map[string]*failWindow{}}
}

// blocked returns how long key is still refused (0: not refused).
func (f *failLimiter) blocked(key string) time.Duration {
	if f.limit.Failures <= 0 {
		return 0
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	w := f.seen[key]
	if w == nil || w.n < f.limit.Failures {
		return 0
	}
	left := f.limit.Window - f.now().Sub(w.start)
	if left <= 0 {
		delete(f.seen, key)
		return 0
	}
	return left
}

// fail records one failure of key.
func (f *failLimiter) fail(key string) {
	if f.limit.Failures <= 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	w := f.seen[key]
	if w != nil && now.Sub(w.start) >= f.limit.Window {
		w = nil
	}
	if w == nil {
		if len(f.seen) >= maxTracked {
			for k, old := range f.seen {
				if now.Sub(old.start) >= f.limit.Window {
					delete(f.seen, k)
				}
			}
			if len(f.seen) >= maxTracked {
				return
			}
		}
		w = &failWindow{start: now}
		f.seen[key] = w
	}
	w.n++
}

// SetSignatureLimit replaces the default limit (before serving).
func (s *Server) SetSignatureLimit(l SignatureLimit) { s.sigFails = newFailLimiter(l) }

// tooManyFailures answers HTTP 429 with Retry-After and code 20: SPEC §2 has
// no code of its own for it, and to the caller it is still an
// authentication refusal.
func (s *Server) tooManyFailures(w http.ResponseWriter, r *http.Request, left time.Duration) {
	secs := int((left + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	err := fault.New(fault.Unauthenticated, "too many failed signatures; retry after "+strconv.Itoa(secs)+" s")
	_, msg := httpapi.Describe(err, httpapi.Indonesian(r))
	writeJSON(w, http.StatusTooManyRequests, envelope{ResponseID: s.ids.New(), Code: httpapi.Codes[fault.Unauthenticated].Legacy, Message: msg})
}

// authFailed tells a refused signature (not a refused role or a database
// outage).
func authFailed(err error) bool { return fault.KindOf(err) == fault.Unauthenticated }

// truncate bounds a caller-chosen string kept in memory.
func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
