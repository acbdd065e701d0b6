// Package wallet holds the ledger model. Every balance the platform keeps is
// an Account; customer wallets are accounts of kind Pocket. Money only ever
// moves between accounts through balanced journal entries.
package wallet

import (
	"context"
	"time"

	"github.com/dompet/wallet/domain/fault"
)

// Kind says what an account represents.
type Kind string

// Account kinds. Customer pockets hold customer money; the system accounts
// are the other side of every movement (SPEC §7).
const (
	KindPocket Kind = "POCKET"
)

// Currency is the only currency the platform handles.
const Currency = "IDR"

// Errors.
var (
	ErrNotFound = fault.New(fault.NotFound, "account not found")
)

// Account is a ledger account with a cached balance in integer rupiah.
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

// ID returns the account identifier (the pocketId of inquiries).
func (a *Account) ID() string { return a.id }

// Kind returns what the account represents.
func (a *Account) Kind() Kind { return a.kind }

// OwnerID returns the owning customer or partner, empty for system accounts.
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

// Repository stores accounts.
type Repository interface {
	// Open stores a new account.
	Open(ctx context.Context, a *Account) error
	// PocketOf returns the customer's main pocket or ErrNotFound.
	PocketOf(ctx context.Context, customerID string) (*Account, error)
}
