package transfer_test

import (
	"errors"
	"testing"
	"time"

	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/transfer"
)

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func payment(t *testing.T, amount int64, succeed bool) *transfer.Transaction {
	t.Helper()
	p, err := transfer.Start(transfer.New{ID: "t1", Type: transfer.TypePayment, PartnerID: "p", CustomerID: "c", Amount: amount, OrderID: "o1"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if succeed {
		p.Succeed(t0)
	}
	return p
}

func TestRefund(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		succeed bool
		refunds []int64
		want    error
		kind    fault.Kind
	}{
		{"full refund is allowed", true, []int64{100}, nil, 0},
		{"partial refunds up to the amount are allowed", true, []int64{30, 70}, nil, 0},
		{"one rupiah more than left is refused", true, []int64{30, 71}, transfer.ErrRefundExceeds, fault.LimitExceeded},
		{"pending payment is not refundable", false, []int64{10}, transfer.ErrNotRefundable, fault.Invalid},
		{"zero is invalid", true, []int64{0}, nil, fault.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := payment(t, 100, tt.succeed)
			var err error
			for _, r := range tt.refunds {
				if err = p.Refund(r, t0); err != nil {
					break
				}
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if tt.kind != 0 && fault.KindOf(err) != tt.kind {
				t.Fatalf("kind = %d, want %d", fault.KindOf(err), tt.kind)
			}
			if tt.want == nil && tt.kind == 0 && err != nil {
				t.Fatal(err)
			}
		})
	}
	refund, _ := transfer.Start(transfer.New{ID: "r", Type: transfer.TypeRefund, CustomerID: "c", Amount: 5}, t0)
	refund.Succeed(t0)
	if err := refund.Refund(1, t0); !errors.Is(err, transfer.ErrNotRefundable) {
		t.Fatalf("refund of a refund: %v", err)
	}
}

func TestStart(t *testing.T) {
	t.Parallel()
	if _, err := transfer.Start(transfer.New{ID: "t", CustomerID: "c", Amount: 0}, t0); fault.KindOf(err) != fault.Invalid {
		t.Fatalf("zero amount: %v", err)
	}
	long := make([]byte, 256)
	for i := range long {
		long[i] = 'x'
	}
	if _, err := transfer.Start(transfer.New{ID: "t", CustomerID: "c", Amount: 1, Description: string(long)}, t0); fault.KindOf(err) != fault.Invalid {
		t.Fatalf("long description: %v", err)
	}
	tx, err := transfer.Start(transfer.New{ID: "t", CustomerID: "c", Amount: 100, Fee: 2500}, t0)
	if err != nil || tx.Total() != 2600 || tx.Status() != transfer.StatusPending {
		t.Fatalf("start: %v %d %s", err, tx.Total(), tx.Status())
	}
	if _, err := transfer.ParseType("P2P_TRANSFER"); err != nil {
		t.Fatal(err)
	}
}
