package app

import (
	"context"
	"errors"

	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/transfer"
)

// TransactionStatus returns a transaction to the partner that started it or
// to a partner bound to a customer it involves. Anyone else gets NotFound,
// so reffIds cannot be probed.
// Errors: Invalid, NotFound.
func (a *App) TransactionStatus(ctx context.Context, p *partner.Partner, reffID string) (*transfer.Transaction, error) {
	if reffID == "" || len(reffID) > 64 {
		return nil, fault.Invalidf("reffId", "is required")
	}
	var out *transfer.Transaction
	err := a.reads.Do(ctx, func(ctx context.Context, r Repos) error {
		t, err := r.Transactions.ByID(ctx, reffID, false)
		if err != nil {
			return err
		}
		if t.PartnerID() != p.ID() {
			ok, err := boundToAny(ctx, r, p.ID(), t.CustomerID(), t.CounterpartyID())
			if err != nil {
				return err
			}
			if !ok {
				return transfer.ErrNotFound
			}
		}
		out = t
		return nil
	})
	return out, err
}

// MyTransaction returns one transaction of the session's customer.
// Errors: NotFound.
func (a *App) MyTransaction(ctx context.Context, s CustomerSession, reffID string) (*transfer.Transaction, error) {
	var out *transfer.Transaction
	err := a.reads.Do(ctx, func(ctx context.Context, r Repos) error {
		t, err := r.Transactions.ByID(ctx, reffID, false)
		if err != nil {
			return err
		}
		if t.CustomerID() != s.CustomerID && t.CounterpartyID() != s.CustomerID {
			return transfer.ErrNotFound
		}
		out = t
		return nil
	})
	return out, err
}

func boundToAny(ctx context.Context, r Repos, partnerID string, customerIDs ...string) (bool, error) {
	for _, id := range customerIDs {
		if id == "" {
			continue
		}
		ok, err := r.Bindings.IsBound(ctx, partnerID, id)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// HistoryPage is one page of a customer's transactions, newest first.
type HistoryPage struct {
	Items      []transfer.HistoryItem
	NextCursor string // empty on the last page
}

// Page sizes.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// History returns a bound customer's transactions.
// Errors: InvalidMobile, Invalid, NotFound, Forbidden.
func (a *App) History(ctx context.Context, p *partner.Partner, mobile string, f transfer.HistoryFilter) (HistoryPage, error) {
	if err := p.RequireRole(partner.RolePartner); err != nil {
		return HistoryPage{}, err
	}
	c, err := a.boundCustomer(ctx, p, mobile)
	if err != nil {
		return HistoryPage{}, err
	}
	return a.history(ctx, c.ID(), f)
}

// MyHistory returns the session customer's transactions.
// Errors: Invalid.
func (a *App) MyHistory(ctx context.Context, s CustomerSession, f transfer.HistoryFilter) (HistoryPage, error) {
	return a.history(ctx, s.CustomerID, f)
}

func (a *App) history(ctx context.Context, customerID string, f transfer.HistoryFilter) (HistoryPage, error) {
	switch {
	case f.Limit == 0:
		f.Limit = DefaultPageSize
	case f.Limit < 0 || f.Limit > MaxPageSize:
		return HistoryPage{}, fault.Invalidf("limit", "must be between 1 and %d", MaxPageSize)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return HistoryPage{}, fault.Invalidf("to", "must be after from")
	}
	want := f.Limit
	f.Limit++ // one more tells whether there is a next page
	var out HistoryPage
	err := a.reads.Do(ctx, func(ctx context.Context, r Repos) error {
		pocket, err := r.Accounts.PocketOf(ctx, customerID, false)
		if err != nil {
			return err
		}
		items, err := r.Transactions.History(ctx, customerID, pocket.ID(), f)
		if err != nil {
			return err
		}
		if len(items) > want {
			items = items[:want]
			out.NextCursor = items[want-1].Transaction.ID()
		}
		out.Items = items
		return nil
	})
	if errors.Is(err, transfer.ErrNotFound) {
		return HistoryPage{}, err
	}
	return out, err
}
