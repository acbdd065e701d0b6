// Package wallet is the ledger: accounts with cached balances, journal
// entries of postings that sum to zero, holds, and the Bank Indonesia
// e-money limits that guard customer pockets. Money is integer rupiah.
package wallet

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dompet/wallet/domain/fault"
)

// Kind says what an account represents (SPEC §7).
type Kind string

// Account kinds. Customer pockets hold customer money and never go
// negative. The others are the platform's side of every movement; clearing
// accounts run negative by design (they mirror money held at banks and
// stores), so only pockets are guarded.
const (
	KindPocket          Kind = "POCKET"           // a customer's wallet
	KindMerchant        Kind = "MERCHANT"         // what the platform owes a partner for payments
	KindFeeRevenue      Kind = "FEE_REVENUE"      // service fees earned
	KindVAClearing      Kind = "VA_CLEARING"      // money received through a bank channel's virtual accounts
	KindRetailClearing  Kind = "RETAIL_CLEARING"  // cash collected by a retail channel
	KindBankSettlement  Kind = "BANK_SETTLEMENT"  // disbursements to banks
	KindQRISSettlement  Kind = "QRIS_SETTLEMENT"  // payments to QRIS acquirers
	KindCashOutClearing Kind = "CASHOUT_CLEARING" // cash handed out by stores
)

// Sharded reports whether the account's cached balance is spread over
// several rows. Every non-pocket account can be hot (all payments to one
// merchant, every fee), and none needs a balance check, so writers add to
// one of several shards instead of queueing on one row.
func (k Kind) Sharded() bool { return k != KindPocket }

// SystemAccountID is the deterministic id of a non-pocket account; owner is
// the partner for per-partner accounts and empty for platform-wide ones.
func SystemAccountID(k Kind, owner string) string {
	if owner == "" {
		return string(k)
	}
	return string(k) + ":" + owner
}

// SystemKind tells whether id names a non-pocket account, and its kind.
func SystemKind(id string) (Kind, bool) {
	k, _, _ := strings.Cut(id, ":")
	switch kind := Kind(k); kind {
	case KindMerchant, KindFeeRevenue, KindVAClearing, KindRetailClearing, KindBankSettlement,
		KindQRISSettlement, KindCashOutClearing:
		return kind, true
	}
	return "", false
}

// Currency is the only currency the platform handles.
const Currency = "IDR"

// Errors.
var (
	ErrNotFound            = fault.New(fault.NotFound, "account not found")
	ErrInsufficientBalance = fault.New(fault.InsufficientBalance, "insufficient balance")
	ErrInvalidAmount       = fault.Invalidf("amount", "must be a positive whole number of rupiah")
)

// LimitExceededError says which limit a movement would break.
type LimitExceededError struct {
	Limit     string // "max balance", "monthly incoming", "minimum amount", "maximum amount", "multiple"
	Allowed   int64  // the most (or least) that would have been accepted
	Requested int64
}

func (e *LimitExceededError) Error() string {
	return fmt.Sprintf("%s limit exceeded: requested %d, allowed %d", e.Limit, e.Requested, e.Allowed)
}

// Unwrap classifies the error as fault.LimitExceeded.
func (e *LimitExceededError) Unwrap() error {
	return fault.New(fault.LimitExceeded, fmt.Sprintf("%s limit exceeded", e.Limit))
}

// Account is a ledger account with a cached balance. For pockets the
// balance and holds are authoritative in the account row; sharded accounts
// are only ever added to.
type Account struct {
	id        string
	kind      Kind
	ownerID   string
	balance   int64
	held      int64
	createdAt time.Time
}

// OpenPocket opens a customer's main pocket with a zero balance.
func OpenPocket(id, customerID string, now time.Time) (*Account, error) {
	if id == "" || customerID == "" {
		return nil, fault.New(fault.Internal, "pocket needs an id and an owner")
	}
	return &Account{id: id, kind: KindPocket, ownerID: customerID, createdAt: now}, nil
}

