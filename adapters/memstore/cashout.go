package memstore

import (
	"bytes"
	"context"
	"fmt"

	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/transfer"
)

// Cash-out codes are kept by hash as the cash_out_codes table keeps them:
// the hash is the key, a transaction has at most one code, the transaction
// must exist, and a partner's store reference redeems at most one code.
// Stored codes are never changed in place: a redemption stores a new value.

// AddCashOutCode stores the hash, transaction and expiry only, as an
// unredeemed code; like the SQL stores it ignores RedeemedBy and
// StoreReference.
func (r transactionRepo) AddCashOutCode(ctx context.Context, c transfer.CashOutCode) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	if len(c.CodeHash) == 0 {
		return fault.New(fault.Internal, fmt.Sprintf("memstore: cash-out code of transaction %q has no hash", c.TransactionID))
	}
	if _, ok := r.st.transactions[c.TransactionID]; !ok {
		return fault.New(fault.Internal, fmt.Sprintf("memstore: cash-out code for transaction %q, which does not exist", c.TransactionID))
	}
	if _, ok := r.st.cashOutCodes[string(c.CodeHash)]; ok {
		return fmt.Errorf("memstore: cash-out code %x already exists", c.CodeHash)
	}
	for _, o := range r.st.cashOutCodes {
		if o.TransactionID == c.TransactionID {
			return fmt.Errorf("memstore: transaction %q already has cash-out code %x", c.TransactionID, o.CodeHash)
		}
	}
	r.st.cashOutCodes[string(c.CodeHash)] = copyCashOutCode(transfer.CashOutCode{
		TransactionID: c.TransactionID, CodeHash: c.CodeHash, ExpiresAt: c.ExpiresAt,
	})
	return nil
}

func (r transactionRepo) CashOutByCode(ctx context.Context, codeHash []byte) (transfer.CashOutCode, error) {
	if err := r.check(ctx); err != nil {
		return transfer.CashOutCode{}, err
	}
	c, ok := r.st.cashOutCodes[string(codeHash)]
	if !ok {
		return transfer.CashOutCode{}, transfer.ErrCashOutCodeInvalid
	}
	return copyCashOutCode(c), nil
}

// CashOutByStoreReference finds redeemed codes only.
func (r transactionRepo) CashOutByStoreReference(ctx context.Context, partnerID, storeReference string) (transfer.CashOutCode, error) {
	if err := r.check(ctx); err != nil {
		return transfer.CashOutCode{}, err
	}
	for _, c := range r.st.cashOutCodes {
		if c.RedeemedBy != "" && c.RedeemedBy == partnerID && c.StoreReference == storeReference {
			return copyCashOutCode(c), nil
		}
	}
	return transfer.CashOutCode{}, transfer.ErrNotFound
}

// RedeemCashOutCode refuses, as the SQL unique index does, a store
// reference the partner already redeemed another code with.
func (r transactionRepo) RedeemCashOutCode(ctx context.Context, codeHash []byte, partnerID, storeReference string) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	c, ok := r.st.cashOutCodes[string(codeHash)]
	if !ok || c.RedeemedBy != "" {
		return transfer.ErrCashOutCodeInvalid
	}
	for _, o := range r.st.cashOutCodes {
		if o.RedeemedBy != "" && o.RedeemedBy == partnerID && o.StoreReference == storeReference {
			return fmt.Errorf("memstore: partner %q already redeemed cash-out code %x with store reference %q", partnerID, o.CodeHash, storeReference)
		}
	}
	c.RedeemedBy, c.StoreReference = partnerID, storeReference
	r.st.cashOutCodes[string(codeHash)] = copyCashOutCode(c)
	return nil
}

func copyCashOutCode(c transfer.CashOutCode) transfer.CashOutCode {
	c.CodeHash = bytes.Clone(c.CodeHash)
	return c
}
