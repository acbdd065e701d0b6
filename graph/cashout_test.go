package graph_test

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// ---- cash withdrawals ----

const (
	cashOutResultFields = `transaction { ` + transactionFields + ` } cashOutCode amount serviceFee totalAmount expiresAt
	balanceBefore balanceAfter`
	cashOutMutation       = `mutation($input: CashOutInput!) { cashOut(input: $input) { ` + cashOutResultFields + ` } }`
	cashOutForMutation    = `mutation($input: PartnerCashOutInput!) { cashOutFor(input: $input) { ` + cashOutResultFields + ` } }`
	cancelCashOutMutation = `mutation($id: ID!) { cancelCashOut(reffId: $id) { ` + transactionFields + ` } }`
	redeemCashOutMutation = `mutation($input: RedeemCashOutInput!) { redeemCashOut(input: $input) { ` + transactionFields + ` } }`
)

type cashOutData struct {
	Transaction   transactionData `json:"transaction"`
	CashOutCode   string          `json:"cashOutCode"`
	Amount        string          `json:"amount"`
	ServiceFee    string          `json:"serviceFee"`
	TotalAmount   string          `json:"totalAmount"`
	ExpiresAt     string          `json:"expiresAt"`
	BalanceBefore *string         `json:"balanceBefore"`
	BalanceAfter  *string         `json:"balanceAfter"`
}

func (f *fixture) cashOut(who as, amount string) response {
	f.t.Helper()
	return f.post(who, cashOutMutation, map[string]any{"input": map[string]any{"amount": amount}})
}

func (f *fixture) redeem(who as, code, ref string) response {
	f.t.Helper()
	return f.post(who, redeemCashOutMutation, map[string]any{"input": map[string]any{"code": code, "storeReference": ref}})
}

func (f *fixture) cancelCashOut(who as, reffID string) response {
	f.t.Helper()
	return f.post(who, cancelCashOutMutation, map[string]any{"id": reffID})
}

func (r response) cashOutResult(t *testing.T, field string) cashOutData {
	t.Helper()
	var out map[string]cashOutData
	r.decode(t, &out)
	return out[field]
}

func (r response) transactionResult(t *testing.T, field string) transactionData {
	t.Helper()
	var out map[string]transactionData
	r.decode(t, &out)
	return out[field]
}

