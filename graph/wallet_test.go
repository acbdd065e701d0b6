package graph_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// ---- money operations ----

const transactionFields = `reffId type status amount serviceFee totalAmount date counterparty description orderId direction balanceAfter`

const movementFields = `transaction { ` + transactionFields + ` } balanceBefore balanceAfter`

const (
	vaInquiryMutation = `mutation($input: VaInquiryInput!) {
	vaInquiry(input: $input) { customerName vaNumber bankCode bankName amount fee totalAmount minAmount maxAmount }
}`
	vaPaymentMutation = `mutation($input: VaPaymentInput!) {
	vaPayment(input: $input) { customerName transaction { ` + transactionFields + ` } }
}`
	retailPaymentMutation = `mutation($input: RetailPaymentInput!) {
	retailPayment(input: $input) { customerName transaction { ` + transactionFields + ` } }
}`
	payMutation = `mutation($input: PayInput!) { pay(input: $input) { ` + movementFields + ` } }`
	p2pMutation = `mutation($input: P2pTransferInput!) { p2pTransfer(input: $input) { ` + movementFields + ` } }`

	walletPaymentMutation = `mutation($input: WalletPaymentInput!) { walletPayment(input: $input) { ` + movementFields + ` } }`
	refundMutation        = `mutation($input: RefundPaymentInput!) { refundPayment(input: $input) { ` + movementFields + ` } }`
	transferP2PMutation   = `mutation($input: PartnerP2pTransferInput!) { transferP2P(input: $input) { ` + movementFields + ` } }`

	submitKycMutation = `mutation($input: SubmitKycInput!) { submitKyc(input: $input) { submissionId kycStatus nikMasked submittedAt } }`

	myTransactionsQuery = `query($first: Int, $after: String, $type: TransactionType, $from: Time, $to: Time) {
	me { transactions(first: $first, after: $after, type: $type, from: $from, to: $to) {
		edges { cursor node { ` + transactionFields + ` } }
		pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
	} }
}`
	historyQuery = `query($m: String!, $first: Int, $after: String) {
	transactionHistory(mobileNumber: $m, first: $first, after: $after) {
		edges { cursor node { ` + transactionFields + ` } }
		pageInfo { hasNextPage endCursor }
	}
}`
	transactionQuery = `query($id: ID!) { transaction(reffId: $id) { ` + transactionFields + ` } }`
)

type transactionData struct {
	ReffID       string  `json:"reffId"`
	Type         string  `json:"type"`
	Status       string  `json:"status"`
	Amount       string  `json:"amount"`
	ServiceFee   string  `json:"serviceFee"`
	TotalAmount  string  `json:"totalAmount"`
	Date         string  `json:"date"`
	Counterparty *string `json:"counterparty"`
	Description  *string `json:"description"`
	OrderID      *string `json:"orderId"`
	Direction    *string `json:"direction"`
	BalanceAfter *string `json:"balanceAfter"`
}

type movementData struct {
	Transaction   transactionData `json:"transaction"`
	BalanceBefore *string         `json:"balanceBefore"`
	BalanceAfter  *string         `json:"balanceAfter"`
}

type topUpData struct {
	CustomerName string          `json:"customerName"`
	Transaction  transactionData `json:"transaction"`
}

type connectionData struct {
	Edges []struct {
		Cursor string          `json:"cursor"`
		Node   transactionData `json:"node"`
	} `json:"edges"`
	PageInfo struct {
		HasNextPage     bool    `json:"hasNextPage"`
		HasPreviousPage bool    `json:"hasPreviousPage"`
		StartCursor     *string `json:"startCursor"`
		EndCursor       *string `json:"endCursor"`
	} `json:"pageInfo"`
}

