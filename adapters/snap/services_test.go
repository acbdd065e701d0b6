package snap_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/domain/qris"
	"github.com/dompet/wallet/internal/testdb"
)

func TestSNAPServices(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *bunstore.DB) {
		s := newStack(t, db)
		for name, fn := range map[string]func(*testing.T, *stack){
			"virtual account":  virtualAccount,
			"debit and refund": debitAndRefund,
			"transfer to bank": transferToBank,
			"cash-out":         cashOut,
			"qris":             qrisFlow,
			"history":          history,
		} {
			t.Run(name, func(t *testing.T) { t.Parallel(); fn(t, s) })
		}
	})
}

func money(v int64) string { return fmt.Sprintf(`{"value":"%d.00","currency":"IDR"}`, v) }

func virtualAccount(t *testing.T, s *stack) {
	p, bank := s.client(t, "PARTNER"), s.client(t, "CHANNEL")
	mobile := s.customer(t, p.p)
	va := func(extra string) string {
		return `{"partnerServiceId":"   39358","customerNo":"` + mobile + `","virtualAccountNo":"   39358` + mobile + `"` + extra + `}`
	}
	r := bank.call("transfer-va/inquiry", va(`,"inquiryRequestId":"INQ-1","amount":`+money(100000)))
	expect(t, r, "2002400")
	if r.at("virtualAccountData.virtualAccountName") != "Budi Santoso" || r.at("virtualAccountData.totalAmount.value") != "100000.00" ||
		r.at("virtualAccountData.inquiryRequestId") != "INQ-1" {
		t.Fatalf("va inquiry: %s", r.Raw)
	}
	expect(t, bank.call("transfer-va/inquiry", `{"partnerServiceId":"   39358","customerNo":"081399999997","virtualAccountNo":"   39358081399999997","inquiryRequestId":"x"}`), "4042411")
	expect(t, bank.call("transfer-va/inquiry", `{"partnerServiceId":"   99999","customerNo":"`+mobile+`","virtualAccountNo":"   99999`+mobile+`","inquiryRequestId":"x"}`), "4042412")
	expect(t, bank.call("transfer-va/inquiry", `{"partnerServiceId":"   39358","customerNo":"`+mobile+`","virtualAccountNo":"   393580812","inquiryRequestId":"x"}`), "4002401")
	expect(t, bank.call("transfer-va/inquiry", va(``)), "4002402")
	expect(t, p.call("transfer-va/inquiry", va(`,"inquiryRequestId":"INQ-2"`)), "4032401")

	payID := fmt.Sprintf("PAY-%d", s.seq())
	body := va(`,"paymentRequestId":"` + payID + `","paidAmount":` + money(100000) + `,"trxDateTime":"2026-12-03T10:00:00+07:00"`)
	r = bank.call("transfer-va/payment", body)
	expect(t, r, "2002500")
	reff, _ := r.at("virtualAccountData.additionalInfo.referenceNo").(string)
	if reff == "" || r.at("virtualAccountData.paidAmount.value") != "100000.00" || r.at("virtualAccountData.paymentFlagStatus") != "00" {
		t.Fatalf("va payment: %s", r.Raw)
	}
	expect(t, bank.call("transfer-va/payment", body), "4092501")
	expect(t, bank.call("transfer-va/payment", va(`,"paymentRequestId":"P2","paidAmount":`+money(1950000))), "4032502")
	expect(t, bank.call("transfer-va/payment", va(`,"paymentRequestId":"P3","paidAmount":{"value":"5.5","currency":"IDR"}`)), "4002501")
	expect(t, bank.call("transfer-va/payment", va(`,"paymentRequestId":"P4"`)), "4002502")

	r = bank.call("transfer-va/status", va(`,"inquiryRequestId":"INQ-1","paymentRequestId":"`+payID+`"`))
	expect(t, r, "2002600")
	if r.at("virtualAccountData.paymentFlagStatus") != "00" || r.at("virtualAccountData.additionalInfo.referenceNo") != reff {
		t.Fatalf("va status: %s", r.Raw)
	}
	expect(t, bank.call("transfer-va/status", va(`,"paymentRequestId":"nope"`)), "4042601")
	expect(t, s.client(t, "CHANNEL").call("transfer-va/status", va(`,"paymentRequestId":"`+payID+`"`)), "4042601")
	// Read through topup-status (39) too.
	r = bank.call("emoney/topup-status", `{"originalPartnerReferenceNo":"`+payID+`"}`)
	expect(t, r, "2003900")
	if r.str("serviceCode") != "25" || r.at("amount.value") != "100000.00" {
		t.Fatalf("topup-status of a VA payment: %s", r.Raw)
	}
}

