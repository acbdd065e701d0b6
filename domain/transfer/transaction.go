// Package transfer models the business transactions customers and partners
// see: a top-up, a payment, a refund, a wallet-to-wallet transfer. Each one
// moves money through one or more ledger entries (domain/wallet); this
// package keeps what it was, who it involved and where it stands.
package transfer

import (
	"context"
	"time"

	"github.com/dompet/wallet/domain/fault"
)

// Type is the kind of transaction.
type Type string

// Transaction types.
const (
	TypeTopUpVA     Type = "TOPUP_VA"
	TypeTopUpRetail Type = "TOPUP_RETAIL"
	TypePayment     Type = "WALLET_PAYMENT"
	TypeRefund      Type = "REFUND"
	TypeP2P         Type = "P2P_TRANSFER"
	TypeBank        Type = "BANK_TRANSFER"
	TypeCashOut     Type = "CASH_OUT"
	TypeQRIS        Type = "QRIS_PAYMENT"
)

// ParseType validates a type name (history filters).
func ParseType(s string) (Type, error) {
	switch t := Type(s); t {
	case TypeTopUpVA, TypeTopUpRetail, TypePayment, TypeRefund, TypeP2P, TypeBank, TypeCashOut, TypeQRIS:
		return t, nil
	}
	return "", fault.Invalidf("type", "is not a known transaction type")
}

// Status is where a transaction stands (SPEC §3 status inquiry).
type Status string

// Statuses.
const (
	StatusPending Status = "PENDING"
	StatusSuccess Status = "SUCCESS"
	StatusFailed  Status = "FAILED"
)

// Errors.
var (
	ErrNotFound         = fault.New(fault.NotFound, "transaction not found")
	ErrOrderIDUsed      = fault.New(fault.IdempotencyConflict, "orderId was already used for another payment; use a new orderId for a new order")
	ErrReferenceReused  = fault.New(fault.IdempotencyConflict, "this bankReference or storeReference was already used for a different request")
	ErrRefundExceeds    = fault.New(fault.LimitExceeded, "refund exceeds what is left of the payment")
	ErrNotRefundable    = fault.New(fault.Invalid, "only successful wallet payments can be refunded")
	ErrExternalIDReused = fault.New(fault.IdempotencyConflict, "X-EXTERNAL-ID already started a different transaction")
)

// Transaction is one business transaction. Its id is the reffId partners
// use for status inquiries (the responseId of the answer that started it).
type Transaction struct {
	id             string
	typ            Type
	status         Status
	partnerID      string
	customerID     string
	counterpartyID string // the other customer (P2P receiver) or empty
	counterparty   string // display: merchant name, bank, VA, store, other wallet
	amount         int64
	fee            int64
	orderID        string // partner's order id (payments), refunded payment's id (refunds)
	reference      string // channel reference (bankReference, storeReference)
	externalID     string // the partner's idempotency key of the request that started it
	bank           BankAccount
	qris           string // the QR payload a QRIS payment was made against
	description    string
	refunded       int64
	createdAt      time.Time
	updatedAt      time.Time
}

// BankAccount is the destination of a transfer to a bank.
type BankAccount struct {
	BankCode, Number, Name string
}

// New describes a transaction; it starts PENDING until its money moves.
type New struct {
	ID, PartnerID, CustomerID, CounterpartyID, Counterparty string
	Type                                                    Type
	Amount, Fee                                             int64
	OrderID, Reference, Description, ExternalID             string
	Bank                                                    BankAccount
	QRIS                                                    string
}

