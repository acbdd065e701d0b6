package httpapi

import (
	"context"
	"sync"
)

// Outcome carries the answer code a door gave one request (the legacy
// code "0".."99" today; a SNAP door puts its responseCode here) out to the
// middleware that observes the request. A door sets it; nothing reads the
// body to find it.
type Outcome struct {
	mu   sync.Mutex
	code string
}

type outcomeKey struct{}

// WithOutcome returns a context whose door will record its answer code in
// the returned Outcome.
func WithOutcome(ctx context.Context) (context.Context, *Outcome) {
	o := &Outcome{}
	return context.WithValue(ctx, outcomeKey{}, o), o
}

// SetCode records the answer code of the request in ctx; without an
// observer it does nothing.
func SetCode(ctx context.Context, code string) {
	if o, ok := ctx.Value(outcomeKey{}).(*Outcome); ok {
		o.mu.Lock()
		o.code = code
		o.mu.Unlock()
	}
}

// SetCodeIfOK records code unless an error code is already recorded: the
// first error of a GraphQL response names it.
func SetCodeIfOK(ctx context.Context, code string) {
	if o, ok := ctx.Value(outcomeKey{}).(*Outcome); ok {
		o.mu.Lock()
		if o.code == "" || o.code == "0" {
			o.code = code
		}
		o.mu.Unlock()
	}
}

// Code returns the recorded code, "" when the door set none (health,
// metrics, documentation pages).
func (o *Outcome) Code() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.code
}
