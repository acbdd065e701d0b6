package graph_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/qris"
)

// ---- QRIS ----

const (
	decodeQrisQuery = `query($payload: String!) {
	decodeQris(payload: $payload) {
		merchantName merchantCity postalCode nmid mcc currency pointOfInitiation amount
		tipRule { kind fee percentBasisPoints }
		acquirers { globalId merchantPan merchantId }
	}
}`
	qrisResultFields = `transaction { ` + transactionFields + ` } account amount price serviceFee flowType merchantName inProcess`
	payQrisMutation  = `mutation($input: PayQrisInput!) { payQris(input: $input) { ` + qrisResultFields + ` } }`
	qrisPaymentMut   = `mutation($input: QrisPaymentInput!) { qrisPayment(input: $input) { ` + qrisResultFields + ` } }`
)

type qrisInfoData struct {
	MerchantName      string  `json:"merchantName"`
	MerchantCity      string  `json:"merchantCity"`
	PostalCode        *string `json:"postalCode"`
	NMID              *string `json:"nmid"`
	MCC               string  `json:"mcc"`
	Currency          string  `json:"currency"`
	PointOfInitiation string  `json:"pointOfInitiation"`
	Amount            *string `json:"amount"`
	TipRule           *struct {
		Kind               string  `json:"kind"`
		Fee                *string `json:"fee"`
		PercentBasisPoints *int    `json:"percentBasisPoints"`
	} `json:"tipRule"`
	Acquirers []struct {
		GlobalID    string  `json:"globalId"`
		MerchantPan *string `json:"merchantPan"`
		MerchantID  *string `json:"merchantId"`
	} `json:"acquirers"`
}

type qrisResultData struct {
	Transaction  transactionData `json:"transaction"`
	Account      string          `json:"account"`
	Amount       string          `json:"amount"`
	Price        string          `json:"price"`
	ServiceFee   string          `json:"serviceFee"`
	FlowType     string          `json:"flowType"`
	MerchantName string          `json:"merchantName"`
	InProcess    bool            `json:"inProcess"`
}