type virtualAccountData struct {
	BankCode string `json:"bankCode"`
	BankName string `json:"bankName"`
	VANumber string `json:"vaNumber"`
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

// wantWIB checks that a date is RFC 3339 in WIB, to the second, as REST's.
func wantWIB(t *testing.T, date string) {
	t.Helper()
	if !strings.HasSuffix(date, "+07:00") || len(date) != len("2006-01-02T15:04:05+07:00") {
		t.Errorf("date = %q, want RFC 3339 in WIB", date)
	}
}

// topUp credits amount to mobile (08… form) through a bank channel's VA.
func (f *fixture) topUp(channel *testPartner, mobile, amount, ref string) topUpData {
	f.t.Helper()
	var out struct {
		VaPayment topUpData `json:"vaPayment"`
	}
	f.post(as{partner: channel, sign: true}, vaPaymentMutation, map[string]any{"input": map[string]any{
		"vaNumber": "39358" + mobile, "amount": amount, "bankReference": ref,
	}}).decode(f.t, &out)
	return out.VaPayment
}

func (f *fixture) balance(who as) string {
	f.t.Helper()
	var out struct {
		Me struct {
			Balance struct {
				AvailableBalance string `json:"availableBalance"`
			} `json:"balance"`
		} `json:"me"`
	}
	f.post(who, `{ me { balance { availableBalance } } }`, nil).decode(f.t, &out)
	return out.Me.Balance.AvailableBalance
}

func (f *fixture) pay(who as, amount any, orderID string) response {
	f.t.Helper()
	return f.post(who, payMutation, map[string]any{"input": map[string]any{
		"amount": amount, "orderId": orderID, "description": "Ongkir " + orderID,
	}})
}

func (f *fixture) myTransactions(who as, vars map[string]any) connectionData {
	f.t.Helper()
	var out struct {
		Me struct {
			Transactions connectionData `json:"transactions"`
		} `json:"me"`
	}
	f.post(who, myTransactionsQuery, vars).decode(f.t, &out)
	return out.Me.Transactions
}

// ---- tests ----

func TestChannelTopUpThenCustomerPaysAndReadsHistory(t *testing.T) {
	t.Parallel()
	f := newFixture(t, noFault)
	p := f.partner("ojek")
	bca := f.partnerAs("BCA", "CHANNEL")
	channel := as{partner: &bca, sign: true}
	customer := as{partner: &p, token: f.login(&p, "081234567801")}

	// me { virtualAccounts }: one number per bank with a VA agreement.
	var vas struct {
		Me struct {
			VirtualAccounts []virtualAccountData `json:"virtualAccounts"`
		} `json:"me"`
	}
	f.post(customer, `{ me { virtualAccounts { bankCode bankName vaNumber } } }`, nil).decode(t, &vas)
	byBank := map[string]virtualAccountData{}
	for _, v := range vas.Me.VirtualAccounts {
		byBank[v.BankCode] = v
	}
	if len(vas.Me.VirtualAccounts) != 6 || byBank["014"].VANumber != "39358081234567801" || byBank["014"].BankName != "Bank Central Asia (BCA)" {
		t.Fatalf("virtualAccounts = %+v", vas.Me.VirtualAccounts)
	}

	// The bank asks, then pays.
	var quote struct {
		VaInquiry struct {
			CustomerName string  `json:"customerName"`
			VANumber     *string `json:"vaNumber"`
			BankCode     *string `json:"bankCode"`
			BankName     *string `json:"bankName"`
			Amount       *string `json:"amount"`
			Fee          string  `json:"fee"`
			TotalAmount  *string `json:"totalAmount"`
			MinAmount    string  `json:"minAmount"`
			MaxAmount    string  `json:"maxAmount"`
		} `json:"vaInquiry"`
	}
	f.post(channel, vaInquiryMutation, map[string]any{"input": map[string]any{"vaNumber": "39358081234567801", "amount": 500000}}).decode(t, &quote)
	q := quote.VaInquiry
	if q.CustomerName != "Budi Santoso" || deref(q.BankCode) != "014" || deref(q.VANumber) != "39358081234567801" ||
		deref(q.Amount) != "500000" || q.Fee != "0" || deref(q.TotalAmount) != "500000" || q.MinAmount != "10000" || q.MaxAmount != "2000000" {
		t.Fatalf("vaInquiry = %+v", q)
	}

	top := f.topUp(&bca, "081234567801", "500000", "BCA-0001")
	tt := top.Transaction
	if top.CustomerName != "Budi Santoso" || tt.Type != "TOPUP_VA" || tt.Status != "SUCCESS" || tt.Amount != "500000" ||
		tt.ServiceFee != "0" || tt.TotalAmount != "500000" || deref(tt.Direction) != "IN" {
		t.Fatalf("vaPayment = %+v", top)
	}
	if tt.BalanceAfter != nil {
		t.Errorf("vaPayment shows the customer's balance to the channel: %s", *tt.BalanceAfter)
	}
	wantWIB(t, tt.Date)
	// A repeated notification answers as the first time and credits nothing.
	if again := f.topUp(&bca, "081234567801", "500000", "BCA-0001"); again.Transaction.ReffID != tt.ReffID {
		t.Fatalf("replayed vaPayment reffId = %s, want %s", again.Transaction.ReffID, tt.ReffID)
	}
	if got := f.balance(customer); got != "500000" {
		t.Fatalf("balance after top-up = %s, want 500000", got)
	}

	// The customer pays the partner from its frontend.
	var paid struct {
		Pay movementData `json:"pay"`
	}
	f.pay(customer, "120000", "ORD-1").decode(t, &paid)
	m := paid.Pay
	if deref(m.BalanceBefore) != "500000" || deref(m.BalanceAfter) != "380000" || m.Transaction.Type != "WALLET_PAYMENT" ||
		m.Transaction.Amount != "120000" || deref(m.Transaction.Direction) != "OUT" || deref(m.Transaction.Counterparty) != "ojek" ||
		deref(m.Transaction.OrderID) != "ORD-1" || deref(m.Transaction.BalanceAfter) != "380000" {
		t.Fatalf("pay = %+v", m)
	}
	payment := m.Transaction.ReffID
	f.pay(customer, 30000, "ORD-2").decode(t, &paid)
	if deref(paid.Pay.BalanceAfter) != "350000" {
		t.Fatalf("second pay = %+v", paid.Pay)
	}
	if got := f.balance(customer); got != "350000" {
		t.Fatalf("balance after payments = %s, want 350000", got)
	}

	// History pages, newest first.
	page := f.myTransactions(customer, map[string]any{"first": 2})
	if len(page.Edges) != 2 || page.Edges[0].Node.OrderID == nil || *page.Edges[0].Node.OrderID != "ORD-2" || page.Edges[1].Node.ReffID != payment {
		t.Fatalf("first page = %+v", page)
	}
	if !page.PageInfo.HasNextPage || page.PageInfo.HasPreviousPage || deref(page.PageInfo.EndCursor) != page.Edges[1].Cursor ||
		deref(page.PageInfo.StartCursor) != page.Edges[0].Cursor || page.Edges[1].Cursor != payment {
		t.Fatalf("first pageInfo = %+v", page.PageInfo)
	}
	if deref(page.Edges[0].Node.BalanceAfter) != "350000" || deref(page.Edges[1].Node.BalanceAfter) != "380000" {
		t.Fatalf("balanceAfter on the first page = %+v", page.Edges)
	}
	page = f.myTransactions(customer, map[string]any{"first": 2, "after": *page.PageInfo.EndCursor})
	if len(page.Edges) != 1 || page.Edges[0].Node.ReffID != tt.ReffID || deref(page.Edges[0].Node.Direction) != "IN" ||
		deref(page.Edges[0].Node.BalanceAfter) != "500000" || page.PageInfo.HasNextPage || !page.PageInfo.HasPreviousPage {
		t.Fatalf("second page = %+v", page)
	}
	if page = f.myTransactions(customer, map[string]any{"type": "TOPUP_VA"}); len(page.Edges) != 1 || page.Edges[0].Node.Type != "TOPUP_VA" {
		t.Fatalf("TOPUP_VA page = %+v", page)
	}
	if page = f.myTransactions(customer, map[string]any{"to": "2000-01-01T00:00:00+07:00"}); len(page.Edges) != 0 || page.PageInfo.EndCursor != nil {
		t.Fatalf("page before 2000 = %+v", page)
	}

	// One transaction, for the customer and for the signed partner.
	var one struct {
		Transaction *transactionData `json:"transaction"`
	}
	f.post(customer, transactionQuery, map[string]any{"id": payment}).decode(t, &one)
	if one.Transaction == nil || one.Transaction.ReffID != payment || one.Transaction.Amount != "120000" || deref(one.Transaction.Direction) != "OUT" {
		t.Fatalf("transaction as customer = %+v", one.Transaction)
	}
	wantWIB(t, one.Transaction.Date)
	f.post(as{partner: &p, sign: true}, transactionQuery, map[string]any{"id": tt.ReffID}).decode(t, &one)
	if one.Transaction == nil || one.Transaction.Type != "TOPUP_VA" || deref(one.Transaction.Direction) != "IN" {
		t.Fatalf("transaction as signed partner = %+v", one.Transaction)
	}
	other := f.partner("kurir")
	f.post(as{partner: &other, sign: true}, transactionQuery, map[string]any{"id": payment}).wantError(t, http.StatusOK, "NOT_FOUND", 30)
	f.post(as{partner: &p}, transactionQuery, map[string]any{"id": payment}).wantError(t, http.StatusOK, "UNAUTHENTICATED", 20)

	// The signed partner reads the same history and VA numbers.
	var hist struct {
		TransactionHistory connectionData `json:"transactionHistory"`
	}
	f.post(as{partner: &p, sign: true}, historyQuery, map[string]any{"m": "6281234567801", "first": 10}).decode(t, &hist)
	if len(hist.TransactionHistory.Edges) != 3 || hist.TransactionHistory.PageInfo.HasNextPage {
		t.Fatalf("transactionHistory = %+v", hist.TransactionHistory)
	}
	var pvas struct {
		VirtualAccounts []virtualAccountData `json:"virtualAccounts"`
	}
	f.post(as{partner: &p, sign: true}, `{ virtualAccounts(mobileNumber: "+6281234567801") { bankCode vaNumber } }`, nil).decode(t, &pvas)
	if len(pvas.VirtualAccounts) != 6 {
		t.Fatalf("virtualAccounts = %+v", pvas.VirtualAccounts)
	}

	// The partner refunds part of the first payment.
	var refund struct {
		RefundPayment movementData `json:"refundPayment"`
	}
	f.post(as{partner: &p, sign: true}, refundMutation, map[string]any{"input": map[string]any{
		"orderId": "ORD-1", "amount": "20000", "reason": "item out of stock",
	}}).decode(t, &refund)
	r := refund.RefundPayment
	if r.Transaction.Type != "REFUND" || r.Transaction.Amount != "20000" || deref(r.Transaction.Direction) != "IN" ||
		deref(r.BalanceBefore) != "350000" || deref(r.BalanceAfter) != "370000" || deref(r.Transaction.Description) != "item out of stock" {
		t.Fatalf("refundPayment = %+v", r)
	}
	if got := f.balance(customer); got != "370000" {
		t.Fatalf("balance after refund = %s, want 370000", got)
	}
}

func TestP2PTransferNeedsVerifiedKYC(t *testing.T) {
	t.Parallel()
	f := newFixture(t, noFault)
	p := f.partner("ojek")
	bca := f.partnerAs("BCA", "CHANNEL")
	sender := as{partner: &p, token: f.login(&p, "081234567811")}
	receiver := as{partner: &p, token: f.login(&p, "081234567812")}
	f.topUp(&bca, "081234567811", "300000", "BCA-1")

	transfer := map[string]any{"input": map[string]any{"toMobileNumber": "081234567812", "amount": "50000", "description": "patungan"}}
	f.post(sender, p2pMutation, transfer).wantError(t, http.StatusOK, "KYC_LEVEL_NOT_ALLOWED", 52)

	var kyc struct {
		SubmitKyc struct {
			SubmissionID string `json:"submissionId"`
			KycStatus    string `json:"kycStatus"`
			NikMasked    string `json:"nikMasked"`
			SubmittedAt  string `json:"submittedAt"`
		} `json:"submitKyc"`
	}
	f.post(sender, submitKycMutation, map[string]any{"input": map[string]any{
		"nik": "3171011505900001", "fullName": "Budi Santoso", "birthDate": "1990-05-15",
	}}).decode(t, &kyc)
	k := kyc.SubmitKyc
	if k.SubmissionID == "" || k.KycStatus != "PENDING" || k.NikMasked != "************0001" {
		t.Fatalf("submitKyc = %+v", k)
	}
	wantWIB(t, k.SubmittedAt)
	// Still pending: still not allowed.
	f.post(sender, p2pMutation, transfer).wantError(t, http.StatusOK, "KYC_LEVEL_NOT_ALLOWED", 52)

	if _, err := f.app.DecideKYC(context.Background(), "081234567811", true, ""); err != nil {
		t.Fatal(err)
	}
	var sent struct {
		P2pTransfer movementData `json:"p2pTransfer"`
	}
	f.post(sender, p2pMutation, transfer).decode(t, &sent)
	s := sent.P2pTransfer
	if s.Transaction.Type != "P2P_TRANSFER" || s.Transaction.Status != "SUCCESS" || deref(s.Transaction.Direction) != "OUT" ||
		deref(s.BalanceBefore) != "300000" || deref(s.BalanceAfter) != "250000" || deref(s.Transaction.Description) != "patungan" {
		t.Fatalf("p2pTransfer = %+v", s)
	}
	if got := f.balance(receiver); got != "50000" {
		t.Fatalf("receiver balance = %s, want 50000", got)
	}
	page := f.myTransactions(receiver, map[string]any{"first": 1})
	if len(page.Edges) != 1 || page.Edges[0].Node.ReffID != s.Transaction.ReffID || deref(page.Edges[0].Node.Direction) != "IN" ||
		deref(page.Edges[0].Node.BalanceAfter) != "50000" {
		t.Fatalf("receiver history = %+v", page)
	}

	// The signed partner moves money for the verified sender too.
	var partnerSent struct {
		TransferP2P movementData `json:"transferP2P"`
	}
	f.post(as{partner: &p, sign: true}, transferP2PMutation, map[string]any{"input": map[string]any{
		"mobileNumber": "6281234567811", "toMobileNumber": "081234567812", "amount": 25000,
	}}).decode(t, &partnerSent)
	if deref(partnerSent.TransferP2P.BalanceAfter) != "225000" {
		t.Fatalf("transferP2P = %+v", partnerSent.TransferP2P)
	}

	// More than the balance.
	transfer["input"].(map[string]any)["amount"] = "1000000"
	f.post(sender, p2pMutation, transfer).wantError(t, http.StatusOK, "INSUFFICIENT_BALANCE", 50)
}

func TestMoneyErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, noFault)
	p := f.partner("ojek")
	bca := f.partnerAs("BCA", "CHANNEL")
	customer := as{partner: &p, token: f.login(&p, "081234567821")}
	f.login(&p, "081234567822") // a customer with no money
	f.topUp(&bca, "081234567821", "100000", "BCA-1")
	f.pay(customer, "1000", "ORD-USED").decode(t, &struct{}{})

	tests := []struct {
		name   string
		send   func() response
		code   string
		legacy int
		msg    string // a substring of the message, when it matters
	}{
		{
			name: "paying more than the balance is 50",
			send: func() response { return f.pay(customer, "150000", "ORD-BIG") },
			code: "INSUFFICIENT_BALANCE", legacy: 50,
		},
		{
			name: "a top-up over the balance cap is 51",
			send: func() response {
				return f.post(as{partner: &bca, sign: true}, vaPaymentMutation, map[string]any{"input": map[string]any{
					"vaNumber": "39358081234567822", "amount": "2000001", "bankReference": "BCA-2",
				}})
			},
			code: "LIMIT_EXCEEDED", legacy: 51,
		},
		{
			name: "a top-up inquiry over the balance cap is 51",
			send: func() response {
				return f.post(as{partner: &bca, sign: true}, vaInquiryMutation, map[string]any{"input": map[string]any{
					"vaNumber": "39358081234567821", "amount": "1950000",
				}})
			},
			code: "LIMIT_EXCEEDED", legacy: 51,
		},
		{
			name: "a reused orderId is 60",
			send: func() response { return f.pay(customer, "1000", "ORD-USED") },
			code: "IDEMPOTENCY_CONFLICT", legacy: 60,
		},
		{
			name: "a PARTNER calling vaPayment is 21",
			send: func() response {
				return f.post(as{partner: &p, sign: true}, vaPaymentMutation, map[string]any{"input": map[string]any{
					"vaNumber": "39358081234567821", "amount": "10000", "bankReference": "X-1",
				}})
			},
			code: "FORBIDDEN", legacy: 21,
		},
		{
			name: "a CHANNEL calling walletPayment is 21",
			send: func() response {
				return f.post(as{partner: &bca, sign: true}, walletPaymentMutation, map[string]any{"input": map[string]any{
					"mobileNumber": "081234567821", "amount": "1000", "orderId": "B-1",
				}})
			},
			code: "FORBIDDEN", legacy: 21,
		},
		{
			name: "a fractional Money variable is 10 naming the field",
			send: func() response { return f.pay(customer, "12.5", "ORD-FRACTION") },
			code: "INVALID_REQUEST", legacy: 10, msg: "amount",
		},
		{
			name: "a float Money variable is 10 naming the field",
			send: func() response { return f.pay(customer, 12.5, "ORD-FLOAT") },
			code: "INVALID_REQUEST", legacy: 10, msg: "amount",
		},
		{
			name: "a fractional Money literal is 10 naming the field",
			send: func() response {
				return f.post(customer, `mutation { pay(input: {amount: 12.5, orderId: "ORD-LIT"}) { balanceAfter } }`, nil)
			},
			code: "INVALID_REQUEST", legacy: 10, msg: "amount",
		},
		{
			name: "a zero amount is 10 naming the field",
			send: func() response { return f.pay(customer, "0", "ORD-ZERO") },
			code: "INVALID_REQUEST", legacy: 10, msg: "amount must be a positive",
		},
		{
			name: "a Time without a zone is 10 naming the argument",
			send: func() response {
				return f.post(customer, myTransactionsQuery, map[string]any{"from": "2025-01-01 00:00:00"})
			},
			code: "INVALID_REQUEST", legacy: 10, msg: "from",
		},
		{
			name: "first over 100 is 10 naming the argument",
			send: func() response { return f.post(customer, myTransactionsQuery, map[string]any{"first": 101}) },
			code: "INVALID_REQUEST", legacy: 10, msg: "first",
		},
		{
			name: "to before from is 10",
			send: func() response {
				return f.post(customer, myTransactionsQuery, map[string]any{"from": "2025-02-01T00:00:00+07:00", "to": "2025-01-01T00:00:00+07:00"})
			},
			code: "INVALID_REQUEST", legacy: 10, msg: "to",
		},
		{
			name: "pay without a customer token is 20",
			send: func() response { return f.pay(as{partner: &p}, "1000", "ORD-ANON") },
			code: "UNAUTHENTICATED", legacy: 20, msg: "Authorization",
		},
		{
			name: "walletPayment without a signature is 20",
			send: func() response {
				return f.post(customer, walletPaymentMutation, map[string]any{"input": map[string]any{
					"mobileNumber": "081234567821", "amount": "1000", "orderId": "ORD-UNSIGNED",
				}})
			},
			code: "UNAUTHENTICATED", legacy: 20, msg: "X-SIGNATURE",
		},
		{
			name: "another customer's history through a frontend is 20",
			send: func() response {
				return f.post(as{partner: &p}, `mutation { registerCustomer(input: {mobileNumber: "081234567823", firstName: "Sari"}) { customer { transactions { edges { cursor } } } } }`, nil)
			},
			code: "UNAUTHENTICATED", legacy: 20,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := tc.send().wantError(t, http.StatusOK, tc.code, tc.legacy)
			if tc.msg != "" && !strings.Contains(e.Message, tc.msg) {
				t.Errorf("message %q does not contain %q", e.Message, tc.msg)
			}
		})
	}
	if got := f.balance(customer); got != "99000" {
		t.Fatalf("balance after refused operations = %s, want 99000", got)
	}
}