func twelveDigits(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// ---- tests ----

func TestCustomerCashesOutAtAStore(t *testing.T) {
	t.Parallel()
	f := newFixture(t, noFault)
	p := f.partner("ojek")
	bca := f.partnerAs("BCA", "CHANNEL")
	store := f.partnerAs("Indomaret", "CHANNEL")
	const mobile = "081234567861"
	customer := as{partner: &p, token: f.login(&p, mobile)}
	stranger := as{partner: &p, token: f.login(&p, "081234567862")}
	f.topUp(&bca, mobile, "1000000", "BCA-C1")

	// Unverified: refused.
	f.cashOut(customer, "100000").wantError(t, http.StatusOK, "KYC_LEVEL_NOT_ALLOWED", 52)
	f.verify(customer, "6281234567861")

	// Refusals that take nothing.
	f.cashOut(customer, "75000").wantError(t, http.StatusOK, "LIMIT_EXCEEDED", 51) // not a multiple of 50,000
	f.cashOut(customer, "1050000").wantError(t, http.StatusOK, "INSUFFICIENT_BALANCE", 50)
	f.cashOut(as{partner: &p}, "100000").wantError(t, http.StatusOK, "UNAUTHENTICATED", 20)
	if got := f.balance(customer); got != "1000000" {
		t.Fatalf("balance after refusals = %s, want 1000000", got)
	}

	// Issued: a 12-digit code, the total held.
	r := f.cashOut(customer, "100000").cashOutResult(t, "cashOut")
	tx := r.Transaction
	if !twelveDigits(r.CashOutCode) || r.Amount != "100000" || r.TotalAmount != "100000" || r.ServiceFee != "0" ||
		deref(r.BalanceBefore) != "1000000" || deref(r.BalanceAfter) != "1000000" {
		t.Fatalf("cashOut = %+v", r)
	}
	if tx.ReffID == "" || tx.Type != "CASH_OUT" || tx.Status != "PENDING" || deref(tx.Direction) != "OUT" {
		t.Fatalf("cashOut transaction = %+v", tx)
	}
	wantWIB(t, r.ExpiresAt)
	expires, err := time.Parse(time.RFC3339, r.ExpiresAt)
	if err != nil || expires.Sub(f.clock.Now()) < 59*time.Minute || expires.Sub(f.clock.Now()) > time.Hour {
		t.Fatalf("expiresAt = %s (%v), want an hour from now", r.ExpiresAt, err)
	}
	if got := f.balance(customer); got != "900000" {
		t.Fatalf("available while the code is open = %s, want 900000", got)
	}

	// Only a signed CHANNEL redeems.
	f.redeem(as{partner: &p, sign: true}, r.CashOutCode, "IDM-1").wantError(t, http.StatusOK, "FORBIDDEN", 21)
	f.redeem(customer, r.CashOutCode, "IDM-1").wantError(t, http.StatusOK, "UNAUTHENTICATED", 20)
	f.redeem(as{partner: &store, sign: true}, "12345", "IDM-1").wantError(t, http.StatusOK, "INVALID_REQUEST", 10)
	f.redeem(as{partner: &store, sign: true}, wrongCode12(r.CashOutCode), "IDM-1").wantError(t, http.StatusOK, "NOT_FOUND", 30)

	redeemed := f.redeem(as{partner: &store, sign: true}, r.CashOutCode, "IDM-1").transactionResult(t, "redeemCashOut")
	if redeemed.ReffID != tx.ReffID || redeemed.Status != "SUCCESS" || redeemed.Type != "CASH_OUT" || redeemed.Amount != "100000" {
		t.Fatalf("redeemCashOut = %+v", redeemed)
	}
	// The store's retry answers as the first time; the code is used up for
	// any other payout.
	again := f.redeem(as{partner: &store, sign: true}, r.CashOutCode, "IDM-1").transactionResult(t, "redeemCashOut")
	if again.ReffID != tx.ReffID || again.Status != "SUCCESS" {
		t.Fatalf("retried redeemCashOut = %+v", again)
	}
	f.redeem(as{partner: &store, sign: true}, r.CashOutCode, "IDM-2").wantError(t, http.StatusOK, "NOT_FOUND", 30)
	if got := f.balance(customer); got != "900000" {
		t.Fatalf("balance after redemption = %s, want 900000", got)
	}
	if got := f.transaction(customer, tx.ReffID); got.Status != "SUCCESS" || got.Type != "CASH_OUT" {
		t.Fatalf("redeemed transaction = %+v", got)
	}
	// A redeemed cash-out cannot be cancelled.
	f.cancelCashOut(customer, tx.ReffID).wantError(t, http.StatusOK, "INVALID_REQUEST", 10)

	// Cancelled: the hold comes back and the code is void.
	r2 := f.cashOut(customer, "200000").cashOutResult(t, "cashOut")
	if got := f.balance(customer); got != "700000" {
		t.Fatalf("available while the second code is open = %s, want 700000", got)
	}
	f.redeem(as{partner: &store, sign: true}, r2.CashOutCode, "IDM-1").wantError(t, http.StatusOK, "IDEMPOTENCY_CONFLICT", 60)
	f.cancelCashOut(stranger, r2.Transaction.ReffID).wantError(t, http.StatusOK, "NOT_FOUND", 30)
	f.cancelCashOut(as{partner: &p}, r2.Transaction.ReffID).wantError(t, http.StatusOK, "UNAUTHENTICATED", 20)
	cancelled := f.cancelCashOut(customer, r2.Transaction.ReffID).transactionResult(t, "cancelCashOut")
	if cancelled.ReffID != r2.Transaction.ReffID || cancelled.Status != "FAILED" || cancelled.Type != "CASH_OUT" {
		t.Fatalf("cancelCashOut = %+v", cancelled)
	}
	if got := f.balance(customer); got != "900000" {
		t.Fatalf("balance after cancelling = %s, want 900000", got)
	}
	f.cancelCashOut(customer, r2.Transaction.ReffID).wantError(t, http.StatusOK, "INVALID_REQUEST", 10)
	f.redeem(as{partner: &store, sign: true}, r2.CashOutCode, "IDM-3").wantError(t, http.StatusOK, "NOT_FOUND", 30)

	// Expired: the job releases the hold and the code is void.
	r3 := f.cashOut(customer, "50000").cashOutResult(t, "cashOut")
	if got := f.balance(customer); got != "850000" {
		t.Fatalf("available while the third code is open = %s, want 850000", got)
	}
	f.clock.Advance(time.Hour)
	f.redeem(as{partner: &store, sign: true}, r3.CashOutCode, "IDM-4").wantError(t, http.StatusOK, "NOT_FOUND", 30)
	if err := f.app.ExpireCashOut(context.Background(), r3.Transaction.ReffID); err != nil {
		t.Fatal(err)
	}
	if got := f.transaction(customer, r3.Transaction.ReffID); got.Status != "FAILED" {
		t.Fatalf("expired transaction = %+v", got)
	}
	if got := f.balance(customer); got != "900000" {
		t.Fatalf("balance after expiry = %s, want 900000", got)
	}

	// History shows, and filters by, the new type.
	page := f.myTransactions(customer, map[string]any{"type": "CASH_OUT"})
	if len(page.Edges) != 3 {
		t.Fatalf("CASH_OUT history has %d items, want 3: %+v", len(page.Edges), page)
	}
	statuses := map[string]string{}
	for _, e := range page.Edges {
		if e.Node.Type != "CASH_OUT" || deref(e.Node.Direction) != "OUT" {
			t.Fatalf("history node = %+v", e.Node)
		}
		statuses[e.Node.ReffID] = e.Node.Status
	}
	if statuses[tx.ReffID] != "SUCCESS" || statuses[r2.Transaction.ReffID] != "FAILED" || statuses[r3.Transaction.ReffID] != "FAILED" {
		t.Fatalf("history statuses = %v", statuses)
	}
	all := f.myTransactions(customer, nil)
	if len(all.Edges) != 4 { // the top-up and the three cash-outs
		t.Fatalf("history has %d items, want 4: %+v", len(all.Edges), all)
	}
}

func TestSignedPartnerCashesOutForACustomer(t *testing.T) {
	t.Parallel()
	f := newFixture(t, noFault)
	p := f.partner("ojek")
	other := f.partner("kurir")
	bca := f.partnerAs("BCA", "CHANNEL")
	store := f.partnerAs("Alfamart", "CHANNEL")
	const mobile = "081234567871"
	customer := as{partner: &p, token: f.login(&p, mobile)}
	f.topUp(&bca, mobile, "500000", "BCA-C2")
	signed := as{partner: &p, sign: true, key: "cash-7"}
	send := func(who as, amount string) response {
		return f.post(who, cashOutForMutation, map[string]any{"input": map[string]any{"mobileNumber": mobile, "amount": amount}})
	}

	send(as{partner: &p, sign: true}, "100000").wantError(t, http.StatusOK, "KYC_LEVEL_NOT_ALLOWED", 52)
	f.verify(customer, "6281234567871")

	send(as{partner: &p, sign: true}, "75000").wantError(t, http.StatusOK, "LIMIT_EXCEEDED", 51)
	send(customer, "100000").wantError(t, http.StatusOK, "UNAUTHENTICATED", 20)
	send(as{partner: &bca, sign: true}, "100000").wantError(t, http.StatusOK, "FORBIDDEN", 21)
	send(as{partner: &other, sign: true}, "100000").wantError(t, http.StatusOK, "FORBIDDEN", 21) // not bound

	r := send(signed, "100000").cashOutResult(t, "cashOutFor")
	if !twelveDigits(r.CashOutCode) || r.Transaction.Type != "CASH_OUT" || r.Transaction.Status != "PENDING" ||
		deref(r.BalanceBefore) != "500000" || deref(r.BalanceAfter) != "500000" {
		t.Fatalf("cashOutFor = %+v", r)
	}
	if got := f.balance(customer); got != "400000" {
		t.Fatalf("available = %s, want 400000", got)
	}

	// Cancelling: not by a partner the customer is not bound to (to it the
	// cash-out does not exist), nor by a CHANNEL; by the partner that
	// started it.
	f.cancelCashOut(as{partner: &other, sign: true}, r.Transaction.ReffID).wantError(t, http.StatusOK, "NOT_FOUND", 30)
	f.cancelCashOut(as{partner: &store, sign: true}, r.Transaction.ReffID).wantError(t, http.StatusOK, "FORBIDDEN", 21)
	cancelled := f.cancelCashOut(as{partner: &p, sign: true}, r.Transaction.ReffID).transactionResult(t, "cancelCashOut")
	if cancelled.Status != "FAILED" {
		t.Fatalf("cancelCashOut = %+v", cancelled)
	}
	if got := f.balance(customer); got != "500000" {
		t.Fatalf("balance after cancelling = %s, want 500000", got)
	}
	f.redeem(as{partner: &store, sign: true}, r.CashOutCode, "ALFA-1").wantError(t, http.StatusOK, "NOT_FOUND", 30)

	// The signed history shows it.
	var hist struct {
		TransactionHistory connectionData `json:"transactionHistory"`
	}
	f.post(as{partner: &p, sign: true}, historyQuery, map[string]any{"m": mobile}).decode(t, &hist)
	found := false
	for _, e := range hist.TransactionHistory.Edges {
		found = found || (e.Node.ReffID == r.Transaction.ReffID && e.Node.Type == "CASH_OUT" && e.Node.Status == "FAILED")
	}
	if !found {
		t.Fatalf("transactionHistory lacks the cash-out: %+v", hist.TransactionHistory)
	}
}

// wrongCode12 is a well-formed code other than code.
func wrongCode12(code string) string {
	last := '0'
	if code[11] == '0' {
		last = '1'
	}
	return code[:11] + string(last)
}
