// Package app holds the use cases: it authorises callers, draws the
// transaction boundaries and orchestrates the domain packages and outbound
// ports. Transports (REST, GraphQL, CLI) call it; it never sees them.
package app

import (
	"crypto/rand"
	"io"
	"log/slog"
	"time"

	"github.com/dompet/wallet/domain/otp"
)

// Config holds the tunable rules of the use cases.
type Config struct {
	OTP        otp.Policy
	OTPKey     []byte        // key of the OTP keyed hash
	SessionTTL time.Duration // access token lifetime
	// IdempotencyWait bounds how long a duplicate request waits for the
	// first one to finish before answering "unavailable, retry".
	IdempotencyWait time.Duration
	// IdempotencyLease is how long a claim protects a request in flight;
	// after it a retry may take over (the first process died).
	IdempotencyLease time.Duration
	Delivery         DeliveryConfig
}

// DefaultConfig returns SPEC defaults; OTPKey must still be set.
func DefaultConfig() Config {
	return Config{
		OTP:              otp.DefaultPolicy(),
		SessionTTL:       24 * time.Hour,
		IdempotencyWait:  10 * time.Second,
		IdempotencyLease: 30 * time.Second,
		Delivery:         DeliveryConfig{Mode: ModeConsole, FallbackAfter: 30 * time.Second},
	}
}

// App is the application: every use case is a method.
type App struct {
	uow    UnitOfWork
	clock  Clock
	ids    IDs
	phones PhoneNormalizer
	box    SecretBox
	cfg    Config
	log    *slog.Logger
	rand   io.Reader
}

// New wires the application.
func New(uow UnitOfWork, clock Clock, ids IDs, phones PhoneNormalizer, box SecretBox, cfg Config, log *slog.Logger) *App {
	return &App{uow: uow, clock: clock, ids: ids, phones: phones, box: box, cfg: cfg, log: log, rand: rand.Reader}
}

// Config returns the rules the application runs with.
func (a *App) Config() Config { return a.cfg }

func (a *App) now() time.Time { return a.clock.Now() }