// Start validates and creates a pending transaction.
func Start(n New, now time.Time) (*Transaction, error) {
	if n.ID == "" || n.CustomerID == "" {
		return nil, fault.New(fault.Internal, "transaction needs an id and a customer")
	}
	if n.Amount <= 0 || n.Fee < 0 {
		return nil, fault.Invalidf("amount", "must be a positive whole number of rupiah")
	}
	if len([]rune(n.Description)) > 255 {
		return nil, fault.Invalidf("description", "is longer than 255 characters")
	}
	return &Transaction{id: n.ID, typ: n.Type, status: StatusPending, partnerID: n.PartnerID, customerID: n.CustomerID,
		counterpartyID: n.CounterpartyID, counterparty: n.Counterparty, amount: n.Amount, fee: n.Fee,
		orderID: n.OrderID, reference: n.Reference, description: n.Description, externalID: n.ExternalID,
		bank: n.Bank, qris: n.QRIS, createdAt: now, updatedAt: now}, nil
}

// Succeed marks the money as moved.
func (t *Transaction) Succeed(now time.Time) {
	t.status, t.updatedAt = StatusSuccess, now
}

// Fail marks the transaction failed (money returned or never moved).
func (t *Transaction) Fail(now time.Time) {
	t.status, t.updatedAt = StatusFailed, now
}

// Pending reports whether the final result is still open.
func (t *Transaction) Pending() bool { return t.status == StatusPending }

// Refund records a refund of amount against this payment.
func (t *Transaction) Refund(amount int64, now time.Time) error {
	if t.typ != TypePayment || t.status != StatusSuccess {
		return ErrNotRefundable
	}
	if amount <= 0 {
		return fault.Invalidf("amount", "must be a positive whole number of rupiah")
	}
	if amount > t.amount-t.refunded {
		return ErrRefundExceeds
	}
	t.refunded += amount
	t.updatedAt = now
	return nil
}

// ID is the reffId.
func (t *Transaction) ID() string { return t.id }

// Type returns the kind of transaction.
func (t *Transaction) Type() Type { return t.typ }

// Status returns where it stands.
func (t *Transaction) Status() Status { return t.status }

// PartnerID returns the partner that started it.
func (t *Transaction) PartnerID() string { return t.partnerID }

// CustomerID returns the customer whose pocket it moves.
func (t *Transaction) CustomerID() string { return t.customerID }

// CounterpartyID returns the other customer of a P2P transfer.
func (t *Transaction) CounterpartyID() string { return t.counterpartyID }

// Counterparty returns a display name of the other side.
func (t *Transaction) Counterparty() string { return t.counterparty }

// Amount returns the principal.
func (t *Transaction) Amount() int64 { return t.amount }

// Fee returns the service fee.
func (t *Transaction) Fee() int64 { return t.fee }

// Total returns amount plus fee.
func (t *Transaction) Total() int64 { return t.amount + t.fee }

// OrderID returns the partner's order id.
func (t *Transaction) OrderID() string { return t.orderID }

// Reference returns the channel's reference.
func (t *Transaction) Reference() string { return t.reference }

// ExternalID returns the partner's X-EXTERNAL-ID of the starting request.
func (t *Transaction) ExternalID() string { return t.externalID }

// Bank returns the destination of a bank transfer.
func (t *Transaction) Bank() BankAccount { return t.bank }

// QRISPayload returns the QR a QRIS payment was made against.
func (t *Transaction) QRISPayload() string { return t.qris }

// Description returns the free text.
func (t *Transaction) Description() string { return t.description }

// Refunded returns how much of a payment was refunded.
func (t *Transaction) Refunded() int64 { return t.refunded }

// CreatedAt returns the start time.
func (t *Transaction) CreatedAt() time.Time { return t.createdAt }

// UpdatedAt returns the last change.
func (t *Transaction) UpdatedAt() time.Time { return t.updatedAt }

// Snapshot carries stored state back into the domain.
type Snapshot struct {
	ID, PartnerID, CustomerID, CounterpartyID, Counterparty string
	Type                                                    Type
	Status                                                  Status
	Amount, Fee, Refunded                                   int64
	OrderID, Reference, Description, ExternalID             string
	Bank                                                    BankAccount
	QRIS                                                    string
	CreatedAt, UpdatedAt                                    time.Time
}

