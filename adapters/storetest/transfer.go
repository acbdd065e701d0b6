package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/transfer"
	"github.com/dompet/wallet/domain/wallet"
)

// startTransaction returns a pending transaction that is not stored yet,
// with a fresh id and 10 000 rupiah unless n says otherwise.
func startTransaction(t *testing.T, n transfer.New, when time.Time) *transfer.Transaction {
	t.Helper()
	if n.ID == "" {
		n.ID = newID("trx")
	}
	if n.Amount == 0 {
		n.Amount = 10_000
	}
	tr, err := transfer.Start(n, when)
	if err != nil {
		t.Fatalf("transaction fixture: %v", err)
	}
	return tr
}

func addTransactions(t *testing.T, uow app.UnitOfWork, ts ...*transfer.Transaction) {
	t.Helper()
	do(t, uow, func(ctx context.Context, r app.Repos) error {
		for _, tr := range ts {
			if err := r.Transactions.Add(ctx, tr); err != nil {
				return err
			}
		}
		return nil
	})
}

func transactionByID(t *testing.T, uow app.UnitOfWork, id string) *transfer.Transaction {
	t.Helper()
	var got *transfer.Transaction
	do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
		got, err = r.Transactions.ByID(ctx, id, false)
		return err
	})
	return got
}

func wantTransactionNotFound(t *testing.T, uow app.UnitOfWork, id string) {
	t.Helper()
	err := try(t, uow, func(ctx context.Context, r app.Repos) error {
		_, err := r.Transactions.ByID(ctx, id, false)
		return err
	})
	wantErr(t, "ByID", err, transfer.ErrNotFound)
}

func sameTransaction(t *testing.T, what string, got, want *transfer.Transaction) {
	t.Helper()
	eq(t, what+" id", got.ID(), want.ID())
	eq(t, what+" type", got.Type(), want.Type())
	eq(t, what+" status", got.Status(), want.Status())
	eq(t, what+" partner", got.PartnerID(), want.PartnerID())
	eq(t, what+" customer", got.CustomerID(), want.CustomerID())
	eq(t, what+" counterparty id", got.CounterpartyID(), want.CounterpartyID())
	eq(t, what+" counterparty", got.Counterparty(), want.Counterparty())
	eq(t, what+" amount", got.Amount(), want.Amount())
	eq(t, what+" fee", got.Fee(), want.Fee())
	eq(t, what+" order id", got.OrderID(), want.OrderID())
	eq(t, what+" reference", got.Reference(), want.Reference())
	eq(t, what+" description", got.Description(), want.Description())
	eq(t, what+" refunded", got.Refunded(), want.Refunded())
	eq(t, what+" external id", got.ExternalID(), want.ExternalID())
	eq(t, what+" bank", got.Bank(), want.Bank())
	eqTime(t, what+" createdAt", got.CreatedAt(), want.CreatedAt())
	eqTime(t, what+" updatedAt", got.UpdatedAt(), want.UpdatedAt())
}

// fullTransaction has every field set to something other than its zero.
func fullTransaction(typ transfer.Type, customerID, counterpartyID string) *transfer.Transaction {
	return transfer.Rehydrate(transfer.Snapshot{
		ID: newID("trx"), Type: typ, Status: transfer.StatusSuccess, PartnerID: newID("ptn"),
		CustomerID: customerID, CounterpartyID: counterpartyID, Counterparty: "Toko Maju Jaya — Cabang Bandung",
		Amount: 150_000, Fee: 2_500, Refunded: 50_000, OrderID: newID("ord"), Reference: newID("ref"),
		Description: "Pembayaran pesanan #123 ☕, \"kopi\" 'susu'", CreatedAt: at(-time.Hour), UpdatedAt: at(90 * time.Second),
	})
}