func debitAndRefund(t *testing.T, s *stack) {
	p, other, ch := s.client(t, "PARTNER"), s.client(t, "PARTNER"), s.client(t, "CHANNEL")
	mobile := s.customer(t, p.p)
	s.topUp(t, ch, mobile, 100000)
	order := fmt.Sprintf("ORD-%d", s.seq())
	body := `{"partnerReferenceNo":"` + order + `","customerNumber":"` + mobile + `","merchantId":"M1","amount":` + money(30000) + `,"additionalInfo":{"remark":"Nasi goreng"}}`
	r := p.call("debit/payment-host-to-host", body)
	expect(t, r, "2005400")
	reff := r.str("referenceNo")
	if reff == "" || r.str("partnerReferenceNo") != order || r.str("approvalCode") == "" || r.at("amount.value") != "30000.00" {
		t.Fatalf("payment: %s", r.Raw)
	}
	expect(t, p.call("debit/payment-host-to-host", body), "4095401")
	expect(t, p.call("debit/payment-host-to-host", strings.Replace(body, "30000.00", "1000.00", 1)), "4095401")
	expect(t, p.call("debit/payment-host-to-host", strings.NewReplacer(order, order+"B", "30000.00", "500000.00").Replace(body)), "4035414")
	expect(t, p.call("debit/payment-host-to-host", strings.NewReplacer(order, order+"C", "30000.00", "30000000.00").Replace(body)), "4035402")
	expect(t, other.call("debit/payment-host-to-host", strings.Replace(body, order, order+"D", 1)), "4035401")
	expect(t, ch.call("debit/payment-host-to-host", strings.Replace(body, order, order+"E", 1)), "4035401")
	expect(t, p.call("debit/payment-host-to-host", `{"customerNumber":"`+mobile+`","amount":`+money(1)+`}`), "4005402")

	r = p.call("debit/status", `{"originalPartnerReferenceNo":"`+order+`","serviceCode":"54"}`)
	expect(t, r, "2005500")
	if r.str("latestTransactionStatus") != "00" || r.str("originalReferenceNo") != reff {
		t.Fatalf("status: %s", r.Raw)
	}
	expect(t, other.call("debit/status", `{"originalReferenceNo":"`+reff+`"}`), "4045501")

	refund := func(no string, amount int64) resp {
		return p.call("debit/refund", `{"originalPartnerReferenceNo":"`+order+`","partnerRefundNo":"`+no+`","refundAmount":`+money(amount)+`,"reason":"item missing"}`)
	}
	rf := order + "-RF1"
	r = refund(rf, 10000)
	expect(t, r, "2005800")
	if r.str("refundNo") == "" || r.str("originalReferenceNo") != reff || r.at("refundAmount.value") != "10000.00" {
		t.Fatalf("refund: %s", r.Raw)
	}
	expect(t, refund(rf, 10000), "4095801")
	expect(t, refund(order+"-RF2", 25000), "4045813")
	expect(t, p.call("debit/refund", `{"originalPartnerReferenceNo":"nope","partnerRefundNo":"x","refundAmount":`+money(1)+`}`), "4045801")
	expect(t, other.call("debit/refund", `{"originalReferenceNo":"`+reff+`","partnerRefundNo":"y","refundAmount":`+money(1)+`}`), "4045801")
	r = p.call("debit/refund", `{"originalReferenceNo":"`+reff+`","partnerRefundNo":"`+order+`-RF3","refundAmount":`+money(20000)+`}`)
	expect(t, r, "2005800")
	r = p.call("debit/status", `{"originalReferenceNo":"`+reff+`"}`)
	if r.str("latestTransactionStatus") != "04" {
		t.Fatalf("fully refunded payment status: %s", r.Raw)
	}
	bal := p.call("balance-inquiry", `{"accountNo":"`+mobile+`"}`)
	if !strings.Contains(string(bal.Raw), `"amount":{"value":"100000.00"`) {
		t.Fatalf("balance after payment and refunds: %s", bal.Raw)
	}
}

