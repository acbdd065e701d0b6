package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/wallet"
)

func lockPayer(t *testing.T, uow app.UnitOfWork, m customer.MobileNumber, partnerID string) (*customer.Customer, bool, *wallet.Account, error) {
	t.Helper()
	var c *customer.Customer
	var bound bool
	var pocket *wallet.Account
	err := try(t, uow, func(ctx context.Context, r app.Repos) (err error) {
		c, bound, pocket, err = r.Payers.LockPayer(ctx, m, partnerID)
		return err
	})
	return c, bound, pocket, err
}

var payerCases = []testCase{
	{"a payer comes with its binding and its pocket", func(t *testing.T, uow app.UnitOfWork) {
		p, other := addPartner(t, uow), addPartner(t, uow)
		c := addCustomer(t, uow)
		want := wallet.Rehydrate(newID("acc"), wallet.KindPocket, c.ID(), 1_250_000, 50_000, at(-time.Hour))
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			if err := r.Accounts.Open(ctx, want); err != nil {
				return err
			}
			return r.Bindings.Bind(ctx, p.ID(), c.ID(), at(0))
		})
		got, bound, pocket, err := lockPayer(t, uow, c.Mobile(), p.ID())
		if err != nil {
			t.Fatal(err)
		}
		sameCustomer(t, "payer", got, c)
		eq(t, "bound", bound, true)
		eq(t, "pocket id", pocket.ID(), want.ID())
		eq(t, "pocket owner", pocket.OwnerID(), c.ID())
		eq(t, "balance", pocket.Balance(), want.Balance())
		eq(t, "held", pocket.Held(), want.Held())
		eqTime(t, "pocket createdAt", pocket.CreatedAt(), want.CreatedAt())
		if _, bound, _, err := lockPayer(t, uow, c.Mobile(), other.ID()); err != nil || bound {
			t.Fatalf("unbound partner: bound %t, %v", bound, err)
		}
	}},
	{"an unknown number or a customer without a pocket is not found", func(t *testing.T, uow app.UnitOfWork) {
		p := addPartner(t, uow)
		_, _, _, err := lockPayer(t, uow, newMobile(t), p.ID())
		wantErr(t, "unknown number", err, customer.ErrNotFound)
		c := addCustomer(t, uow)
		_, _, _, err = lockPayer(t, uow, c.Mobile(), p.ID())
		wantErr(t, "no pocket", err, customer.ErrNotFound)
	}},
}
