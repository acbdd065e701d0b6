package memstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/transfer"
	"github.com/dompet/wallet/domain/wallet"
)

var (
	_ wallet.Repository   = accountRepo{}
	_ transfer.Repository = transactionRepo{}
)

// accountRepo does not check that a pocket's owner exists. Like the SQL
// stores' foreign keys and checks, Post refuses lines on accounts that were
// never opened, and no pocket is ever saved with a negative balance or with
// more held than its balance.
type accountRepo struct{ *tx }

// Open refuses a second pocket for the same owner and a duplicate pocket
// id; opening a sharded (system) account whose id exists does nothing.
func (r accountRepo) Open(ctx context.Context, a *wallet.Account) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	if _, ok := r.st.accounts[a.ID()]; ok {
		if a.Kind().Sharded() {
			return nil
		}
		return fmt.Errorf("memstore: account %q already exists", a.ID())
	}
	if err := checkAmounts(a.ID(), a.Balance(), a.Held()); err != nil {
		return err
	}
	if a.Kind() == wallet.KindPocket {
		if id, ok := r.st.pockets[a.OwnerID()]; ok {
			return fmt.Errorf("memstore: customer %q already has pocket %q", a.OwnerID(), id)
		}
		r.st.pockets[a.OwnerID()] = a.ID()
	}
	r.st.accounts[a.ID()] = copyAccount(a)
	return nil
}

// PocketOf ignores lock: transactions are serialised anyway.
func (r accountRepo) PocketOf(ctx context.Context, customerID string, _ bool) (*wallet.Account, error) {
	if err := r.check(ctx); err != nil {
		return nil, err
	}
	id, ok := r.st.pockets[customerID]
	if !ok {
		return nil, wallet.ErrNotFound
	}
	return copyAccount(r.st.accounts[id]), nil
}

// Post checks everything before it changes anything, so a refused entry
// leaves no trace even if the caller goes on and commits. It refuses:
//   - an entry id that was already posted;
//   - a given pocket that is not a stored pocket (wallet.ErrNotFound) or
//     has no line in the entry;
//   - a line on an account that was never opened;
//   - a line on a pocket that was not given;
//   - a given pocket whose balance did not change by exactly the sum of
//     its lines since it was last saved (a use case that forgot to Credit
//     or Debit, or posted a different amount), or whose balance is negative
//     or below its holds.
//
// Like the SQL stores, it sets BalanceAfter on the caller's entry for
// every given pocket.
func (r accountRepo) Post(ctx context.Context, e *wallet.Entry, pockets ...*wallet.Account) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	if r.st.entries[e.ID()] {
		return fmt.Errorf("memstore: journal entry %q already exists", e.ID())
	}
	lines := e.Postings()
	sums := make(map[string]int64, len(lines))
	for _, l := range lines {
		sums[l.AccountID] += l.Amount
	}
	given := make(map[string]*wallet.Account, len(pockets))
	for _, p := range pockets {
		stored, ok := r.st.accounts[p.ID()]
		if !ok || stored.Kind() != wallet.KindPocket {
			return fmt.Errorf("memstore: pocket %q: %w", p.ID(), wallet.ErrNotFound)
		}
		if _, ok := sums[p.ID()]; !ok {
			return fault.New(fault.Internal, fmt.Sprintf("memstore: pocket %q has no line in entry %q", p.ID(), e.ID()))
		}
		if got, want := p.Balance()-stored.Balance(), sums[p.ID()]; got != want {
			return fault.New(fault.Internal, fmt.Sprintf("memstore: pocket %q changed by %d but entry %q posts %d to it", p.ID(), got, e.ID(), want))
		}
		if err := checkAmounts(p.ID(), p.Balance(), p.Held()); err != nil {
			return err
		}
		given[p.ID()] = p
	}
	for _, l := range lines {
		a, ok := r.st.accounts[l.AccountID]
		if !ok {
			return fault.New(fault.Internal, fmt.Sprintf("memstore: entry %q posts to account %q, which was never opened", e.ID(), l.AccountID))
		}
		if a.Kind() == wallet.KindPocket && given[l.AccountID] == nil {
			return fault.New(fault.Internal, fmt.Sprintf("memstore: entry %q posts to pocket %q, which was not given to Post", e.ID(), l.AccountID))
		}
	}
	for id, p := range given {
		e.SetBalanceAfter(id, p.Balance())
		stored := r.st.accounts[id]
		r.st.accounts[id] = wallet.Rehydrate(id, stored.Kind(), stored.OwnerID(), p.Balance(), p.Held(), stored.CreatedAt())
	}
	r.st.entries[e.ID()] = true
	for _, l := range e.Postings() {
		_, pocket := given[l.AccountID]
		r.st.postings = append(r.st.postings, posting{entryID: e.ID(), transactionID: e.TransactionID(), Posting: l, hasBalance: pocket})
		if !pocket {
			r.st.totals[l.AccountID] += l.Amount
		}
	}
	return nil
}

