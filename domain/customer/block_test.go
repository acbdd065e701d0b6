package customer_test

import (
	"errors"
	"testing"
	"time"

	"github.com/dompet/wallet/domain/customer"
)

func TestBlockAndUnblock(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name  string
		from  customer.Status
		block bool
		want  customer.Status
		err   error
	}{
		{"an active account is blocked", customer.StatusActive, true, customer.StatusBlocked, nil},
		{"a blocked account is unblocked", customer.StatusBlocked, false, customer.StatusActive, nil},
		{"a blocked account cannot be blocked again", customer.StatusBlocked, true, customer.StatusBlocked, customer.ErrNotBlockable},
		{"a pending account cannot be blocked", customer.StatusPendingVerification, true, customer.StatusPendingVerification, customer.ErrNotBlockable},
		{"an active account cannot be unblocked", customer.StatusActive, false, customer.StatusActive, customer.ErrNotBlocked},
		{"a closed account stays closed", customer.StatusClosed, false, customer.StatusClosed, customer.ErrNotBlocked},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cu := customer.Rehydrate(customer.Snapshot{ID: "c1", Mobile: "6281234567890", FirstName: "Budi", Status: c.from,
				AccountType: customer.AccountBasic, KYCStatus: customer.KYCUnverified})
			var err error
			if c.block {
				err = cu.Block(now)
			} else {
				err = cu.Unblock(now)
			}
			if !errors.Is(err, c.err) || cu.Status() != c.want {
				t.Fatalf("status %s, error %v; want %s, %v", cu.Status(), err, c.want, c.err)
			}
			if c.err == nil && !cu.UpdatedAt().Equal(now) {
				t.Fatal("updatedAt not set")
			}
			if (cu.EnsureActive() == nil) != (c.want == customer.StatusActive) {
				t.Fatal("EnsureActive disagrees with the status")
			}
		})
	}
}