// OpenSystem opens a non-pocket account under its deterministic id.
func OpenSystem(kind Kind, owner string, now time.Time) *Account {
	return &Account{id: SystemAccountID(kind, owner), kind: kind, ownerID: owner, createdAt: now}
}

// Credit adds money.
func (a *Account) Credit(amount int64) error {
	if amount <= 0 {
		return ErrInvalidAmount
	}
	a.balance += amount
	return nil
}

// Debit takes money that is available (not held).
func (a *Account) Debit(amount int64) error {
	if amount <= 0 {
		return ErrInvalidAmount
	}
	if a.kind == KindPocket && a.Available() < amount {
		return ErrInsufficientBalance
	}
	a.balance -= amount
	return nil
}

// Hold reserves available money for a pending movement.
func (a *Account) Hold(amount int64) error {
	if amount <= 0 {
		return ErrInvalidAmount
	}
	if a.Available() < amount {
		return ErrInsufficientBalance
	}
	a.held += amount
	return nil
}

// Release gives held money back to the available balance.
func (a *Account) Release(amount int64) error {
	if amount <= 0 || amount > a.held {
		return fault.New(fault.Internal, "release exceeds the held amount")
	}
	a.held -= amount
	return nil
}

// Capture turns held money into a debit.
func (a *Account) Capture(amount int64) error {
	if amount <= 0 || amount > a.held {
		return fault.New(fault.Internal, "capture exceeds the held amount")
	}
	a.held -= amount
	a.balance -= amount
	return nil
}

// ID returns the account identifier (the pocketId of inquiries).
func (a *Account) ID() string { return a.id }

// Kind returns what the account represents.
func (a *Account) Kind() Kind { return a.kind }

// OwnerID returns the owning customer or partner, empty for platform accounts.
func (a *Account) OwnerID() string { return a.ownerID }

// Balance returns the posted balance.
func (a *Account) Balance() int64 { return a.balance }

// Held returns the amount reserved by pending movements.
func (a *Account) Held() int64 { return a.held }

// Available returns balance minus holds.
func (a *Account) Available() int64 { return a.balance - a.held }

// CreatedAt returns the opening time.
func (a *Account) CreatedAt() time.Time { return a.createdAt }

// Rehydrate rebuilds an account from storage.
func Rehydrate(id string, kind Kind, ownerID string, balance, held int64, createdAt time.Time) *Account {
	return &Account{id: id, kind: kind, ownerID: ownerID, balance: balance, held: held, createdAt: createdAt}
}

// Repository stores accounts and the journal. Callers lock every pocket
// they change (PocketOf with lock) in ascending id order before posting, so
// concurrent movements cannot deadlock on pockets; sharded accounts are
// updated last, also in a fixed order.
type Repository interface {
	// Open stores a new account; opening an existing system account is not
	// an error.
	Open(ctx context.Context, a *Account) error
	// PocketOf returns the customer's main pocket or ErrNotFound; with lock
	// the row is locked until the transaction ends.
	PocketOf(ctx context.Context, customerID string, lock bool) (*Account, error)
	// Post records the entry and its postings, saves the balance and holds
	// of the given pockets (already changed by the caller through Credit,
	// Debit, Hold, Capture, Release) and adds the postings of sharded
	// accounts to their balances. Every pocket in the entry must be given.
	Post(ctx context.Context, e *Entry, pockets ...*Account) error
	// SaveHolds saves a pocket's holds when no money moves (a new hold).
	SaveHolds(ctx context.Context, a *Account) error
	// IncomingThisMonth returns what the customer received in the calendar
	// month containing at (WIB), for the monthly limit.
	IncomingThisMonth(ctx context.Context, customerID string, at time.Time) (int64, error)
	// AddIncoming records money received, in the same transaction as the
	// movement.
	AddIncoming(ctx context.Context, customerID string, at time.Time, amount int64) error
	// BalanceAfter returns the account's balance after the last posting of
	// a business transaction, or ErrNotFound when it has none.
	BalanceAfter(ctx context.Context, transactionID, accountID string) (int64, error)
}
