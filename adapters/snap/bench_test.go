package snap_test

import (
	"fmt"
	"testing"

	"github.com/dompet/wallet/internal/apptest"
	"github.com/dompet/wallet/internal/testdb"
)

// BenchmarkSNAP measures signed SNAP calls end to end (HTTP, token and
// HMAC check, idempotency claim, use case, stored answer) on PostgreSQL,
// one client at a time.
func BenchmarkSNAP(b *testing.B) {
	s := newStack(b, testdb.Postgres(b))
	p, ch := s.client(b, "PARTNER"), s.client(b, "CHANNEL")
	mobile := s.customer(b, p.p)
	s.verify(b, p.p, mobile)
	for range 10 {
		s.topUp(b, ch, mobile, 2_000_000)
	}
	b.Run("balance-inquiry", func(b *testing.B) {
		for b.Loop() {
			if r := p.call("balance-inquiry", `{"accountNo":"`+mobile+`"}`); r.Status != 200 {
				b.Fatalf("%s", r.Raw)
			}
		}
	})
	b.Run("debit-payment", func(b *testing.B) {
		for b.Loop() {
			body := fmt.Sprintf(`{"partnerReferenceNo":"B%d","customerNumber":"%s","amount":{"value":"1.00","currency":"IDR"}}`, s.seq(), mobile)
			if r := p.call("debit/payment-host-to-host", body); r.Status != 200 {
				b.Fatalf("%s", r.Raw)
			}
		}
	})
}

// BenchmarkLegacyInquiry is the legacy door's inquiry on the same stack,
// for comparison.
func BenchmarkLegacyInquiry(b *testing.B) {
	s := newStack(b, testdb.Postgres(b))
	p := s.client(b, "PARTNER")
	mobile := s.customer(b, p.p)
	for b.Loop() {
		if r := s.Do(apptestReq(p, "/customer-account-inquiry/?mobileNumber="+mobile)); r.Status != 200 {
			b.Fatalf("%s", r.Raw)
		}
	}
}

// BenchmarkLegacyPayment is the legacy door's payment on the same stack,
// for comparison with debit-payment.
func BenchmarkLegacyPayment(b *testing.B) {
	s := newStack(b, testdb.Postgres(b))
	p, ch := s.client(b, "PARTNER"), s.client(b, "CHANNEL")
	mobile := s.customer(b, p.p)
	s.topUp(b, ch, mobile, 1_000_000)
	for b.Loop() {
		n := s.seq()
		r := s.Do(apptest.Request{Method: "POST", Path: "/wallet-payment/", PartnerID: p.p.ID(), Secret: p.secret,
			ExternalID: fmt.Sprintf("L%d", n), Body: fmt.Sprintf(`{"mobileNumber":"%s","amount":"1","orderId":"L%d"}`, mobile, n)})
		if r.Status != 200 {
			b.Fatalf("%s", r.Raw)
		}
	}
}
