package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/transfer"
)

// addCashOut commits a customer and a pending cash-out transaction and
// returns the transaction.
func addCashOut(t *testing.T, uow app.UnitOfWork) *transfer.Transaction {
	t.Helper()
	c := addCustomer(t, uow)
	tr := startTransaction(t, transfer.New{Type: transfer.TypeCashOut, PartnerID: newID("ptn"), CustomerID: c.ID(),
		Counterparty: "Tarik tunai", Amount: 200_000, Fee: 2_500}, at(0))
	addTransactions(t, uow, tr)
	return tr
}

// newCodeHash returns a code hash unique in the process, with a NUL and a
// 0xff byte in it.
func newCodeHash() []byte {
	h := sha256.Sum256([]byte(newID("code")))
	h[0], h[1] = 0x00, 0xff
	return h[:]
}

// addCashOutCode commits an unredeemed code, expiring in 15 minutes, for a
// new cash-out transaction.
func addCashOutCode(t *testing.T, uow app.UnitOfWork) transfer.CashOutCode {
	t.Helper()
	c := transfer.CashOutCode{TransactionID: addCashOut(t, uow).ID(), CodeHash: newCodeHash(), ExpiresAt: at(15 * time.Minute)}
	do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Transactions.AddCashOutCode(ctx, c) })
	return c
}

func cashOutByCode(t *testing.T, uow app.UnitOfWork, codeHash []byte) transfer.CashOutCode {
	t.Helper()
	var got transfer.CashOutCode
	do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
		got, err = r.Transactions.CashOutByCode(ctx, codeHash)
		return err
	})
	return got
}

func cashOutByStoreReference(t *testing.T, uow app.UnitOfWork, partnerID, storeReference string) transfer.CashOutCode {
	t.Helper()
	var got transfer.CashOutCode
	do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
		got, err = r.Transactions.CashOutByStoreReference(ctx, partnerID, storeReference)
		return err
	})
	return got
}

func wantCashOutCodeInvalid(t *testing.T, uow app.UnitOfWork, what string, codeHash []byte) {
	t.Helper()
	err := try(t, uow, func(ctx context.Context, r app.Repos) error {
		_, err := r.Transactions.CashOutByCode(ctx, codeHash)
		return err
	})
	wantErr(t, what, err, transfer.ErrCashOutCodeInvalid)
}

func wantStoreReferenceNotFound(t *testing.T, uow app.UnitOfWork, what, partnerID, storeReference string) {
	t.Helper()
	err := try(t, uow, func(ctx context.Context, r app.Repos) error {
		_, err := r.Transactions.CashOutByStoreReference(ctx, partnerID, storeReference)
		return err
	})
	wantErr(t, what, err, transfer.ErrNotFound)
}

func redeem(t *testing.T, uow app.UnitOfWork, codeHash []byte, partnerID, storeReference string) error {
	t.Helper()
	return try(t, uow, func(ctx context.Context, r app.Repos) error {
		return r.Transactions.RedeemCashOutCode(ctx, codeHash, partnerID, storeReference)
	})
}

func sameCashOutCode(t *testing.T, what string, got, want transfer.CashOutCode) {
	t.Helper()
	eq(t, what+" transaction id", got.TransactionID, want.TransactionID)
	eqBytes(t, what+" code hash", got.CodeHash, want.CodeHash)
	eqTime(t, what+" expiresAt", got.ExpiresAt, want.ExpiresAt)
	eq(t, what+" redeemed by", got.RedeemedBy, want.RedeemedBy)
	eq(t, what+" store reference", got.StoreReference, want.StoreReference)
}