var transferCases = []testCase{
	{"add then get by id and by order id returns every field", func(t *testing.T, uow app.UnitOfWork) {
		c, other := addCustomer(t, uow), addCustomer(t, uow)
		want := fullTransaction(transfer.TypePayment, c.ID(), other.ID())
		addTransactions(t, uow, want)
		for _, lock := range []bool{false, true} {
			do(t, uow, func(ctx context.Context, r app.Repos) error {
				got, err := r.Transactions.ByID(ctx, want.ID(), lock)
				if err != nil {
					return err
				}
				sameTransaction(t, "ByID", got, want)
				got, err = r.Transactions.ByOrderID(ctx, want.PartnerID(), want.OrderID(), lock)
				if err != nil {
					return err
				}
				sameTransaction(t, "ByOrderID", got, want)
				return nil
			})
		}
	}},
	{"top-ups are found by their reference with every field", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		for _, typ := range []transfer.Type{transfer.TypeTopUpVA, transfer.TypeTopUpRetail} {
			want := fullTransaction(typ, c.ID(), "")
			addTransactions(t, uow, want)
			do(t, uow, func(ctx context.Context, r app.Repos) error {
				got, err := r.Transactions.ByReference(ctx, want.PartnerID(), want.Reference())
				if err != nil {
					return err
				}
				sameTransaction(t, "ByReference", got, want)
				return nil
			})
			sameTransaction(t, "ByID", transactionByID(t, uow, want.ID()), want)
		}
	}},
	{"bank transfer comes back with its destination account", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		want := startTransaction(t, transfer.New{Type: transfer.TypeBank, PartnerID: newID("ptn"), CustomerID: c.ID(),
			Counterparty: "BCA ****7890", Amount: 250_000, Fee: 6_500, Description: "Bayar kos", ExternalID: newID("ext"),
			Bank: transfer.BankAccount{BankCode: "014", Number: "0001234567890", Name: "Siti Nurhaliza O'Brien — Toko \"Ceria\""}}, at(0))
		addTransactions(t, uow, want)
		got := transactionByID(t, uow, want.ID())
		sameTransaction(t, "ByID", got, want)
		// The destination survives an update.
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			got.Succeed(at(time.Minute))
			return r.Transactions.Update(ctx, got)
		})
		got = transactionByID(t, uow, want.ID())
		eq(t, "status", got.Status(), transfer.StatusSuccess)
		eq(t, "bank after Update", got.Bank(), want.Bank())
	}},
	{"pending transaction with empty optional fields comes back the same", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		want := startTransaction(t, transfer.New{Type: transfer.TypeP2P, PartnerID: newID("ptn"), CustomerID: c.ID()}, at(0))
		addTransactions(t, uow, want)
		sameTransaction(t, "ByID", transactionByID(t, uow, want.ID()), want)
	}},
	{"unknown id, order id and reference are not found", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		known := fullTransaction(transfer.TypePayment, c.ID(), "")
		addTransactions(t, uow, known)
		for _, lock := range []bool{false, true} {
			err := try(t, uow, func(ctx context.Context, r app.Repos) error {
				_, err := r.Transactions.ByID(ctx, newID("trx"), lock)
				return err
			})
			wantErr(t, "ByID", err, transfer.ErrNotFound)
			err = try(t, uow, func(ctx context.Context, r app.Repos) error {
				_, err := r.Transactions.ByOrderID(ctx, known.PartnerID(), newID("ord"), lock)
				return err
			})
			wantErr(t, "ByOrderID of an unknown order", err, transfer.ErrNotFound)
			err = try(t, uow, func(ctx context.Context, r app.Repos) error {
				_, err := r.Transactions.ByOrderID(ctx, newID("ptn"), known.OrderID(), lock)
				return err
			})
			wantErr(t, "ByOrderID of another partner", err, transfer.ErrNotFound)
		}
		err := try(t, uow, func(ctx context.Context, r app.Repos) error {
			_, err := r.Transactions.ByReference(ctx, known.PartnerID(), newID("ref"))
			return err
		})
		wantErr(t, "ByReference", err, transfer.ErrNotFound)
	}},
	{"order id finds only payments", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		partnerID, orderID := newID("ptn"), newID("ord")
		// A refund carries its payment's order id; a top-up may too.
		refund := startTransaction(t, transfer.New{Type: transfer.TypeRefund, PartnerID: partnerID, CustomerID: c.ID(), OrderID: orderID}, at(0))
		topUp := startTransaction(t, transfer.New{Type: transfer.TypeTopUpVA, PartnerID: partnerID, CustomerID: c.ID(), OrderID: orderID, Reference: newID("ref")}, at(0))
		addTransactions(t, uow, refund, topUp)
		err := try(t, uow, func(ctx context.Context, r app.Repos) error {
			_, err := r.Transactions.ByOrderID(ctx, partnerID, orderID, false)
			return err
		})
		wantErr(t, "ByOrderID without a payment", err, transfer.ErrNotFound)
		payment := startTransaction(t, transfer.New{Type: transfer.TypePayment, PartnerID: partnerID, CustomerID: c.ID(), OrderID: orderID}, at(time.Minute))
		secondRefund := startTransaction(t, transfer.New{Type: transfer.TypeRefund, PartnerID: partnerID, CustomerID: c.ID(), OrderID: orderID, Reference: payment.ID()}, at(2*time.Minute))
		addTransactions(t, uow, payment, secondRefund)
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			got, err := r.Transactions.ByOrderID(ctx, partnerID, orderID, true)
			if err != nil {
				return err
			}
			eq(t, "ByOrderID", got.ID(), payment.ID())
			return nil
		})
	}},
	{"reference finds only top-ups", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		partnerID, ref := newID("ptn"), newID("ref")
		refund := startTransaction(t, transfer.New{Type: transfer.TypeRefund, PartnerID: partnerID, CustomerID: c.ID(), OrderID: newID("ord"), Reference: ref}, at(0))
		payment := startTransaction(t, transfer.New{Type: transfer.TypePayment, PartnerID: partnerID, CustomerID: c.ID(), OrderID: newID("ord"), Reference: ref}, at(0))
		addTransactions(t, uow, refund, payment)
		err := try(t, uow, func(ctx context.Context, r app.Repos) error {
			_, err := r.Transactions.ByReference(ctx, partnerID, ref)
			return err
		})
		wantErr(t, "ByReference without a top-up", err, transfer.ErrNotFound)
		topUp := startTransaction(t, transfer.New{Type: transfer.TypeTopUpRetail, PartnerID: partnerID, CustomerID: c.ID(), Reference: ref}, at(time.Minute))
		addTransactions(t, uow, topUp)
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			got, err := r.Transactions.ByReference(ctx, partnerID, ref)
			if err != nil {
				return err
			}
			eq(t, "ByReference", got.ID(), topUp.ID())
			return nil
		})
		err = try(t, uow, func(ctx context.Context, r app.Repos) error {
			_, err := r.Transactions.ByReference(ctx, newID("ptn"), ref)
			return err
		})
		wantErr(t, "ByReference of another partner", err, transfer.ErrNotFound)
	}},
	{"order id used by a partner's payment is refused for its next payment", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		partnerID, orderID := newID("ptn"), newID("ord")
		first := startTransaction(t, transfer.New{Type: transfer.TypePayment, PartnerID: partnerID, CustomerID: c.ID(), OrderID: orderID}, at(0))
		addTransactions(t, uow, first)
		second := startTransaction(t, transfer.New{Type: transfer.TypePayment, PartnerID: partnerID, CustomerID: c.ID(), OrderID: orderID, Amount: 99_000}, at(time.Minute))
		err := try(t, uow, func(ctx context.Context, r app.Repos) error { return r.Transactions.Add(ctx, second) })
		wantErr(t, "Add", err, transfer.ErrOrderIDUsed)
		wantTransactionNotFound(t, uow, second.ID())
		eq(t, "first amount", transactionByID(t, uow, first.ID()).Amount(), first.Amount())
	}},
	{"order id may repeat across partners and outside payments", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		partnerID, orderID := newID("ptn"), newID("ord")
		addTransactions(t, uow,
			startTransaction(t, transfer.New{Type: transfer.TypePayment, PartnerID: partnerID, CustomerID: c.ID(), OrderID: orderID}, at(0)),
			startTransaction(t, transfer.New{Type: transfer.TypePayment, PartnerID: newID("ptn"), CustomerID: c.ID(), OrderID: orderID}, at(0)),
			startTransaction(t, transfer.New{Type: transfer.TypeRefund, PartnerID: partnerID, CustomerID: c.ID(), OrderID: orderID}, at(0)),
			startTransaction(t, transfer.New{Type: transfer.TypeRefund, PartnerID: partnerID, CustomerID: c.ID(), OrderID: orderID}, at(0)),
			// Transfers have no order id and no reference.
			startTransaction(t, transfer.New{Type: transfer.TypeP2P, PartnerID: partnerID, CustomerID: c.ID()}, at(0)),
			startTransaction(t, transfer.New{Type: transfer.TypeP2P, PartnerID: partnerID, CustomerID: c.ID()}, at(0)),
		)
	}},
	{"reference used by a partner's top-up is refused for its next top-up", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		partnerID := newID("ptn")
		for _, types := range [][2]transfer.Type{
			{transfer.TypeTopUpVA, transfer.TypeTopUpVA},
			{transfer.TypeTopUpRetail, transfer.TypeTopUpRetail},
			{transfer.TypeTopUpVA, transfer.TypeTopUpRetail},
		} {
			ref := newID("ref")
			first := startTransaction(t, transfer.New{Type: types[0], PartnerID: partnerID, CustomerID: c.ID(), Reference: ref}, at(0))
			addTransactions(t, uow, first)
			second := startTransaction(t, transfer.New{Type: types[1], PartnerID: partnerID, CustomerID: c.ID(), Reference: ref}, at(time.Minute))
			err := try(t, uow, func(ctx context.Context, r app.Repos) error { return r.Transactions.Add(ctx, second) })
			wantErr(t, "Add of "+string(types[1])+" after "+string(types[0]), err, transfer.ErrReferenceReused)
			wantTransactionNotFound(t, uow, second.ID())
		}
	}},
	{"reference may repeat across partners and outside top-ups", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		partnerID, ref := newID("ptn"), newID("ref")
		addTransactions(t, uow,
			startTransaction(t, transfer.New{Type: transfer.TypeTopUpVA, PartnerID: partnerID, CustomerID: c.ID(), Reference: ref}, at(0)),
			startTransaction(t, transfer.New{Type: transfer.TypeTopUpVA, PartnerID: newID("ptn"), CustomerID: c.ID(), Reference: ref}, at(0)),
			startTransaction(t, transfer.New{Type: transfer.TypeTopUpRetail, PartnerID: newID("ptn"), CustomerID: c.ID(), Reference: ref}, at(0)),
			startTransaction(t, transfer.New{Type: transfer.TypeRefund, PartnerID: partnerID, CustomerID: c.ID(), OrderID: newID("ord"), Reference: ref}, at(0)),
			startTransaction(t, transfer.New{Type: transfer.TypeRefund, PartnerID: partnerID, CustomerID: c.ID(), OrderID: newID("ord"), Reference: ref}, at(0)),
			startTransaction(t, transfer.New{Type: transfer.TypePayment, PartnerID: partnerID, CustomerID: c.ID(), OrderID: newID("ord"), Reference: ref}, at(0)),
		)
	}},
	{"duplicate id is rejected", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		first := startTransaction(t, transfer.New{Type: transfer.TypeP2P, PartnerID: newID("ptn"), CustomerID: c.ID()}, at(0))
		addTransactions(t, uow, first)
		dup := startTransaction(t, transfer.New{ID: first.ID(), Type: transfer.TypeP2P, PartnerID: newID("ptn"), CustomerID: c.ID()}, at(0))
		if err := try(t, uow, func(ctx context.Context, r app.Repos) error { return r.Transactions.Add(ctx, dup) }); err == nil {
			t.Fatal("Add of a duplicate id succeeded")
		}
	}},
	{"update saves status, refunded amount and update time", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		payment := startTransaction(t, transfer.New{Type: transfer.TypePayment, PartnerID: newID("ptn"), CustomerID: c.ID(), OrderID: newID("ord"), Amount: 80_000}, at(0))
		addTransactions(t, uow, payment)
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			got, err := r.Transactions.ByID(ctx, payment.ID(), true)
			if err != nil {
				return err
			}
			got.Succeed(at(time.Minute))
			return r.Transactions.Update(ctx, got)
		})
		got := transactionByID(t, uow, payment.ID())
		eq(t, "status", got.Status(), transfer.StatusSuccess)
		eqTime(t, "updatedAt", got.UpdatedAt(), at(time.Minute))
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			got, err := r.Transactions.ByOrderID(ctx, payment.PartnerID(), payment.OrderID(), true)
			if err != nil {
				return err
			}
			if err := got.Refund(30_000, at(2*time.Minute)); err != nil {
				return err
			}
			return r.Transactions.Update(ctx, got)
		})
		want := transfer.Rehydrate(transfer.Snapshot{
			ID: payment.ID(), Type: payment.Type(), Status: transfer.StatusSuccess, PartnerID: payment.PartnerID(),
			CustomerID: c.ID(), Amount: 80_000, OrderID: payment.OrderID(), Refunded: 30_000,
			CreatedAt: at(0), UpdatedAt: at(2 * time.Minute),
		})
		sameTransaction(t, "after refund", transactionByID(t, uow, payment.ID()), want)
	}},
	{"update leaves the other fields alone", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		want := fullTransaction(transfer.TypePayment, c.ID(), "")
		addTransactions(t, uow, want)
		changed := transfer.Rehydrate(transfer.Snapshot{
			ID: want.ID(), Type: transfer.TypeRefund, Status: transfer.StatusFailed, PartnerID: newID("ptn"),
			CustomerID: c.ID(), CounterpartyID: "other", Counterparty: "other", Amount: 140_000, Fee: 1,
			OrderID: "other", Reference: "other", Description: "other", Refunded: 60_000,
			CreatedAt: at(time.Hour), UpdatedAt: at(2 * time.Hour),
		})
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Transactions.Update(ctx, changed) })
		sameTransaction(t, "after Update", transactionByID(t, uow, want.ID()), transfer.Rehydrate(transfer.Snapshot{
			ID: want.ID(), Type: want.Type(), Status: transfer.StatusFailed, PartnerID: want.PartnerID(),
			CustomerID: want.CustomerID(), CounterpartyID: want.CounterpartyID(), Counterparty: want.Counterparty(),
			Amount: want.Amount(), Fee: want.Fee(), OrderID: want.OrderID(), Reference: want.Reference(),
			Description: want.Description(), Refunded: 60_000, CreatedAt: want.CreatedAt(), UpdatedAt: at(2 * time.Hour),
		}))
	}},
	{"update of a missing transaction is not found", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		tr := startTransaction(t, transfer.New{Type: transfer.TypeP2P, PartnerID: newID("ptn"), CustomerID: c.ID()}, at(0))
		err := try(t, uow, func(ctx context.Context, r app.Repos) error { return r.Transactions.Update(ctx, tr) })
		wantErr(t, "Update", err, transfer.ErrNotFound)
	}},
	{"add in a failed transaction is rolled back", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		tr := startTransaction(t, transfer.New{Type: transfer.TypePayment, PartnerID: newID("ptn"), CustomerID: c.ID(), OrderID: newID("ord")}, at(0))
		err := try(t, uow, func(ctx context.Context, r app.Repos) error {
			if err := r.Transactions.Add(ctx, tr); err != nil {
				return err
			}
			return errAbort
		})
		wantErr(t, "Do", err, errAbort)
		wantTransactionNotFound(t, uow, tr.ID())
		// The order id is free again.
		addTransactions(t, uow, tr)
	}},
}

