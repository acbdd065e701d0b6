package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/customer"
)

var customerCases = []testCase{
	{"add then get by id and by mobile returns every field", func(t *testing.T, uow app.UnitOfWork) {
		want := customer.Rehydrate(customer.Snapshot{
			ID: newID("cus"), FirstName: "Siti", MiddleName: "Nur", LastName: "Halimah",
			Email: "siti.halimah@example.co.id", Mobile: newMobile(t),
			Status: customer.StatusActive, AccountType: customer.AccountPremium, KYCStatus: customer.KYCVerified,
			CreatedAt: at(-time.Hour), UpdatedAt: at(90 * time.Second),
		})
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Customers.Add(ctx, want) })
		var byID, byMobile, locked *customer.Customer
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			var err error
			if byID, err = r.Customers.ByID(ctx, want.ID()); err != nil {
				return err
			}
			if byMobile, err = r.Customers.ByMobile(ctx, want.Mobile(), false); err != nil {
				return err
			}
			locked, err = r.Customers.ByMobile(ctx, want.Mobile(), true)
			return err
		})
		sameCustomer(t, "ByID", byID, want)
		sameCustomer(t, "ByMobile", byMobile, want)
		sameCustomer(t, "ByMobile for update", locked, want)
	}},
	{"empty optional fields come back empty", func(t *testing.T, uow app.UnitOfWork) {
		want, err := customer.Register(newID("cus"), customer.Registration{Mobile: newMobile(t), FirstName: "Agus"}, at(0))
		if err != nil {
			t.Fatal(err)
		}
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Customers.Add(ctx, want) })
		var got *customer.Customer
		do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
			got, err = r.Customers.ByID(ctx, want.ID())
			return err
		})
		sameCustomer(t, "ByID", got, want)
	}},
	{"unknown id is not found", func(t *testing.T, uow app.UnitOfWork) {
		addCustomer(t, uow)
		err := try(t, uow, func(ctx context.Context, r app.Repos) error {
			_, err := r.Customers.ByID(ctx, newID("cus"))
			return err
		})
		wantErr(t, "ByID", err, customer.ErrNotFound)
	}},
	{"unknown mobile is not found", func(t *testing.T, uow app.UnitOfWork) {
		addCustomer(t, uow)
		for _, forUpdate := range []bool{false, true} {
			err := try(t, uow, func(ctx context.Context, r app.Repos) error {
				_, err := r.Customers.ByMobile(ctx, newMobile(t), forUpdate)
				return err
			})
			wantErr(t, "ByMobile", err, customer.ErrNotFound)
		}
	}},
	{"duplicate mobile is already registered", func(t *testing.T, uow app.UnitOfWork) {
		first := addCustomer(t, uow)
		second, err := customer.Register(newID("cus"), customer.Registration{Mobile: first.Mobile(), FirstName: "Dewi"}, at(0))
		if err != nil {
			t.Fatal(err)
		}
		err = try(t, uow, func(ctx context.Context, r app.Repos) error { return r.Customers.Add(ctx, second) })
		wantErr(t, "Add", err, customer.ErrAlreadyRegistered)
		var got *customer.Customer
		do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
			got, err = r.Customers.ByMobile(ctx, first.Mobile(), false)
			return err
		})
		eq(t, "ByMobile id", got.ID(), first.ID())
	}},
	{"duplicate id is rejected", func(t *testing.T, uow app.UnitOfWork) {
		first := addCustomer(t, uow)
		second, err := customer.Register(first.ID(), customer.Registration{Mobile: newMobile(t), FirstName: "Dewi"}, at(0))
		if err != nil {
			t.Fatal(err)
		}
		if err := try(t, uow, func(ctx context.Context, r app.Repos) error { return r.Customers.Add(ctx, second) }); err == nil {
			t.Fatal("Add of a duplicate id succeeded")
		}
	}},
	{"update persists status, tier, KYC status and update time", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		want := customer.Rehydrate(customer.Snapshot{
			ID: c.ID(), FirstName: c.FirstName(), MiddleName: c.MiddleName(), LastName: c.LastName(),
			Email: c.Email(), Mobile: c.Mobile(),
			Status: customer.StatusBlocked, AccountType: customer.AccountPremium, KYCStatus: customer.KYCRejected,
			CreatedAt: c.CreatedAt(), UpdatedAt: at(time.Minute),
		})
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Customers.Update(ctx, want) })
		var got *customer.Customer
		do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
			got, err = r.Customers.ByID(ctx, c.ID())
			return err
		})
		sameCustomer(t, "after Update", got, want)
	}},
	{"activation is persisted by update", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			got, err := r.Customers.ByMobile(ctx, c.Mobile(), true)
			if err != nil {
				return err
			}
			if err := got.Activate(at(time.Minute)); err != nil {
				return err
			}
			return r.Customers.Update(ctx, got)
		})
		var got *customer.Customer
		do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
			got, err = r.Customers.ByID(ctx, c.ID())
			return err
		})
		eq(t, "status", got.Status(), customer.StatusActive)
		eqTime(t, "updatedAt", got.UpdatedAt(), at(time.Minute))
		eqTime(t, "createdAt", got.CreatedAt(), c.CreatedAt())
	}},
	{"update of a missing customer is not found", func(t *testing.T, uow app.UnitOfWork) {
		c := newCustomer(t)
		err := try(t, uow, func(ctx context.Context, r app.Repos) error { return r.Customers.Update(ctx, c) })
		wantErr(t, "Update", err, customer.ErrNotFound)
	}},
	{"changing a loaded customer without update changes nothing", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		if err := c.Activate(at(time.Minute)); err != nil {
			t.Fatal(err)
		}
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			got, err := r.Customers.ByID(ctx, c.ID())
			if err != nil {
				return err
			}
			return got.Activate(at(time.Minute))
		})
		var got *customer.Customer
		do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
			got, err = r.Customers.ByID(ctx, c.ID())
			return err
		})
		eq(t, "status", got.Status(), customer.StatusPendingVerification)
	}},
}

func sameCustomer(t *testing.T, what string, got, want *customer.Customer) {
	t.Helper()
	eq(t, what+" id", got.ID(), want.ID())
	eq(t, what+" mobile", got.Mobile(), want.Mobile())
	eq(t, what+" first name", got.FirstName(), want.FirstName())
	eq(t, what+" middle name", got.MiddleName(), want.MiddleName())
	eq(t, what+" last name", got.LastName(), want.LastName())
	eq(t, what+" email", got.Email(), want.Email())
	eq(t, what+" status", got.Status(), want.Status())
	eq(t, what+" account type", got.AccountType(), want.AccountType())
	eq(t, what+" KYC status", got.KYCStatus(), want.KYCStatus())
	eqTime(t, what+" createdAt", got.CreatedAt(), want.CreatedAt())
	eqTime(t, what+" updatedAt", got.UpdatedAt(), want.UpdatedAt())
}