var cashOutCases = []testCase{
	{"add then get by code returns every field, before and after redemption", func(t *testing.T, uow app.UnitOfWork) {
		tr := addCashOut(t, uow)
		want := transfer.CashOutCode{TransactionID: tr.ID(), CodeHash: newCodeHash(), ExpiresAt: at(15*time.Minute + time.Microsecond)}
		given := want
		given.CodeHash = bytes.Clone(want.CodeHash)
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Transactions.AddCashOutCode(ctx, given) })
		// The store keeps its own copy of the hash.
		given.CodeHash[5] ^= 0xff
		got := cashOutByCode(t, uow, want.CodeHash)
		sameCashOutCode(t, "CashOutByCode", got, want)
		got.CodeHash[6] ^= 0xff
		sameCashOutCode(t, "CashOutByCode again", cashOutByCode(t, uow, want.CodeHash), want)

		partnerID, storeReference := newID("ptn"), newID("str")
		if err := redeem(t, uow, want.CodeHash, partnerID, storeReference); err != nil {
			t.Fatalf("RedeemCashOutCode: %v", err)
		}
		want.RedeemedBy, want.StoreReference = partnerID, storeReference
		sameCashOutCode(t, "CashOutByCode after redemption", cashOutByCode(t, uow, want.CodeHash), want)
		sameCashOutCode(t, "CashOutByStoreReference", cashOutByStoreReference(t, uow, partnerID, storeReference), want)
		// The transaction is unchanged.
		sameTransaction(t, "ByID", transactionByID(t, uow, tr.ID()), tr)
	}},
	{"add ignores a redemption in the code it is given", func(t *testing.T, uow app.UnitOfWork) {
		tr := addCashOut(t, uow)
		c := transfer.CashOutCode{TransactionID: tr.ID(), CodeHash: newCodeHash(), ExpiresAt: at(time.Hour),
			RedeemedBy: newID("ptn"), StoreReference: newID("str")}
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Transactions.AddCashOutCode(ctx, c) })
		got := cashOutByCode(t, uow, c.CodeHash)
		eq(t, "redeemed by", got.RedeemedBy, "")
		eq(t, "store reference", got.StoreReference, "")
		wantStoreReferenceNotFound(t, uow, "CashOutByStoreReference", c.RedeemedBy, c.StoreReference)
	}},
	{"unknown code is invalid and cannot be redeemed", func(t *testing.T, uow app.UnitOfWork) {
		known := addCashOutCode(t, uow)
		wantCashOutCodeInvalid(t, uow, "CashOutByCode", newCodeHash())
		wantCashOutCodeInvalid(t, uow, "CashOutByCode of a prefix", known.CodeHash[:len(known.CodeHash)-1])
		err := redeem(t, uow, newCodeHash(), newID("ptn"), newID("str"))
		wantErr(t, "RedeemCashOutCode", err, transfer.ErrCashOutCodeInvalid)
		eq(t, "known code still unredeemed", cashOutByCode(t, uow, known.CodeHash).RedeemedBy, "")
	}},
	{"a code is redeemed once", func(t *testing.T, uow app.UnitOfWork) {
		c := addCashOutCode(t, uow)
		partnerID, storeReference := newID("ptn"), newID("str")
		if err := redeem(t, uow, c.CodeHash, partnerID, storeReference); err != nil {
			t.Fatalf("RedeemCashOutCode: %v", err)
		}
		err := redeem(t, uow, c.CodeHash, partnerID, storeReference)
		wantErr(t, "second redemption with the same reference", err, transfer.ErrCashOutCodeInvalid)
		err = redeem(t, uow, c.CodeHash, partnerID, newID("str"))
		wantErr(t, "second redemption with another reference", err, transfer.ErrCashOutCodeInvalid)
		err = redeem(t, uow, c.CodeHash, newID("ptn"), newID("str"))
		wantErr(t, "redemption by another partner", err, transfer.ErrCashOutCodeInvalid)
		c.RedeemedBy, c.StoreReference = partnerID, storeReference
		sameCashOutCode(t, "CashOutByCode", cashOutByCode(t, uow, c.CodeHash), c)
	}},
	{"store reference finds a code only once it redeemed it", func(t *testing.T, uow app.UnitOfWork) {
		c := addCashOutCode(t, uow)
		addCashOutCode(t, uow) // another, unredeemed code
		partnerID, storeReference := newID("ptn"), newID("str")
		wantStoreReferenceNotFound(t, uow, "before redemption", partnerID, storeReference)
		if err := redeem(t, uow, c.CodeHash, partnerID, storeReference); err != nil {
			t.Fatalf("RedeemCashOutCode: %v", err)
		}
		c.RedeemedBy, c.StoreReference = partnerID, storeReference
		sameCashOutCode(t, "after redemption", cashOutByStoreReference(t, uow, partnerID, storeReference), c)
		wantStoreReferenceNotFound(t, uow, "another partner's reference", newID("ptn"), storeReference)
		wantStoreReferenceNotFound(t, uow, "another reference", partnerID, newID("str"))
	}},
	{"two partners may redeem with the same store reference", func(t *testing.T, uow app.UnitOfWork) {
		first, second := addCashOutCode(t, uow), addCashOutCode(t, uow)
		p1, p2, storeReference := newID("ptn"), newID("ptn"), newID("str")
		if err := redeem(t, uow, first.CodeHash, p1, storeReference); err != nil {
			t.Fatalf("RedeemCashOutCode by the first partner: %v", err)
		}
		if err := redeem(t, uow, second.CodeHash, p2, storeReference); err != nil {
			t.Fatalf("RedeemCashOutCode by the second partner: %v", err)
		}
		first.RedeemedBy, first.StoreReference = p1, storeReference
		second.RedeemedBy, second.StoreReference = p2, storeReference
		sameCashOutCode(t, "first partner's", cashOutByStoreReference(t, uow, p1, storeReference), first)
		sameCashOutCode(t, "second partner's", cashOutByStoreReference(t, uow, p2, storeReference), second)
	}},
	{"a partner's store reference redeems one code only", func(t *testing.T, uow app.UnitOfWork) {
		first, second := addCashOutCode(t, uow), addCashOutCode(t, uow)
		partnerID, storeReference := newID("ptn"), newID("str")
		if err := redeem(t, uow, first.CodeHash, partnerID, storeReference); err != nil {
			t.Fatalf("RedeemCashOutCode: %v", err)
		}
		if err := redeem(t, uow, second.CodeHash, partnerID, storeReference); err == nil {
			t.Fatal("RedeemCashOutCode of another code with the same store reference succeeded")
		}
		sameCashOutCode(t, "second code", cashOutByCode(t, uow, second.CodeHash), second)
		first.RedeemedBy, first.StoreReference = partnerID, storeReference
		sameCashOutCode(t, "CashOutByStoreReference", cashOutByStoreReference(t, uow, partnerID, storeReference), first)
		// The same partner may redeem the second code with another reference.
		if err := redeem(t, uow, second.CodeHash, partnerID, newID("str")); err != nil {
			t.Fatalf("RedeemCashOutCode with another reference: %v", err)
		}
	}},
	{"duplicate code and second code of a transaction are refused", func(t *testing.T, uow app.UnitOfWork) {
		c := addCashOutCode(t, uow)
		other := addCashOut(t, uow)
		dup := transfer.CashOutCode{TransactionID: other.ID(), CodeHash: bytes.Clone(c.CodeHash), ExpiresAt: at(time.Hour)}
		if err := try(t, uow, func(ctx context.Context, r app.Repos) error { return r.Transactions.AddCashOutCode(ctx, dup) }); err == nil {
			t.Fatal("AddCashOutCode of a duplicate hash succeeded")
		}
		sameCashOutCode(t, "first code", cashOutByCode(t, uow, c.CodeHash), c)
		second := transfer.CashOutCode{TransactionID: c.TransactionID, CodeHash: newCodeHash(), ExpiresAt: at(time.Hour)}
		if err := try(t, uow, func(ctx context.Context, r app.Repos) error { return r.Transactions.AddCashOutCode(ctx, second) }); err == nil {
			t.Fatal("AddCashOutCode of a second code for a transaction succeeded")
		}
		wantCashOutCodeInvalid(t, uow, "second code", second.CodeHash)
		// The other transaction can still get a code of its own.
		own := transfer.CashOutCode{TransactionID: other.ID(), CodeHash: newCodeHash(), ExpiresAt: at(time.Hour)}
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Transactions.AddCashOutCode(ctx, own) })
		sameCashOutCode(t, "other transaction's code", cashOutByCode(t, uow, own.CodeHash), own)
	}},
	{"code of an unknown transaction is refused", func(t *testing.T, uow app.UnitOfWork) {
		addCashOut(t, uow)
		c := transfer.CashOutCode{TransactionID: newID("trx"), CodeHash: newCodeHash(), ExpiresAt: at(time.Hour)}
		if err := try(t, uow, func(ctx context.Context, r app.Repos) error { return r.Transactions.AddCashOutCode(ctx, c) }); err == nil {
			t.Fatal("AddCashOutCode for an unknown transaction succeeded")
		}
		wantCashOutCodeInvalid(t, uow, "CashOutByCode", c.CodeHash)
	}},
	{"code added and redeemed in failed transactions is rolled back", func(t *testing.T, uow app.UnitOfWork) {
		tr := addCashOut(t, uow)
		c := transfer.CashOutCode{TransactionID: tr.ID(), CodeHash: newCodeHash(), ExpiresAt: at(time.Hour)}
		err := try(t, uow, func(ctx context.Context, r app.Repos) error {
			if err := r.Transactions.AddCashOutCode(ctx, c); err != nil {
				return err
			}
			return errAbort
		})
		wantErr(t, "Do", err, errAbort)
		wantCashOutCodeInvalid(t, uow, "CashOutByCode after a rolled-back add", c.CodeHash)
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Transactions.AddCashOutCode(ctx, c) })

		partnerID, storeReference := newID("ptn"), newID("str")
		err = try(t, uow, func(ctx context.Context, r app.Repos) error {
			if err := r.Transactions.RedeemCashOutCode(ctx, c.CodeHash, partnerID, storeReference); err != nil {
				return err
			}
			got, err := r.Transactions.CashOutByCode(ctx, c.CodeHash)
			if err != nil {
				return err
			}
			eq(t, "redeemed by, inside the transaction", got.RedeemedBy, partnerID)
			return errAbort
		})
		wantErr(t, "Do", err, errAbort)
		sameCashOutCode(t, "after a rolled-back redemption", cashOutByCode(t, uow, c.CodeHash), c)
		wantStoreReferenceNotFound(t, uow, "after a rolled-back redemption", partnerID, storeReference)
		if err := redeem(t, uow, c.CodeHash, partnerID, storeReference); err != nil {
			t.Fatalf("RedeemCashOutCode after the rollback: %v", err)
		}
	}},
}