// SaveHolds saves the held amount only; wallet.ErrNotFound for an unknown
// account.
func (r accountRepo) SaveHolds(ctx context.Context, a *wallet.Account) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	stored, ok := r.st.accounts[a.ID()]
	if !ok {
		return wallet.ErrNotFound
	}
	if err := checkAmounts(a.ID(), stored.Balance(), a.Held()); err != nil {
		return err
	}
	r.st.accounts[a.ID()] = wallet.Rehydrate(stored.ID(), stored.Kind(), stored.OwnerID(), stored.Balance(), a.Held(), stored.CreatedAt())
	return nil
}

func (r accountRepo) IncomingThisMonth(ctx context.Context, customerID string, at time.Time) (int64, error) {
	if err := r.check(ctx); err != nil {
		return 0, err
	}
	return r.st.incoming[incomingKey{customerID, wallet.Month(at)}], nil
}

func (r accountRepo) AddIncoming(ctx context.Context, customerID string, at time.Time, amount int64) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	r.st.incoming[incomingKey{customerID, wallet.Month(at)}] += amount
	return nil
}

// BalanceAfter looks at the last line of the transaction on the account;
// wallet.ErrNotFound when there is none or it is not a pocket's.
func (r accountRepo) BalanceAfter(ctx context.Context, transactionID, accountID string) (int64, error) {
	if err := r.check(ctx); err != nil {
		return 0, err
	}
	for _, p := range slices.Backward(r.st.postings) {
		if p.transactionID == transactionID && p.AccountID == accountID {
			if !p.hasBalance {
				break
			}
			return p.BalanceAfter, nil
		}
	}
	return 0, wallet.ErrNotFound
}

// checkAmounts is the accounts table's CHECK constraints.
func checkAmounts(id string, balance, held int64) error {
	if balance < 0 || held < 0 || held > balance {
		return fault.New(fault.Internal, fmt.Sprintf("memstore: account %q would have balance %d and held %d", id, balance, held))
	}
	return nil
}

func copyAccount(a *wallet.Account) *wallet.Account {
	return wallet.Rehydrate(a.ID(), a.Kind(), a.OwnerID(), a.Balance(), a.Held(), a.CreatedAt())
}

// transactionRepo does not check that the customer exists.
type transactionRepo struct{ *tx }

func isTopUp(t transfer.Type) bool { return t == transfer.TypeTopUpVA || t == transfer.TypeTopUpRetail }

// Add keeps an order id unique among a partner's payments and a reference
// unique among a partner's top-ups (VA and retail together), empty ones
// included, as the SQL stores' unique indexes do.
func (r transactionRepo) Add(ctx context.Context, t *transfer.Transaction) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	if _, ok := r.st.transactions[t.ID()]; ok {
		return fmt.Errorf("memstore: transaction %q already exists", t.ID())
	}
	if err := checkTransaction(t.ID(), t.Amount(), t.Fee(), t.Refunded()); err != nil {
		return err
	}
	for _, o := range r.st.transactions {
		if o.PartnerID() != t.PartnerID() {
			continue
		}
		if t.Type() == transfer.TypePayment && o.Type() == transfer.TypePayment && o.OrderID() == t.OrderID() {
			return transfer.ErrOrderIDUsed
		}
		if isTopUp(t.Type()) && isTopUp(o.Type()) && o.Reference() == t.Reference() {
			return transfer.ErrReferenceReused
		}
		if t.ExternalID() != "" && o.ExternalID() == t.ExternalID() {
			return transfer.ErrExternalIDReused
		}
	}
	r.st.transactions[t.ID()] = copyTransaction(t, t.Status(), t.Refunded(), t.UpdatedAt())
	return nil
}

// ByID ignores lock: transactions are serialised anyway.
func (r transactionRepo) ByID(ctx context.Context, id string, _ bool) (*transfer.Transaction, error) {
	if err := r.check(ctx); err != nil {
		return nil, err
	}
	t, ok := r.st.transactions[id]
	if !ok {
		return nil, transfer.ErrNotFound
	}
	return copyTransaction(t, t.Status(), t.Refunded(), t.UpdatedAt()), nil
}

// ByOrderID finds payments only (refunds carry their payment's order id).
func (r transactionRepo) ByOrderID(ctx context.Context, partnerID, orderID string, _ bool) (*transfer.Transaction, error) {
	return r.find(ctx, func(t *transfer.Transaction) bool {
		return t.Type() == transfer.TypePayment && t.PartnerID() == partnerID && t.OrderID() == orderID
	})
}

// ByReference finds top-ups only.
func (r transactionRepo) ByReference(ctx context.Context, partnerID, reference string) (*transfer.Transaction, error) {
	return r.find(ctx, func(t *transfer.Transaction) bool {
		return isTopUp(t.Type()) && t.PartnerID() == partnerID && t.Reference() == reference
	})
}

// ByExternalID finds the transaction a partner's request key started.
func (r transactionRepo) ByExternalID(ctx context.Context, partnerID, externalID string) (*transfer.Transaction, error) {
	if externalID == "" {
		return nil, transfer.ErrNotFound
	}
	return r.find(ctx, func(t *transfer.Transaction) bool {
		return t.PartnerID() == partnerID && t.ExternalID() == externalID
	})
}