func transferToBank(t *testing.T, s *stack) {
	p, ch := s.client(t, "PARTNER"), s.client(t, "CHANNEL")
	mobile := s.customer(t, p.p)
	s.topUp(t, ch, mobile, 200000)
	inq := func(account string) resp {
		return p.call("emoney/bank-account-inquiry", `{"customerNumber":"`+mobile+`","beneficiaryAccountNumber":"`+account+`","beneficiaryBankCode":"014","amount":`+money(50000)+`}`)
	}
	r := inq("1234567890")
	expect(t, r, "2004200")
	if r.str("beneficiaryAccountName") == "" || r.str("beneficiaryBankName") == "" {
		t.Fatalf("bank inquiry: %s", r.Raw)
	}
	expect(t, inq("1234560000"), "4044211")
	expect(t, inq("1234566666"), "5004202")
	expect(t, s.client(t, "PARTNER").call("emoney/bank-account-inquiry", `{"customerNumber":"`+mobile+`","beneficiaryAccountNumber":"1234567890","beneficiaryBankCode":"014"}`), "4034201")

	tb := func(ref, account string, amount int64) resp {
		return p.call("emoney/transfer-bank", `{"partnerReferenceNo":"`+ref+`","customerNumber":"`+mobile+`","beneficiaryAccountNumber":"`+account+`","beneficiaryBankCode":"014","amount":`+money(amount)+`}`)
	}
	ref := fmt.Sprintf("TB-%d", s.seq())
	// Unverified customers may not send money out.
	expect(t, tb(ref+"K", "1234567890", 50000), "4034315")
	s.verify(t, p.p, mobile)
	r = tb(ref, "1234567890", 50000)
	expect(t, r, "2004300")
	if r.at("feeAmount.value") != "2500.00" || r.str("referenceNo") == "" {
		t.Fatalf("transfer: %s", r.Raw)
	}
	expect(t, tb(ref, "1234567890", 50000), "4094301")
	expect(t, tb(ref+"R", "1234567777", 20000), "4034305")
	expect(t, tb(ref+"I", "1234567890", 500000), "4034314")
	expect(t, tb(ref+"L", "1234567890", 5000), "4034302")
	r = tb(ref+"P", "1234569999", 20000)
	expect(t, r, "2024300")
	pending := r.str("referenceNo")
	r = p.call("transfer/status", `{"originalPartnerReferenceNo":"`+ref+`P"}`)
	expect(t, r, "2003600")
	if r.str("latestTransactionStatus") != "03" || r.str("originalReferenceNo") != pending {
		t.Fatalf("pending status: %s", r.Raw)
	}
	r = p.call("transfer/status", `{"originalPartnerReferenceNo":"`+ref+`R"}`)
	if r.str("latestTransactionStatus") != "06" {
		t.Fatalf("rejected status: %s", r.Raw)
	}
	// A top-up is not a transfer.
	expect(t, p.call("transfer/status", `{"originalPartnerReferenceNo":"nope"}`), "4043601")
}

