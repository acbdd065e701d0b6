// Package storetest is the contract every implementation of app.UnitOfWork
// and its repositories must meet. An adapter's tests call Run with a
// function that opens a fresh, empty store.
//
// The suite assumes what a SQL database gives: times are kept to the
// microsecond (inputs are UTC and already truncated), rows that others
// reference are created first, and a failed statement may abort its
// transaction, so every expected error is returned from fn and checked on
// the result of Do. Job queues are not covered: their observable behaviour
// is implementation-specific.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/partner"
)

// Run runs the contract suite. open must return a fresh, empty store on
// every call; subtests run in parallel, each on its own store.
func Run(t *testing.T, open func(t *testing.T) app.UnitOfWork) {
	groups := []struct {
		name  string
		cases []testCase
	}{
		{"transaction", transactionCases},
		{"customer", customerCases},
		{"otp", otpCases},
		{"partner", partnerCases},
		{"binding", bindingCases},
		{"session", sessionCases},
		{"account", accountCases},
		{"ledger", ledgerCases},
		{"transfer", transferCases},
		{"history", historyCases},
		{"cash-out", cashOutCases},
		{"kyc", kycCases},
		{"notification", notificationCases},
		{"event", eventCases},
		{"idempotency", idempotencyCases},
		{"snap", snapCases},
		{"payer", payerCases},
		{"operator", operatorCases},
		{"lookup", lookupCases},
		{"guess", guessCases},
		{"retention", retentionCases},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			for _, c := range g.cases {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					c.run(t, open(t))
				})
			}
		})
	}
}

type testCase struct {
	name string
	run  func(t *testing.T, uow app.UnitOfWork)
}

// base is the time every test's inputs are offsets of: UTC, microseconds.
var base = time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)

func at(d time.Duration) time.Time { return base.Add(d) }

var seq atomic.Int64

// newID returns an identifier unique in the process, at most 26 bytes, and
// increasing in the order of the calls for each prefix.
func newID(prefix string) string {
	return fmt.Sprintf("%s%016d", prefix, seq.Add(1))
}

// newMobile returns a canonical mobile number unique in the process.
func newMobile(t *testing.T) customer.MobileNumber {
	t.Helper()
	m, err := customer.ParseMobileNumber(fmt.Sprintf("62812%08d", seq.Add(1)))
	if err != nil {
		t.Fatalf("mobile fixture: %v", err)
	}
	return m
}

// do runs fn in a transaction that must commit.
func do(t *testing.T, uow app.UnitOfWork, fn func(ctx context.Context, r app.Repos) error) {
	t.Helper()
	if err := uow.Do(t.Context(), fn); err != nil {
		t.Fatalf("Do: %v", err)
	}
}

// try runs fn in a transaction and returns Do's result.
func try(t *testing.T, uow app.UnitOfWork, fn func(ctx context.Context, r app.Repos) error) error {
	t.Helper()
	return uow.Do(t.Context(), fn)
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: error = %v, want %v", what, err, want)
	}
}

func eq[T comparable](t *testing.T, field string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", field, got, want)
	}
}

func eqTime(t *testing.T, field string, got, want time.Time) {
	t.Helper()
	if !got.Truncate(time.Microsecond).Equal(want) {
		t.Errorf("%s = %v, want %v", field, got, want)
	}
}

func eqBytes(t *testing.T, field string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Errorf("%s = %x, want %x", field, got, want)
	}
}

// addPartner commits a new partner.
func addPartner(t *testing.T, uow app.UnitOfWork) *partner.Partner {
	t.Helper()
	p, err := partner.New(newID("ptn"), "Toko Maju Jaya", partner.RolePartner, []byte("sealed\x00secret\xff"), at(-48*time.Hour))
	if err != nil {
		t.Fatalf("partner fixture: %v", err)
	}
	do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Partners.Add(ctx, p) })
	return p
}

// newCustomer returns a pending customer that is not stored yet.
func newCustomer(t *testing.T) *customer.Customer {
	t.Helper()
	c, err := customer.Register(newID("cus"), customer.Registration{
		Mobile: newMobile(t), FirstName: "Budi", LastName: "Santoso", Email: "budi@example.co.id",
	}, at(-24*time.Hour))
	if err != nil {
		t.Fatalf("customer fixture: %v", err)
	}
	return c
}

// addCustomer commits a new pending customer.
func addCustomer(t *testing.T, uow app.UnitOfWork) *customer.Customer {
	t.Helper()
	c := newCustomer(t)
	do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Customers.Add(ctx, c) })
	return c
}