// history is a customer's view of a scenario: A tops up, pays (two
// entries), sends to B, is refunded, receives from B and has a payment
// pending; B also tops up.
type history struct {
	a, b             string // customer ids
	pocketA, pocketB string
	t                [8]*transfer.Transaction // t[1]..t[7] in id and time order
}

// expected is one history line: transaction index, balance after (-1 for
// none) and direction.
type expected struct {
	i        int
	after    int64
	incoming bool
}

func newHistory(t *testing.T, uow app.UnitOfWork) *history {
	t.Helper()
	h := &history{}
	ca, cb := addCustomer(t, uow), addCustomer(t, uow)
	h.a, h.b = ca.ID(), cb.ID()
	h.pocketA, h.pocketB = openPocket(t, uow, h.a).ID(), openPocket(t, uow, h.b).ID()
	va := openSystem(t, uow, wallet.KindVAClearing)
	retail := openSystem(t, uow, wallet.KindRetailClearing)
	merchant := openSystem(t, uow, wallet.KindMerchant)
	fees := openSystem(t, uow, wallet.KindFeeRevenue)
	partnerID, orderID := newID("ptn"), newID("ord")
	minute := func(n int) time.Time { return at(time.Duration(n) * time.Minute) }
	succeed := func(i int, n transfer.New) {
		h.t[i] = startTransaction(t, n, minute(i))
		h.t[i].Succeed(minute(i))
	}

	succeed(1, transfer.New{Type: transfer.TypeTopUpVA, PartnerID: partnerID, CustomerID: h.a, Counterparty: "BCA VA", Amount: 100_000, Reference: newID("ref")})
	credit(t, uow, h.a, va, h.t[1].ID(), 100_000, minute(1))
	succeed(2, transfer.New{Type: transfer.TypePayment, PartnerID: partnerID, CustomerID: h.a, Counterparty: "Toko", Amount: 30_000, Fee: 1_000, OrderID: orderID})
	debit(t, uow, h.a, merchant, h.t[2].ID(), 30_000, minute(2))
	debit(t, uow, h.a, fees, h.t[2].ID(), 1_000, minute(2))
	succeed(3, transfer.New{Type: transfer.TypeP2P, PartnerID: partnerID, CustomerID: h.a, CounterpartyID: h.b, Amount: 20_000})
	p2p(t, uow, h.a, h.b, h.t[3].ID(), 20_000, minute(3))
	succeed(4, transfer.New{Type: transfer.TypeTopUpRetail, PartnerID: partnerID, CustomerID: h.b, Amount: 50_000, Reference: newID("ref")})
	credit(t, uow, h.b, retail, h.t[4].ID(), 50_000, minute(4))
	succeed(5, transfer.New{Type: transfer.TypeRefund, PartnerID: partnerID, CustomerID: h.a, Amount: 10_000, OrderID: orderID, Reference: h.t[2].ID()})
	credit(t, uow, h.a, merchant, h.t[5].ID(), 10_000, minute(5))
	succeed(6, transfer.New{Type: transfer.TypeP2P, PartnerID: partnerID, CustomerID: h.b, CounterpartyID: h.a, Amount: 5_000})
	p2p(t, uow, h.b, h.a, h.t[6].ID(), 5_000, minute(6))
	h.t[7] = startTransaction(t, transfer.New{Type: transfer.TypePayment, PartnerID: partnerID, CustomerID: h.a, Amount: 7_000, OrderID: newID("ord")}, minute(7))
	addTransactions(t, uow, h.t[1:]...)
	return h
}