// Rehydrate rebuilds a transaction from storage.
func Rehydrate(s Snapshot) *Transaction {
	return &Transaction{id: s.ID, typ: s.Type, status: s.Status, partnerID: s.PartnerID, customerID: s.CustomerID,
		counterpartyID: s.CounterpartyID, counterparty: s.Counterparty, amount: s.Amount, fee: s.Fee,
		orderID: s.OrderID, reference: s.Reference, description: s.Description, refunded: s.Refunded,
		externalID: s.ExternalID, bank: s.Bank, qris: s.QRIS, createdAt: s.CreatedAt, updatedAt: s.UpdatedAt}
}

// HistoryItem is a transaction as one customer sees it.
type HistoryItem struct {
	Transaction *Transaction
	// BalanceAfter is the customer's pocket balance after the transaction's
	// last posting on it; nil while nothing has posted.
	BalanceAfter *int64
	// Incoming is true when the customer received the money.
	Incoming bool
	// Counterparty is the other side as this customer sees it: for the
	// receiver of a P2P transfer, the sender.
	Counterparty string
}

// HistoryFilter narrows a history query. Cursor is the id of the last item
// of the previous page; ids are time-ordered, so pages are keyset pages.
type HistoryFilter struct {
	From, To time.Time // inclusive, exclusive; zero means open
	Type     Type      // empty means all
	Cursor   string
	Limit    int
}

// Repository stores transactions.
type Repository interface {
	// Add stores a new transaction; ErrOrderIDUsed when the partner already
	// used its order id, ErrReferenceReused when the channel already used
	// its reference.
	Add(ctx context.Context, t *Transaction) error
	// ByID returns the transaction or ErrNotFound; lock keeps it locked for
	// the transaction (refunds).
	ByID(ctx context.Context, id string, lock bool) (*Transaction, error)
	// ByOrderID returns the partner's payment for an order or ErrNotFound.
	ByOrderID(ctx context.Context, partnerID, orderID string, lock bool) (*Transaction, error)
	// ByReference returns the channel's top-up for a reference or
	// ErrNotFound.
	ByReference(ctx context.Context, partnerID, reference string) (*Transaction, error)
	// ByExternalID returns the transaction a partner's request key started,
	// or ErrNotFound.
	ByExternalID(ctx context.Context, partnerID, externalID string) (*Transaction, error)
	// Update saves status and refunded amount.
	Update(ctx context.Context, t *Transaction) error
	// History returns the customer's transactions (as payer or receiver),
	// newest first, with the pocket's balance after each.
	History(ctx context.Context, customerID, pocketID string, f HistoryFilter) ([]HistoryItem, error)
	// AddCashOutCode stores the code of a cash-out transaction.
	AddCashOutCode(ctx context.Context, c CashOutCode) error
	// CashOutByCode returns the code with that hash, or ErrCashOutCodeInvalid.
	CashOutByCode(ctx context.Context, codeHash []byte) (CashOutCode, error)
	// CashOutByStoreReference returns the code a store redeemed with its
	// reference, or ErrNotFound.
	CashOutByStoreReference(ctx context.Context, partnerID, storeReference string) (CashOutCode, error)
	// RedeemCashOutCode records the redemption; ErrCashOutCodeInvalid when
	// the code was redeemed meanwhile.
	RedeemCashOutCode(ctx context.Context, codeHash []byte, partnerID, storeReference string) error
}

// CashOutCode is the one-time withdrawal code of a cash-out, stored as a
// keyed hash.
type CashOutCode struct {
	TransactionID  string
	CodeHash       []byte
	ExpiresAt      time.Time
	RedeemedBy     string // the store's partner id, once redeemed
	StoreReference string
}

// ErrCashOutCodeInvalid covers unknown, used, expired and cancelled codes
// alike: a store cannot tell which, so a code cannot be probed.
var ErrCashOutCodeInvalid = fault.New(fault.NotFound, "cash-out code invalid, used or expired")