func cashOut(t *testing.T, s *stack) {
	p, ch := s.client(t, "PARTNER"), s.client(t, "CHANNEL")
	mobile := s.customer(t, p.p)
	s.topUp(t, ch, mobile, 300000)
	co := func(ref string, amount int64) resp {
		return p.call("emoney/otc-cashout", `{"partnerReferenceNo":"`+ref+`","customerNumber":"`+mobile+`","amount":`+money(amount)+`}`)
	}
	ref := fmt.Sprintf("CO-%d", s.seq())
	expect(t, co(ref+"K", 50000), "4034415")
	s.verify(t, p.p, mobile)
	r := co(ref, 100000)
	expect(t, r, "2004400")
	code, _ := r.at("additionalInfo.cashOutCode").(string)
	if len(code) != 12 || r.str("referenceNo") == "" {
		t.Fatalf("cash-out: %s", r.Raw)
	}
	reff := r.str("referenceNo")
	expect(t, co(ref, 100000), "4094401")
	expect(t, co(ref+"M", 75000), "4034402")
	r = p.call("emoney/otc-status", `{"originalPartnerReferenceNo":"`+ref+`"}`)
	expect(t, r, "2004500")
	if r.str("latestTransactionStatus") != "03" {
		t.Fatalf("otc status: %s", r.Raw)
	}
	bal := p.call("balance-inquiry", `{"accountNo":"`+mobile+`"}`)
	if !strings.Contains(string(bal.Raw), `"holdAmount":{"value":"100000.00"`) {
		t.Fatalf("held balance: %s", bal.Raw)
	}
	r = p.call("emoney/otc-cancel", `{"originalPartnerReferenceNo":"`+ref+`","reason":"changed mind"}`)
	expect(t, r, "2004600")
	if r.str("originalReferenceNo") != reff || r.str("cancelTime") == "" {
		t.Fatalf("cancel: %s", r.Raw)
	}
	expect(t, p.call("emoney/otc-cancel", `{"originalReferenceNo":"`+reff+`"}`), "4044600")
	expect(t, p.call("emoney/otc-cancel", `{"originalReferenceNo":"nope"}`), "4044601")
	r = p.call("emoney/otc-status", `{"originalReferenceNo":"`+reff+`"}`)
	if r.str("latestTransactionStatus") != "05" {
		t.Fatalf("cancelled status: %s", r.Raw)
	}
}

func buildQR(t *testing.T, amount int64) string {
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
	payload, err := b.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return payload
}

func qrisFlow(t *testing.T, s *stack) {
	p, ch := s.client(t, "PARTNER"), s.client(t, "CHANNEL")
	mobile := s.customer(t, p.p)
	s.topUp(t, ch, mobile, 100000)
	dynamic, static := buildQR(t, 25000), buildQR(t, 0)
	r := p.call("qr/qr-mpm-decode", `{"qrContent":"`+dynamic+`","scanTime":"2026-12-03T10:00:00+07:00"}`)
	expect(t, r, "2004800")
	if r.str("merchantName") != "WARUNG BU SRI" || r.str("merchantId") != "ID1020012345678" || r.at("transactionAmount.value") != "25000.00" {
		t.Fatalf("decode: %s", r.Raw)
	}
	r = p.call("qr/qr-mpm-decode", `{"qrContent":"000201"}`)
	expect(t, r, "4004801")
	if !strings.Contains(r.str("responseMessage"), "qrContent") {
		t.Fatalf("bad QR message: %s", r.Raw)
	}
	expect(t, ch.call("qr/qr-mpm-decode", `{"qrContent":"`+dynamic+`"}`), "4034801")

	pay := func(ref, qr string, amount int64) resp {
		return p.call("qr/qr-mpm-payment", `{"partnerReferenceNo":"`+ref+`","customerNumber":"`+mobile+`","qrContent":"`+qr+`","amount":`+money(amount)+`}`)
	}
	ref := fmt.Sprintf("QR-%d", s.seq())
	r = pay(ref, dynamic, 25000)
	expect(t, r, "2025000")
	reff := r.str("referenceNo")
	expect(t, pay(ref, dynamic, 25000), "4095001")
	expect(t, pay(ref+"X", dynamic, 26000), "4005001")
	expect(t, pay(ref+"Y", static, 200000), "4035014")
	r = p.call("qr/qr-mpm-query", `{"originalPartnerReferenceNo":"`+ref+`"}`)
	expect(t, r, "2005100")
	if r.str("originalReferenceNo") != reff || r.str("latestTransactionStatus") != "03" {
		t.Fatalf("query: %s", r.Raw)
	}
	expect(t, p.call("qr/qr-mpm-query", `{"originalReferenceNo":"nope"}`), "4045101")
}