// A sees t7 (pending, nothing posted), t6 (from B), t5 (refund), t3 (to
// B), t2 (payment with fee: two postings), t1 (top-up).
var historyOfA = []expected{{7, -1, false}, {6, 64_000, true}, {5, 59_000, true}, {3, 49_000, false}, {2, 69_000, false}, {1, 100_000, true}}

// B sees t6 (to A), t4 (top-up), t3 (from A).
var historyOfB = []expected{{6, 65_000, false}, {4, 70_000, true}, {3, 20_000, true}}

func (h *history) query(t *testing.T, uow app.UnitOfWork, customerID, pocketID string, f transfer.HistoryFilter) []transfer.HistoryItem {
	t.Helper()
	var got []transfer.HistoryItem
	do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
		got, err = r.Transactions.History(ctx, customerID, pocketID, f)
		return err
	})
	return got
}

// check queries A's history (B's when ofB) and compares it with want.
func (h *history) check(t *testing.T, uow app.UnitOfWork, what string, ofB bool, f transfer.HistoryFilter, want ...expected) {
	t.Helper()
	customerID, pocketID := h.a, h.pocketA
	if ofB {
		customerID, pocketID = h.b, h.pocketB
	}
	got := h.query(t, uow, customerID, pocketID, f)
	ids := func() (g, w []string) {
		for _, it := range got {
			g = append(g, it.Transaction.ID())
		}
		for _, e := range want {
			w = append(w, h.t[e.i].ID())
		}
		return g, w
	}
	if len(got) != len(want) {
		g, w := ids()
		t.Fatalf("%s: History = %v, want %v", what, g, w)
	}
	for k, e := range want {
		it := got[k]
		if it.Transaction.ID() != h.t[e.i].ID() {
			g, w := ids()
			t.Fatalf("%s: History = %v, want %v", what, g, w)
		}
		sameTransaction(t, what+" item", it.Transaction, h.t[e.i])
		switch {
		case e.after < 0 && it.BalanceAfter != nil:
			t.Errorf("%s: t%d BalanceAfter = %d, want none", what, e.i, *it.BalanceAfter)
		case e.after >= 0 && it.BalanceAfter == nil:
			t.Errorf("%s: t%d BalanceAfter = none, want %d", what, e.i, e.after)
		case e.after >= 0 && *it.BalanceAfter != e.after:
			t.Errorf("%s: t%d BalanceAfter = %d, want %d", what, e.i, *it.BalanceAfter, e.after)
		}
		if it.Incoming != e.incoming {
			t.Errorf("%s: t%d Incoming = %v, want %v", what, e.i, it.Incoming, e.incoming)
		}
	}
}

