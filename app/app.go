// Package app holds the use cases: it authorises callers, draws the
// transaction boundaries and orchestrates the domain packages and outbound
// ports. Transports (REST, GraphQL, CLI) call it; it never sees them.
package app

import (
	"crypto/rand"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/otp"
	"github.com/dompet/wallet/domain/wallet"
)

// Config holds the tunable rules of the use cases.
type Config struct {
	OTP        otp.Policy
	OTPKey     []byte        // key of the OTP keyed hash
	SessionTTL time.Duration // access token lifetime
	// IdempotencyWait bounds how long a duplicate request waits for the
	// first one to finish before answering "unavailable, retry".
	IdempotencyWait time.Duration
	// IdempotencyLease is how long a claim written before claims named
	// their holder (ADR 0011) protects a request in flight; after it a
	// retry may take over. Claims with a holder last as long as it lives.
	IdempotencyLease time.Duration
	Delivery         DeliveryConfig
	Money            MoneyConfig
	Guessing         GuessLimits
	Retention        RetentionWindows
}

// MoneyConfig holds the e-money rules (SPEC §6 defaults, all configurable).
type MoneyConfig struct {
	Limits    map[customer.AccountType]wallet.Limits
	Payment   wallet.Bounds
	P2P       wallet.Bounds
	TopUp     wallet.Bounds
	Refund    wallet.Bounds
	RetailFee int64 // charged on top of a retail top-up, kept as fee revenue
	Banks     []Bank
	// BankTransfer bounds a transfer to a bank; BankTransferFee is its
	// service fee, held and captured with the amount.
	BankTransfer    wallet.Bounds
	BankTransferFee int64
	// SettleAfter is when the settlement job first looks at a transfer
	// whose result is not known by the time the request answers.
	SettleAfter time.Duration
	// GatewayTimeout bounds each call to the bank gateway or the QRIS
	// switch (0: only the caller's context does), shorter than the
	// request deadline so that a silent provider still gets an answer
	// "in process" out (app/outbound.go).
	GatewayTimeout time.Duration
	// CashOut bounds a cash withdrawal; its code is valid CashOutTTL.
	CashOut    wallet.Bounds
	CashOutFee int64
	CashOutTTL time.Duration
	// QRIS bounds a QRIS payment (amount plus tip or convenience fee).
	QRIS wallet.Bounds
}

// Bank is a bank the platform knows. VAPrefix is set for banks that issue
// top-up virtual accounts for the platform.
type Bank struct {
	Code     string // Bank Indonesia code, e.g. "014"
	Name     string
	VAPrefix string
}

// DefaultMoneyConfig returns SPEC §6 (Bank Indonesia) defaults.
func DefaultMoneyConfig() MoneyConfig {
	return MoneyConfig{
		Limits: map[customer.AccountType]wallet.Limits{
			customer.AccountBasic:   {MaxBalance: 2_000_000, MonthlyIncoming: 20_000_000},
			customer.AccountPremium: {MaxBalance: 20_000_000, MonthlyIncoming: 40_000_000, CanSendOut: true},
		},
		Payment:         wallet.Bounds{Min: 1, Max: 20_000_000},
		P2P:             wallet.Bounds{Min: 1_000, Max: 20_000_000},
		TopUp:           wallet.Bounds{Min: 10_000, Max: 20_000_000},
		Refund:          wallet.Bounds{Min: 1},
		RetailFee:       2_500,
		BankTransfer:    wallet.Bounds{Min: 10_000, Max: 25_000_000},
		BankTransferFee: 2_500,
		SettleAfter:     3 * time.Second,
		GatewayTimeout:  5 * time.Second,
		CashOut:         wallet.Bounds{Min: 50_000, Max: 2_500_000, Multiple: 50_000},
		CashOutTTL:      time.Hour,
		QRIS:            wallet.Bounds{Min: 1, Max: 10_000_000},
	}
}

// DefaultConfig returns SPEC defaults; OTPKey must still be set.
func DefaultConfig() Config {
	return Config{
		OTP:              otp.DefaultPolicy(),
		SessionTTL:       24 * time.Hour,
		IdempotencyWait:  10 * time.Second,
		IdempotencyLease: 30 * time.Second,
		Delivery:         DeliveryConfig{Mode: ModeConsole, FallbackAfter: 30 * time.Second},
		Money:            DefaultMoneyConfig(),
		Guessing:         DefaultGuessLimits(),
		Retention:        DefaultRetention(),
	}
}

// App is the application: every use case is a method.
type App struct {
	uow     UnitOfWork
	reads   UnitOfWork // history and status: a replica when configured
	gateway BankGateway
	qris    QRISSwitch
	clock   Clock
	ids     IDs
	phones  PhoneNormalizer
	box     SecretBox
	cfg     Config
	log     *slog.Logger
	rand    io.Reader
	obs     Observer
	tracer  Tracer

	partners sync.Map // id -> cachedPartner
}

// New wires the application.
func New(uow UnitOfWork, clock Clock, ids IDs, phones PhoneNormalizer, box SecretBox, cfg Config, log *slog.Logger, out Gateways) *App {
	out = bounded(out, cfg.Money.GatewayTimeout)
	a := &App{gateway: out.Bank, qris: out.QRIS, clock: clock, ids: ids, phones: phones, box: box, cfg: cfg, log: log, rand: rand.Reader,
		obs: observerOrNop(out.Observer), tracer: out.Tracer}
	if a.tracer == nil {
		a.tracer = nopTracer{}
	}
	if out.Observer != nil || out.Tracer != nil {
		uow = observingUoW{UnitOfWork: uow, obs: a.obs, tracer: a.tracer}
	}
	a.uow = eventingUoW{UnitOfWork: uow, ids: ids, now: clock.Now, endpoint: a.cachedEndpoint}
	a.reads = a.uow
	if out.Reads != nil {
		a.reads = out.Reads
		if out.Observer != nil || out.Tracer != nil {
			a.reads = observingUoW{UnitOfWork: out.Reads, obs: a.obs, tracer: a.tracer}
		}
	}
	return a
}

// Gateways are the outbound ports of the use cases: money, and the observer
// and tracer of what operators watch (nil records nothing).
type Gateways struct {
	Bank     BankGateway
	QRIS     QRISSwitch
	Observer Observer
	Tracer   Tracer
	// Reads runs the read-only units of work of transaction history and
	// status (a streaming replica, ADR 0014); nil: the primary's.
	Reads UnitOfWork
}

// Config returns the rules the application runs with.
func (a *App) Config() Config { return a.cfg }

func (a *App) now() time.Time { return a.clock.Now() }
