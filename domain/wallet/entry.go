package wallet

import (
	"time"

	"github.com/dompet/wallet/domain/fault"
)

// Posting is one line of an entry: a signed amount on one account.
// Positive adds to the account's balance, negative takes from it.
type Posting struct {
	AccountID string
	Amount    int64
	// BalanceAfter is the pocket's balance after this posting; set by Post
	// for pockets, zero for sharded accounts.
	BalanceAfter int64
}

// Entry is one immutable journal entry: postings that sum to zero.
type Entry struct {
	id            string
	transactionID string
	postings      []Posting
	createdAt     time.Time
}

// ErrUnbalanced is returned for entries whose postings do not sum to zero.
var ErrUnbalanced = fault.New(fault.Internal, "journal entry does not balance")

// NewEntry validates and creates an entry. It needs at least two postings,
// none of zero, summing to exactly zero.
func NewEntry(id, transactionID string, postings []Posting, now time.Time) (*Entry, error) {
	if id == "" || transactionID == "" || len(postings) < 2 {
		return nil, ErrUnbalanced
	}
	var sum int64
	for _, p := range postings {
		if p.Amount == 0 || p.AccountID == "" {
			return nil, ErrUnbalanced
		}
		// Amounts are bounded far below overflow by the per-transaction
		// limits, but a corrupted input must not wrap around.
		if (p.Amount > 0 && sum > maxSum-p.Amount) || (p.Amount < 0 && sum < -maxSum-p.Amount) {
			return nil, ErrUnbalanced
		}
		sum += p.Amount
	}
	if sum != 0 {
		return nil, ErrUnbalanced
	}
	return &Entry{id: id, transactionID: transactionID, postings: append([]Posting(nil), postings...), createdAt: now}, nil
}

const maxSum = 1 << 62

// Move is the common two-line entry: amount from one account to another.
func Move(id, transactionID, from, to string, amount int64, now time.Time) (*Entry, error) {
	if amount <= 0 {
		return nil, ErrInvalidAmount
	}
	return NewEntry(id, transactionID, []Posting{{AccountID: from, Amount: -amount}, {AccountID: to, Amount: amount}}, now)
}

// ID returns the entry id.
func (e *Entry) ID() string { return e.id }

// TransactionID returns the business transaction the entry belongs to.
func (e *Entry) TransactionID() string { return e.transactionID }

// Postings returns a copy of the lines.
func (e *Entry) Postings() []Posting { return append([]Posting(nil), e.postings...) }

// SetBalanceAfter records a pocket's resulting balance on its posting.
func (e *Entry) SetBalanceAfter(accountID string, balance int64) {
	for i := range e.postings {
		if e.postings[i].AccountID == accountID {
			e.postings[i].BalanceAfter = balance
		}
	}
}

// CreatedAt returns the posting time.
func (e *Entry) CreatedAt() time.Time { return e.createdAt }