var historyCases = []testCase{
	{"history is newest first with balance after and direction, for payer and receiver", func(t *testing.T, uow app.UnitOfWork) {
		h := newHistory(t, uow)
		h.check(t, uow, "A", false, transfer.HistoryFilter{}, historyOfA...)
		h.check(t, uow, "B", true, transfer.HistoryFilter{}, historyOfB...)
	}},
	{"history pages by cursor", func(t *testing.T, uow app.UnitOfWork) {
		h := newHistory(t, uow)
		h.check(t, uow, "first page", false, transfer.HistoryFilter{Limit: 2}, historyOfA[0:2]...)
		h.check(t, uow, "second page", false, transfer.HistoryFilter{Limit: 2, Cursor: h.t[6].ID()}, historyOfA[2:4]...)
		h.check(t, uow, "third page", false, transfer.HistoryFilter{Limit: 2, Cursor: h.t[3].ID()}, historyOfA[4:6]...)
		h.check(t, uow, "past the end", false, transfer.HistoryFilter{Limit: 2, Cursor: h.t[1].ID()})
		h.check(t, uow, "cursor without limit", false, transfer.HistoryFilter{Cursor: h.t[5].ID()}, historyOfA[3:]...)
		h.check(t, uow, "limit above the count", false, transfer.HistoryFilter{Limit: 100}, historyOfA...)
		h.check(t, uow, "cursor of a transaction A does not see", false, transfer.HistoryFilter{Cursor: h.t[4].ID()}, historyOfA[3:]...)
		h.check(t, uow, "B's second page", true, transfer.HistoryFilter{Limit: 1, Cursor: h.t[6].ID()}, historyOfB[1])
	}},
	{"history filters by type", func(t *testing.T, uow app.UnitOfWork) {
		h := newHistory(t, uow)
		h.check(t, uow, "transfers", false, transfer.HistoryFilter{Type: transfer.TypeP2P}, historyOfA[1], historyOfA[3])
		h.check(t, uow, "payments", false, transfer.HistoryFilter{Type: transfer.TypePayment}, historyOfA[0], historyOfA[4])
		h.check(t, uow, "refunds", false, transfer.HistoryFilter{Type: transfer.TypeRefund}, historyOfA[2])
		h.check(t, uow, "VA top-ups", false, transfer.HistoryFilter{Type: transfer.TypeTopUpVA}, historyOfA[5])
		h.check(t, uow, "retail top-ups of A", false, transfer.HistoryFilter{Type: transfer.TypeTopUpRetail})
		h.check(t, uow, "retail top-ups of B", true, transfer.HistoryFilter{Type: transfer.TypeTopUpRetail}, historyOfB[1])
		h.check(t, uow, "transfers, paged", false, transfer.HistoryFilter{Type: transfer.TypeP2P, Limit: 1, Cursor: h.t[6].ID()}, historyOfA[3])
	}},
	{"history filters by time, from inclusive and to exclusive", func(t *testing.T, uow app.UnitOfWork) {
		h := newHistory(t, uow)
		minute := func(n int) time.Time { return at(time.Duration(n) * time.Minute) }
		h.check(t, uow, "from t2 to t6", false, transfer.HistoryFilter{From: minute(2), To: minute(6)}, historyOfA[2:5]...)
		h.check(t, uow, "just after t2 to just after t6", false,
			transfer.HistoryFilter{From: minute(2).Add(time.Microsecond), To: minute(6).Add(time.Microsecond)}, historyOfA[1:4]...)
		h.check(t, uow, "from t6", false, transfer.HistoryFilter{From: minute(6)}, historyOfA[0:2]...)
		h.check(t, uow, "to t2", false, transfer.HistoryFilter{To: minute(2)}, historyOfA[5])
		h.check(t, uow, "empty window", false, transfer.HistoryFilter{From: minute(4), To: minute(5)})
		h.check(t, uow, "window in WIB", false,
			transfer.HistoryFilter{From: minute(2).In(wallet.WIB), To: minute(6).In(wallet.WIB)}, historyOfA[2:5]...)
		h.check(t, uow, "window, type and cursor", false,
			transfer.HistoryFilter{From: minute(2), To: minute(7), Type: transfer.TypeP2P, Cursor: h.t[6].ID()}, historyOfA[3])
	}},
	{"customer without transactions has an empty history", func(t *testing.T, uow app.UnitOfWork) {
		newHistory(t, uow)
		c := addCustomer(t, uow)
		p := openPocket(t, uow, c.ID())
		var got []transfer.HistoryItem
		do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
			got, err = r.Transactions.History(ctx, c.ID(), p.ID(), transfer.HistoryFilter{})
			return err
		})
		if len(got) != 0 {
			t.Fatalf("History = %d items, want none", len(got))
		}
	}},
}