func TestRetailTopUpChargesTheFee(t *testing.T) {
	t.Parallel()
	f := newFixture(t, noFault)
	p := f.partner("ojek")
	alfa := f.partnerAs("Alfamart", "CHANNEL")
	customer := as{partner: &p, token: f.login(&p, "081234567831")}

	var out struct {
		RetailPayment topUpData `json:"retailPayment"`
	}
	f.post(as{partner: &alfa, sign: true}, retailPaymentMutation, map[string]any{"input": map[string]any{
		"mobileNumber": "081234567831", "amount": "50000", "storeReference": "ALFA-1",
	}}).decode(t, &out)
	tr := out.RetailPayment.Transaction
	if tr.Type != "TOPUP_RETAIL" || tr.Amount != "50000" || tr.ServiceFee != "2500" || tr.TotalAmount != "52500" || deref(tr.Counterparty) != "Alfamart" {
		t.Fatalf("retailPayment = %+v", out.RetailPayment)
	}
	if got := f.balance(customer); got != "50000" {
		t.Fatalf("balance = %s, want 50000", got)
	}
}

func TestRetriedMutationWithExternalIDMovesMoneyOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, noFault)
	p := f.partner("ojek")
	bca := f.partnerAs("BCA", "CHANNEL")
	customer := as{partner: &p, token: f.login(&p, "081234567809")}
	f.topUp(&bca, "081234567809", "100000", "BCA-X1")

	retry := customer
	retry.key = "checkout-42"
	var first, second struct {
		Pay struct {
			Transaction struct {
				ReffID string `json:"reffId"`
			} `json:"transaction"`
			BalanceAfter string `json:"balanceAfter"`
		} `json:"pay"`
	}
	f.pay(retry, "30000", "ORDER-42").decode(t, &first)
	f.pay(retry, "30000", "ORDER-42").decode(t, &second)
	if first.Pay.Transaction.ReffID == "" || first.Pay.Transaction.ReffID != second.Pay.Transaction.ReffID ||
		second.Pay.BalanceAfter != "70000" {
		t.Fatalf("retry answered %+v after %+v", second, first)
	}
	if got := f.balance(customer); got != "70000" {
		t.Fatalf("balance %s, want 70000 (charged once)", got)
	}
	// Without the key the same order is a conflict; with the key but
	// another amount too.
	f.pay(customer, "30000", "ORDER-42").wantError(t, http.StatusOK, "IDEMPOTENCY_CONFLICT", 60)
	f.pay(retry, "31000", "ORDER-43").wantError(t, http.StatusOK, "IDEMPOTENCY_CONFLICT", 60)
}
