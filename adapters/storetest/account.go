package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/wallet"
)

func openPocket(t *testing.T, uow app.UnitOfWork, customerID string) *wallet.Account {
	t.Helper()
	a, err := wallet.OpenPocket(newID("acc"), customerID, at(0))
	if err != nil {
		t.Fatal(err)
	}
	do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Accounts.Open(ctx, a) })
	return a
}

func pocketOf(t *testing.T, uow app.UnitOfWork, customerID string) *wallet.Account {
	t.Helper()
	return pocketLocked(t, uow, customerID, false)
}

func pocketLocked(t *testing.T, uow app.UnitOfWork, customerID string, lock bool) *wallet.Account {
	t.Helper()
	var got *wallet.Account
	do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
		got, err = r.Accounts.PocketOf(ctx, customerID, lock)
		return err
	})
	return got
}

var accountCases = []testCase{
	{"opened pocket is found by its owner with every field", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		want := wallet.Rehydrate(newID("acc"), wallet.KindPocket, c.ID(), 1_250_000, 50_000, at(-time.Hour))
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Accounts.Open(ctx, want) })
		for _, lock := range []bool{false, true} {
			got := pocketLocked(t, uow, c.ID(), lock)
			eq(t, "id", got.ID(), want.ID())
			eq(t, "kind", got.Kind(), wallet.KindPocket)
			eq(t, "owner", got.OwnerID(), c.ID())
			eq(t, "balance", got.Balance(), want.Balance())
			eq(t, "held", got.Held(), want.Held())
			eq(t, "available", got.Available(), want.Available())
			eqTime(t, "createdAt", got.CreatedAt(), want.CreatedAt())
		}
	}},
	{"customer without a pocket is not found", func(t *testing.T, uow app.UnitOfWork) {
		openPocket(t, uow, addCustomer(t, uow).ID())
		c := addCustomer(t, uow)
		for _, lock := range []bool{false, true} {
			err := try(t, uow, func(ctx context.Context, r app.Repos) error {
				_, err := r.Accounts.PocketOf(ctx, c.ID(), lock)
				return err
			})
			wantErr(t, "PocketOf", err, wallet.ErrNotFound)
		}
	}},
	{"pockets are per customer", func(t *testing.T, uow app.UnitOfWork) {
		c1, c2 := addCustomer(t, uow), addCustomer(t, uow)
		a1, a2 := openPocket(t, uow, c1.ID()), openPocket(t, uow, c2.ID())
		eq(t, "pocket of first", pocketOf(t, uow, c1.ID()).ID(), a1.ID())
		eq(t, "pocket of second", pocketOf(t, uow, c2.ID()).ID(), a2.ID())
	}},
	{"second pocket for the same customer is rejected", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		first := openPocket(t, uow, c.ID())
		second, err := wallet.OpenPocket(newID("acc"), c.ID(), at(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if err := try(t, uow, func(ctx context.Context, r app.Repos) error { return r.Accounts.Open(ctx, second) }); err == nil {
			t.Fatal("Open of a second pocket succeeded")
		}
		eq(t, "pocket", pocketOf(t, uow, c.ID()).ID(), first.ID())
	}},
	{"duplicate id is rejected", func(t *testing.T, uow app.UnitOfWork) {
		a := openPocket(t, uow, addCustomer(t, uow).ID())
		dup, err := wallet.OpenPocket(a.ID(), addCustomer(t, uow).ID(), at(0))
		if err != nil {
			t.Fatal(err)
		}
		if err := try(t, uow, func(ctx context.Context, r app.Repos) error { return r.Accounts.Open(ctx, dup) }); err == nil {
			t.Fatal("Open of a duplicate id succeeded")
		}
	}},
}