// qrPayload makes a valid QRIS payload: dynamic with amount, or static
// without one; tip is nil for none.
func qrPayload(t *testing.T, amount int64, tip *qris.TipRule) string {
	t.Helper()
	acq, err := qris.NewAcquirer(51, qris.QRISGlobalID, "", "ID1020012345678", "UMI")
	if err != nil {
		t.Fatal(err)
	}
	b := qris.NewBuilder().Acquirer(acq).MCC("5812").MerchantName("WARUNG BU SRI").MerchantCity("JAKARTA").PostalCode("12345")
	if amount > 0 {
		b = b.Initiation(qris.Dynamic).Amount(amount)
	} else {
		b = b.Initiation(qris.Static)
	}
	if tip != nil {
		b = b.Tip(*tip)
	}
	s, err := b.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// brokenCRC replaces the payload's checksum.
func brokenCRC(payload string) string {
	if strings.HasSuffix(payload, "0000") {
		return payload[:len(payload)-4] + "FFFF"
	}
	return payload[:len(payload)-4] + "0000"
}

func (f *fixture) decodeQris(who as, payload string) response {
	f.t.Helper()
	return f.post(who, decodeQrisQuery, map[string]any{"payload": payload})
}

func (f *fixture) payQris(who as, input map[string]any) response {
	f.t.Helper()
	return f.post(who, payQrisMutation, map[string]any{"input": input})
}

func (r response) qrisResult(t *testing.T, field string) qrisResultData {
	t.Helper()
	var out map[string]qrisResultData
	r.decode(t, &out)
	return out[field]
}

// settleAfterSwitch waits until the simulator has answered (its delay
// after the fixture clock) and runs the settlement job for each reffId.
func (f *fixture) settleAfterSwitch(reffIDs ...string) {
	f.t.Helper()
	time.Sleep(time.Until(f.clock.Now().Add(60 * time.Millisecond)))
	for _, id := range reffIDs {
		if err := f.app.SettleBankTransfer(context.Background(), id); err != nil {
			f.t.Fatalf("settling %s: %v", id, err)
		}
	}
}

// ---- tests ----

func TestDecodeQris(t *testing.T) {
	t.Parallel()
	f := newFixture(t, noFault)
	p := f.partner("ojek")
	bca := f.partnerAs("BCA", "CHANNEL")
	customer := as{partner: &p, token: f.login(&p, "081234567861")}
	fee, err := qris.FixedFee(1000)
	if err != nil {
		t.Fatal(err)
	}
	dynamic := qrPayload(t, 25000, &fee)

	// The customer level (a frontend after scanning) and the signed level.
	for _, who := range []as{customer, {partner: &p, sign: true}} {
		var out struct {
			DecodeQris qrisInfoData `json:"decodeQris"`
		}
		f.decodeQris(who, dynamic).decode(t, &out)
		d := out.DecodeQris
		if d.MerchantName != "WARUNG BU SRI" || d.MerchantCity != "JAKARTA" || deref(d.PostalCode) != "12345" ||
			deref(d.NMID) != "ID1020012345678" || d.MCC != "5812" || d.Currency != "360" || d.PointOfInitiation != "DYNAMIC" ||
			deref(d.Amount) != "25000" {
			t.Fatalf("decodeQris = %+v", d)
		}
		if d.TipRule == nil || d.TipRule.Kind != "FIXED" || deref(d.TipRule.Fee) != "1000" || d.TipRule.PercentBasisPoints != nil {
			t.Fatalf("tipRule = %+v", d.TipRule)
		}
		if len(d.Acquirers) != 1 || d.Acquirers[0].GlobalID != qris.QRISGlobalID ||
			deref(d.Acquirers[0].MerchantID) != "ID1020012345678" || d.Acquirers[0].MerchantPan != nil {
			t.Fatalf("acquirers = %+v", d.Acquirers)
		}
	}

	// Static with a percentage fee: no amount.
	percent, err := qris.PercentFee(250)
	if err != nil {
		t.Fatal(err)
	}
	var static struct {
		DecodeQris qrisInfoData `json:"decodeQris"`
	}
	f.decodeQris(customer, qrPayload(t, 0, &percent)).decode(t, &static)
	if d := static.DecodeQris; d.PointOfInitiation != "STATIC" || d.Amount != nil || d.TipRule == nil ||
		d.TipRule.Kind != "PERCENT" || d.TipRule.Fee != nil || d.TipRule.PercentBasisPoints == nil || *d.TipRule.PercentBasisPoints != 250 {
		t.Fatalf("static decodeQris = %+v (tipRule %+v)", d, d.TipRule)
	}
	var plain struct {
		DecodeQris qrisInfoData `json:"decodeQris"`
	}
	f.decodeQris(customer, qrPayload(t, 0, nil)).decode(t, &plain)
	if plain.DecodeQris.TipRule != nil {
		t.Fatalf("tipRule of a payload without one = %+v", plain.DecodeQris.TipRule)
	}

	// A bad payload is 71, saying what is wrong.
	if e := f.decodeQris(customer, brokenCRC(dynamic)).wantError(t, http.StatusOK, "QRIS_INVALID", 71); !strings.Contains(e.Message, "CRC") {
		t.Fatalf("message %q does not say what is wrong", e.Message)
	}
	f.decodeQris(customer, "000201").wantError(t, http.StatusOK, "QRIS_INVALID", 71)
	if e := f.decodeQris(customer, "").wantError(t, http.StatusOK, "INVALID_REQUEST", 10); !strings.Contains(e.Message, "payload") {
		t.Fatalf("message %q does not name payload", e.Message)
	}
	f.decodeQris(customer, strings.Repeat("0", 1025)).wantError(t, http.StatusOK, "INVALID_REQUEST", 10)

	// A frontend alone, and a CHANNEL, may not.
	f.decodeQris(as{partner: &p}, dynamic).wantError(t, http.StatusOK, "UNAUTHENTICATED", 20)
	f.decodeQris(as{partner: &bca, sign: true}, dynamic).wantError(t, http.StatusOK, "FORBIDDEN", 21)
}

func TestCustomerPaysQris(t *testing.T) {
	t.Parallel()
	f := newFixture(t, noFault)
	p := f.partner("ojek")
	bca := f.partnerAs("BCA", "CHANNEL")
	const mobile = "081234567862"
	customer := as{partner: &p, token: f.login(&p, mobile)}
	f.topUp(&bca, mobile, "100000", "BCA-Q1")
	dynamic := qrPayload(t, 25000, nil)
	rejected := qrPayload(t, 10999, nil)
	prompt := qris.PromptTip()
	static := qrPayload(t, 0, &prompt)

	// Refusals that take nothing.
	f.payQris(customer, map[string]any{"qrContent": dynamic, "amount": "20000"}).wantError(t, http.StatusOK, "INVALID_REQUEST", 10)
	f.payQris(customer, map[string]any{"qrContent": static}).wantError(t, http.StatusOK, "INVALID_REQUEST", 10)
	f.payQris(customer, map[string]any{"qrContent": dynamic, "tip": "1000"}).wantError(t, http.StatusOK, "INVALID_REQUEST", 10)
	if e := f.payQris(customer, map[string]any{"qrContent": brokenCRC(dynamic)}).wantError(t, http.StatusOK, "QRIS_INVALID", 71); !strings.Contains(e.Message, "CRC") {
		t.Fatalf("message %q does not say what is wrong", e.Message)
	}
	f.payQris(customer, map[string]any{"qrContent": qrPayload(t, 200000, nil)}).wantError(t, http.StatusOK, "INSUFFICIENT_BALANCE", 50)
	f.payQris(as{partner: &p}, map[string]any{"qrContent": dynamic}).wantError(t, http.StatusOK, "UNAUTHENTICATED", 20)
	if got := f.balance(customer); got != "100000" {
		t.Fatalf("balance after refusals = %s, want 100000", got)
	}

	// Dynamic: in process, the QR's amount held.
	f.syncClock(500 * time.Millisecond)
	r := f.payQris(customer, map[string]any{"qrContent": dynamic, "amount": "25000"}).qrisResult(t, "payQris")
	tx := r.Transaction
	if !r.InProcess || r.Account != "62812*****862" || r.Amount != "25000" || r.Price != "25000" || r.ServiceFee != "0" ||
		r.FlowType != "Async" || r.MerchantName != "WARUNG BU SRI" {
		t.Fatalf("payQris = %+v", r)
	}
	if tx.ReffID == "" || tx.Type != "QRIS_PAYMENT" || tx.Status != "PENDING" || tx.TotalAmount != "25000" ||
		deref(tx.Direction) != "OUT" || deref(tx.Counterparty) != "WARUNG BU SRI" {
		t.Fatalf("payQris transaction = %+v", tx)
	}
	wantWIB(t, tx.Date)
	if got := f.balance(customer); got != "75000" {
		t.Fatalf("available while in process = %s, want 75000", got)
	}

	// Static prompting for a tip: amount and tip from the request.
	tipped := f.payQris(customer, map[string]any{"qrContent": static, "amount": "10000", "tip": "2000"}).qrisResult(t, "payQris")
	if !tipped.InProcess || tipped.Amount != "12000" || tipped.Price != "10000" || tipped.Transaction.TotalAmount != "12000" {
		t.Fatalf("payQris with a tip = %+v", tipped)
	}

	// To be rejected by the acquirer: in process too, meanwhile.
	rej := f.payQris(customer, map[string]any{"qrContent": rejected}).qrisResult(t, "payQris")
	if !rej.InProcess || rej.Amount != "10999" {
		t.Fatalf("payQris = %+v", rej)
	}
	if got := f.balance(customer); got != "52001" { // 100000 − 25000 − 12000 − 10999
		t.Fatalf("available while in process = %s, want 52001", got)
	}
	if err := f.app.SettleBankTransfer(context.Background(), tx.ReffID); !errors.Is(err, app.ErrStillPending) {
		t.Fatalf("settling before the switch answered: %v, want ErrStillPending", err)
	}

	// The switch answers: paid, paid, rejected; the rejected total is back.
	f.settleAfterSwitch(tx.ReffID, tipped.Transaction.ReffID, rej.Transaction.ReffID)
	for id, want := range map[string]string{tx.ReffID: "SUCCESS", tipped.Transaction.ReffID: "SUCCESS", rej.Transaction.ReffID: "FAILED"} {
		if got := f.transaction(customer, id); got.Status != want || got.Type != "QRIS_PAYMENT" {
			t.Fatalf("transaction %s = %+v, want %s", id, got, want)
		}
	}
	if got := f.balance(customer); got != "63000" {
		t.Fatalf("balance after settlement = %s, want 63000", got)
	}

	// A switch that rejects at once: DESTINATION_REJECTED naming the
	// failed transaction, and nothing taken.
	f.syncClock(-time.Second)
	e := f.payQris(customer, map[string]any{"qrContent": rejected})
	e.wantError(t, http.StatusOK, "DESTINATION_REJECTED", 72)
	reffID, _ := e.extension(t, "reffId").(string)
	if reffID == "" {
		t.Fatalf("no reffId in the rejection: %s", e.raw)
	}
	if got := f.transaction(customer, reffID); got.Status != "FAILED" || got.Type != "QRIS_PAYMENT" {
		t.Fatalf("rejected transaction = %+v", got)
	}
	if got := f.balance(customer); got != "63000" {
		t.Fatalf("balance after the rejection = %s, want 63000", got)
	}

	// History filters by the new type.
	page := f.myTransactions(customer, map[string]any{"type": "QRIS_PAYMENT"})
	if len(page.Edges) != 4 {
		t.Fatalf("QRIS_PAYMENT history has %d payments, want 4: %+v", len(page.Edges), page)
	}
	for _, edge := range page.Edges {
		if edge.Node.Type != "QRIS_PAYMENT" || deref(edge.Node.Direction) != "OUT" {
			t.Fatalf("history node = %+v", edge.Node)
		}
	}
}

func TestSignedPartnerPaysQris(t *testing.T) {
	t.Parallel()
	f := newFixture(t, noFault)
	p := f.partner("ojek")
	other := f.partner("kurir")
	bca := f.partnerAs("BCA", "CHANNEL")
	const mobile = "081234567863"
	customer := as{partner: &p, token: f.login(&p, mobile)}
	f.topUp(&bca, mobile, "100000", "BCA-Q2")
	dynamic := qrPayload(t, 30000, nil)
	signed := as{partner: &p, sign: true, key: "qris-7"}
	send := func(who as) response {
		return f.post(who, qrisPaymentMut, map[string]any{"input": map[string]any{"mobileNumber": mobile, "qrContent": dynamic}})
	}

	send(customer).wantError(t, http.StatusOK, "UNAUTHENTICATED", 20)
	send(as{partner: &bca, sign: true}).wantError(t, http.StatusOK, "FORBIDDEN", 21)
	send(as{partner: &other, sign: true}).wantError(t, http.StatusOK, "FORBIDDEN", 21) // not bound

	f.syncClock(500 * time.Millisecond)
	r := send(signed).qrisResult(t, "qrisPayment")
	if !r.InProcess || r.Account != "62812*****863" || r.Amount != "30000" || r.Price != "30000" ||
		r.Transaction.Type != "QRIS_PAYMENT" || r.Transaction.Status != "PENDING" {
		t.Fatalf("qrisPayment = %+v", r)
	}
	// A retry with the same X-EXTERNAL-ID finds the payment.
	again := send(signed).qrisResult(t, "qrisPayment")
	if again.Transaction.ReffID != r.Transaction.ReffID {
		t.Fatalf("retry answered %s, want %s", again.Transaction.ReffID, r.Transaction.ReffID)
	}
	if got := f.balance(customer); got != "70000" {
		t.Fatalf("balance = %s, want 70000 (paid once)", got)
	}
	f.settleAfterSwitch(r.Transaction.ReffID)
	if got := f.transaction(as{partner: &p, sign: true}, r.Transaction.ReffID); got.Status != "SUCCESS" {
		t.Fatalf("transaction = %+v", got)
	}
	if got := f.balance(customer); got != "70000" {
		t.Fatalf("balance after settlement = %s, want 70000", got)
	}
}
