package app

import (
	"context"
	"errors"
	"time"

	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/kyc"
	"github.com/dompet/wallet/domain/operator"
	"github.com/dompet/wallet/domain/otp"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/session"
	"github.com/dompet/wallet/domain/transfer"
	"github.com/dompet/wallet/domain/wallet"
)

// Repos are the repositories bound to one transaction.
type Repos struct {
	Customers     customer.Repository
	OTPs          otp.Repository
	Partners      partner.Repository
	Bindings      partner.Bindings
	Sessions      session.Repository
	Accounts      wallet.Repository
	Transactions  transfer.Repository
	KYC           kyc.Repository
	Events        EventStore
	Notifications NotificationStore
	Jobs          JobQueue
	Idempotency   IdempotencyStore
	SNAPTokens    SNAPTokenStore
	Payers        PayerStore
	Operators     operator.Repository
	Lookups       Lookups
	Guesses       GuessStore
	Retention     RetentionStore
}

// PayerStore reads the start of a debit in one statement: every payment
// needs the customer, the partner's binding to it and its locked pocket.
type PayerStore interface {
	// LockPayer returns the customer with the number, whether partnerID is
	// bound to it, and its pocket, locked until the transaction ends.
	// customer.ErrNotFound when the number (or its pocket) is unknown.
	LockPayer(ctx context.Context, m customer.MobileNumber, partnerID string) (*customer.Customer, bool, *wallet.Account, error)
}

// UnitOfWork runs fn inside one database transaction. fn's repositories are
// bound to that transaction; the transaction commits when fn returns nil and
// rolls back otherwise. Do may call fn more than once when the database asks
// for a retry (serialisation failure, deadlock, busy), so fn must not have
// side effects outside the repositories. Errors: whatever fn returns, or a
// fault.Unavailable error when the database cannot be reached.
type UnitOfWork interface {
	Do(ctx context.Context, fn func(ctx context.Context, r Repos) error) error
}

type autocommitKey struct{}

// WithAutocommit marks a unit of work whose statements may each commit on
// their own instead of in one transaction: fn must stay correct when only a
// prefix of its writes lands. Single-statement bookkeeping on the hot path
// saves the BEGIN and COMMIT round trips this way. Jobs are not available
// in such a unit. The store may ignore the mark.
func WithAutocommit(ctx context.Context) context.Context {
	return context.WithValue(ctx, autocommitKey{}, true)
}

// Autocommit reports the mark; stores call it.
func Autocommit(ctx context.Context) bool {
	v, _ := ctx.Value(autocommitKey{}).(bool)
	return v
}

// Clock tells the time; tests use a fixed one.
type Clock interface {
	Now() time.Time
}

// IDs generates unique, time-ordered identifiers.
type IDs interface {
	New() string
}

// PhoneNormalizer turns user input into a canonical Indonesian mobile number.
// It returns customer.ErrInvalidMobile for anything that is not one.
type PhoneNormalizer interface {
	Normalize(raw string) (customer.MobileNumber, error)
}

// SecretBox seals secrets that must be recoverable (partner signing keys).
type SecretBox interface {
	Seal(plain []byte) ([]byte, error)
	// Open returns an error when the ciphertext was tampered with or sealed
	// under another key.
	Open(sealed []byte) ([]byte, error)
}

// Notification is one message to a customer. OTP is set for one-time
// passwords so that channels with templates (WhatsApp authentication
// templates) can send the code as a parameter rather than free text.
type Notification struct {
	ID   string
	To   customer.MobileNumber
	Text string
	OTP  string
}

// ErrUndeliverable is wrapped by senders when retrying on the same channel
// is pointless (the number is not on WhatsApp, the gateway rejects the
// number). Any other error from a sender is treated as transient.
var ErrUndeliverable = errors.New("notification undeliverable on this channel")

// TextSender delivers plain text (SMS gateway, console). It returns the
// provider's message id.
type TextSender interface {
	SendText(ctx context.Context, n Notification) (providerID string, err error)
}

// NamedSender is a sender that names itself in the delivery log: the
// console stands in for the SMS and WhatsApp channels in local runs, and
// the log must not claim an SMS went out.
type NamedSender interface {
	SenderName() string
}

// SenderNameOf returns the name a sender gives itself, "" when it gives
// none; decorators (metrics, tracing) pass it through.
func SenderNameOf(sender any) string {
	if n, ok := sender.(NamedSender); ok {
		return n.SenderName()
	}
	return ""
}

// WhatsAppSender sends a notification through the WhatsApp Cloud API. A nil
// error means the API accepted it; delivery is reported later by webhook.
type WhatsAppSender interface {
	SendWhatsApp(ctx context.Context, n Notification) (providerID string, err error)
}

// AuditReport is the result of a ledger reconciliation.
type AuditReport struct {
	Entries, Postings, Accounts int64
	LedgerSum                   int64
	Problems                    []string
}

// OK reports whether every invariant held.
func (r AuditReport) OK() bool { return len(r.Problems) == 0 }

// Auditor proves the ledger invariants over the whole store.
type Auditor interface {
	Audit(ctx context.Context) (AuditReport, error)
}
