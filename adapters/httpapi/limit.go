package httpapi

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// SourceAddr is the caller's address as the server sees it: the peer of the
// TCP connection. Proxy headers (X-Forwarded-For) are not trusted: anyone
// can send them. Behind a load balancer every caller shares its address, so
// the per-address limits become per-balancer limits; configure the balancer
// to keep the client address (PROXY protocol) for per-client limits.
func SourceAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// SignatureLimit bounds failed signatures per partner id and source address:
// after Failures failures within Window, that pair is answered HTTP 429 with
// Retry-After until the window ends, without checking the signature. Keying
// on the pair means a forger elsewhere cannot lock the real partner out.
// The counts are per process (in memory): with N processes a forger gets at
// most N×Failures tries per window, still far from useful against
// HMAC-SHA512 or RSA; the point is to shed the load and make it visible.
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

// FailLimiter counts failed signatures per key (SignatureKey). One limiter
// serves both signed doors (legacy REST and SNAP), so a forger gains no
// tries by switching doors.
type FailLimiter struct {
	mu    sync.Mutex
	limit SignatureLimit
	now   func() time.Time
	seen  map[string]*failWindow
}

// NewFailLimiter returns a limiter with limit l.
func NewFailLimiter(l SignatureLimit) *FailLimiter {
	return &FailLimiter{limit: l, now: time.Now, seen: map[string]*failWindow{}}
}

// SignatureKey is the limiter's key for a claimed partner id from r's
// address; the id is bounded, it is the caller's choice.
func SignatureKey(partnerID string, r *http.Request) string {
	if len(partnerID) > 64 {
		partnerID = partnerID[:64]
	}
	return partnerID + " " + SourceAddr(r)
}

// Blocked returns how long key is still refused (0: not refused).
func (f *FailLimiter) Blocked(key string) time.Duration {
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

// Fail records one failure of key.
func (f *FailLimiter) Fail(key string) {
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

// RetryAfter is the Retry-After value for a refusal lasting left: whole
// seconds, rounded up.
func RetryAfter(left time.Duration) int {
	return int((left + time.Second - 1) / time.Second)
}
