// Package system provides the real clock and identifier generator.
package system

import (
	"crypto/rand"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/dompet/wallet/app"
)

// Clock is the wall clock.
type Clock struct{}

var _ app.Clock = Clock{}

// Now returns the current time.
func (Clock) Now() time.Time { return time.Now() }

// ULIDs generates monotonic ULIDs: unique, sortable by time, URL-safe.
type ULIDs struct {
	mu      sync.Mutex
	entropy *ulid.MonotonicEntropy
}

var _ app.IDs = (*ULIDs)(nil)

// NewULIDs returns a generator seeded from crypto/rand.
func NewULIDs() *ULIDs { return &ULIDs{entropy: ulid.Monotonic(rand.Reader, 0)} }

// New returns the next identifier.
func (g *ULIDs) New() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return ulid.MustNew(ulid.Timestamp(time.Now()), g.entropy).String()
}