func (r transactionRepo) find(ctx context.Context, match func(*transfer.Transaction) bool) (*transfer.Transaction, error) {
	if err := r.check(ctx); err != nil {
		return nil, err
	}
	for _, t := range r.st.transactions {
		if match(t) {
			return copyTransaction(t, t.Status(), t.Refunded(), t.UpdatedAt()), nil
		}
	}
	return nil, transfer.ErrNotFound
}

// Update saves status, refunded amount and update time only.
func (r transactionRepo) Update(ctx context.Context, t *transfer.Transaction) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	old, ok := r.st.transactions[t.ID()]
	if !ok {
		return transfer.ErrNotFound
	}
	if err := checkTransaction(t.ID(), old.Amount(), old.Fee(), t.Refunded()); err != nil {
		return err
	}
	r.st.transactions[t.ID()] = copyTransaction(old, t.Status(), t.Refunded(), t.UpdatedAt())
	return nil
}

// History returns the transactions where the customer is the customer or
// the counterparty, largest id first. Cursor is an exclusive upper bound
// on ids, From inclusive and To exclusive bounds on the creation time; a
// Limit of zero or less means no limit. BalanceAfter is the pocket's
// balance after the transaction's last line on it.
func (r transactionRepo) History(ctx context.Context, customerID, pocketID string, f transfer.HistoryFilter) ([]transfer.HistoryItem, error) {
	if err := r.check(ctx); err != nil {
		return nil, err
	}
	var ts []*transfer.Transaction
	for _, t := range r.st.transactions {
		switch {
		case t.CustomerID() != customerID && t.CounterpartyID() != customerID,
			f.Cursor != "" && t.ID() >= f.Cursor,
			!f.From.IsZero() && t.CreatedAt().Before(f.From),
			!f.To.IsZero() && !t.CreatedAt().Before(f.To),
			f.Type != "" && t.Type() != f.Type:
			continue
		}
		ts = append(ts, t)
	}
	slices.SortFunc(ts, func(a, b *transfer.Transaction) int { return cmp.Compare(b.ID(), a.ID()) })
	if f.Limit > 0 && len(ts) > f.Limit {
		ts = ts[:f.Limit]
	}
	after := map[string]int64{}
	for _, p := range r.st.postings {
		if p.AccountID == pocketID && p.hasBalance {
			after[p.transactionID] = p.BalanceAfter
		}
	}
	items := make([]transfer.HistoryItem, len(ts))
	for i, t := range ts {
		items[i] = transfer.HistoryItem{
			Transaction:  copyTransaction(t, t.Status(), t.Refunded(), t.UpdatedAt()),
			Incoming:     t.CounterpartyID() == customerID || isTopUp(t.Type()) || t.Type() == transfer.TypeRefund,
			Counterparty: t.Counterparty(),
		}
		if payer, ok := r.st.customers[t.CustomerID()]; ok && t.CounterpartyID() == customerID {
			items[i].Counterparty = payer.Mobile().Masked()
		}
		if b, ok := after[t.ID()]; ok {
			items[i].BalanceAfter = &b
		}
	}
	return items, nil
}

// checkTransaction is the transactions table's CHECK constraints.
func checkTransaction(id string, amount, fee, refunded int64) error {
	if amount <= 0 || fee < 0 || refunded < 0 || refunded > amount {
		return fault.New(fault.Internal, fmt.Sprintf("memstore: transaction %q would have amount %d, fee %d, refunded %d", id, amount, fee, refunded))
	}
	return nil
}

func copyTransaction(t *transfer.Transaction, status transfer.Status, refunded int64, updatedAt time.Time) *transfer.Transaction {
	return transfer.Rehydrate(transfer.Snapshot{
		ID: t.ID(), Type: t.Type(), Status: status, PartnerID: t.PartnerID(), CustomerID: t.CustomerID(),
		CounterpartyID: t.CounterpartyID(), Counterparty: t.Counterparty(), Amount: t.Amount(), Fee: t.Fee(),
		OrderID: t.OrderID(), Reference: t.Reference(), Description: t.Description(), Refunded: refunded,
		ExternalID: t.ExternalID(), Bank: t.Bank(), QRIS: t.QRISPayload(), CreatedAt: t.CreatedAt(), UpdatedAt: updatedAt,
	})
}

type payerRepo struct{ *tx }

func (r payerRepo) LockPayer(ctx context.Context, m customer.MobileNumber, partnerID string) (*customer.Customer, bool, *wallet.Account, error) {
	c, bound, err := customerRepo(r).ByMobileFor(ctx, m, partnerID)
	if err != nil {
		return nil, false, nil, err
	}
	pocket, err := accountRepo(r).PocketOf(ctx, c.ID(), true)
	if errors.Is(err, wallet.ErrNotFound) {
		return nil, false, nil, customer.ErrNotFound
	}
	return c, bound, pocket, err
}