func history(t *testing.T, s *stack) {
	p, ch := s.client(t, "PARTNER"), s.client(t, "CHANNEL")
	mobile := s.customer(t, p.p)
	for range 3 {
		s.topUp(t, ch, mobile, 10000)
	}
	order := fmt.Sprintf("H-%d", s.seq())
	expect(t, p.call("debit/payment-host-to-host", `{"partnerReferenceNo":"`+order+`","customerNumber":"`+mobile+`","amount":`+money(5000)+`}`), "2005400")
	r := p.call("transaction-history-list", `{"customerNumber":"`+mobile+`","pageSize":3,"pageNumber":1}`)
	expect(t, r, "2001200")
	items, _ := r.M["detailData"].([]any)
	if len(items) != 3 {
		t.Fatalf("page 1: %s", r.Raw)
	}
	first := items[0].(map[string]any)
	if first["type"] != "WALLET_PAYMENT" || first["partnerReferenceNo"] != order || first["status"] != "Success" {
		t.Fatalf("newest item: %v", first)
	}
	r = p.call("transaction-history-list", `{"customerNumber":"`+mobile+`","pageSize":3,"pageNumber":2}`)
	expect(t, r, "2001200")
	if items, _ := r.M["detailData"].([]any); len(items) != 1 {
		t.Fatalf("page 2: %s", r.Raw)
	}
	r = p.call("transaction-history-list", `{"customerNumber":"`+mobile+`","pageSize":3,"pageNumber":3}`)
	if items, _ := r.M["detailData"].([]any); len(items) != 0 {
		t.Fatalf("page 3: %s", r.Raw)
	}
	future := time.Now().Add(time.Hour).Format(time.RFC3339)
	r = p.call("transaction-history-list", `{"customerNumber":"`+mobile+`","fromDateTime":"`+future+`"}`)
	if items, _ := r.M["detailData"].([]any); len(items) != 0 {
		t.Fatalf("from the future: %s", r.Raw)
	}
	expect(t, p.call("transaction-history-list", `{"customerNumber":"`+mobile+`","fromDateTime":"yesterday"}`), "4001201")
	expect(t, p.call("transaction-history-list", `{"customerNumber":"`+mobile+`","pageSize":500}`), "4001201")
	expect(t, p.call("transaction-history-list", `{}`), "4001202")
	expect(t, s.client(t, "PARTNER").call("transaction-history-list", `{"customerNumber":"`+mobile+`"}`), "4031201")

	r = p.call("transaction-history-detail", `{"originalPartnerReferenceNo":"`+order+`"}`)
	expect(t, r, "2001300")
	if r.str("type") != "WALLET_PAYMENT" || r.at("amount.value") != "5000.00" || r.str("dateTime") == "" {
		t.Fatalf("detail: %s", r.Raw)
	}
	expect(t, p.call("transaction-history-detail", `{"originalPartnerReferenceNo":"nope"}`), "4041301")
	expect(t, p.call("transaction-history-detail", `{}`), "4001302")
}
