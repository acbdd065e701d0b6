package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/partner"
)

var errAbort = errors.New("storetest: abort the transaction")

var transactionCases = []testCase{
	{"committed write is visible in the next transaction", func(t *testing.T, uow app.UnitOfWork) {
		p := addPartner(t, uow)
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			_, err := r.Partners.ByID(ctx, p.ID())
			return err
		})
	}},
	{"write is visible later in the same transaction", func(t *testing.T, uow app.UnitOfWork) {
		c := newCustomer(t)
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			if err := r.Customers.Add(ctx, c); err != nil {
				return err
			}
			_, err := r.Customers.ByMobile(ctx, c.Mobile(), true)
			return err
		})
	}},
	{"failed transaction returns fn's error", func(t *testing.T, uow app.UnitOfWork) {
		err := try(t, uow, func(context.Context, app.Repos) error { return errAbort })
		wantErr(t, "Do", err, errAbort)
	}},
	{"write in a failed transaction is not visible afterwards", func(t *testing.T, uow app.UnitOfWork) {
		p := addPartner(t, uow)
		c := newCustomer(t)
		err := try(t, uow, func(ctx context.Context, r app.Repos) error {
			if err := r.Customers.Add(ctx, c); err != nil {
				return err
			}
			if err := r.Bindings.Bind(ctx, p.ID(), c.ID(), at(0)); err != nil {
				return err
			}
			return errAbort
		})
		wantErr(t, "Do", err, errAbort)
		err = try(t, uow, func(ctx context.Context, r app.Repos) error {
			_, err := r.Customers.ByID(ctx, c.ID())
			return err
		})
		wantErr(t, "ByID after rollback", err, customer.ErrNotFound)
		// The same rows can be written again: nothing of them was kept.
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Customers.Add(ctx, c) })
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			bound, err := r.Bindings.IsBound(ctx, p.ID(), c.ID())
			if err == nil && bound {
				t.Error("binding of a rolled back transaction is visible")
			}
			return err
		})
	}},
	{"update in a failed transaction is rolled back", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		err := try(t, uow, func(ctx context.Context, r app.Repos) error {
			got, err := r.Customers.ByID(ctx, c.ID())
			if err != nil {
				return err
			}
			if err := got.Activate(at(0)); err != nil {
				return err
			}
			if err := r.Customers.Update(ctx, got); err != nil {
				return err
			}
			return errAbort
		})
		wantErr(t, "Do", err, errAbort)
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			got, err := r.Customers.ByID(ctx, c.ID())
			if err != nil {
				return err
			}
			eq(t, "status", got.Status(), customer.StatusPendingVerification)
			return nil
		})
	}},
	{"partner added in a failed transaction is not found", func(t *testing.T, uow app.UnitOfWork) {
		p, err := partner.New(newID("ptn"), "Bank Nusantara", partner.RoleChannel, []byte("sealed"), at(0))
		if err != nil {
			t.Fatal(err)
		}
		err = try(t, uow, func(ctx context.Context, r app.Repos) error {
			if err := r.Partners.Add(ctx, p); err != nil {
				return err
			}
			return errAbort
		})
		wantErr(t, "Do", err, errAbort)
		err = try(t, uow, func(ctx context.Context, r app.Repos) error {
			_, err := r.Partners.ByID(ctx, p.ID())
			return err
		})
		wantErr(t, "ByID after rollback", err, partner.ErrNotFound)
	}},
}
