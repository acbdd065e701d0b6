package snap_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/adapters/webhook"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/internal/testdb"
)

// TestSNAPWebhooks: a pending transfer's result is pushed to a SNAP
// partner in SNAP's notify shape, signed like every webhook, and is read
// back with transfer/status.
func TestSNAPWebhooks(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *bunstore.DB) {
		ctx := context.Background()
		s := newStack(t, db)
		var mu sync.Mutex
		var bodies [][]byte
		var headers []http.Header
		recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			bodies, headers = append(bodies, b), append(headers, r.Header.Clone())
			mu.Unlock()
		}))
		defer recv.Close()
		p, ch, gw := s.client(t, "PARTNER"), s.client(t, "CHANNEL"), s.client(t, "CHANNEL")
		if err := gw.p.SetBankGateway(true); err != nil { // the gateway's callback settles the transfer
			t.Fatal(err)
		}
		if _, err := s.App.SetCallbackURL(ctx, p.p.ID(), recv.URL+"/snap/notify"); err != nil {
			t.Fatal(err)
		}
		mobile := s.customer(t, p.p)
		s.topUp(t, ch, mobile, 100000)
		s.verify(t, p.p, mobile)
		ref := fmt.Sprintf("WH-%d", s.seq())
		r := p.call("emoney/transfer-bank", `{"partnerReferenceNo":"`+ref+`","customerNumber":"`+mobile+
			`","beneficiaryAccountNumber":"1234569999","beneficiaryBankCode":"014","amount":`+money(20000)+`}`)
		expect(t, r, "2024300")
		reff := r.str("referenceNo")
		if _, err := s.App.ApplyBankCallback(ctx, app.BankCallback{Partner: gw.p, ReffID: reff, Status: "SUCCESS"}); err != nil {
			t.Fatal(err)
		}
		r = p.call("transfer/status", `{"originalPartnerReferenceNo":"`+ref+`"}`)
		if r.str("latestTransactionStatus") != "00" {
			t.Fatalf("status after settlement: %s", r.Raw)
		}

		events, err := s.App.Deliveries(ctx, p.p.ID(), "", 100)
		if err != nil {
			t.Fatal(err)
		}
		slices.Reverse(events) // oldest first, the delivery order
		hooks := app.NewWebhooks(s.App, webhook.NewSenderWithTimeout(5*time.Second))
		for _, e := range events {
			if e.ReffID == reff {
				if err := hooks.Deliver(ctx, e.ID, false); err != nil {
					t.Fatal(err)
				}
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if len(bodies) != 2 {
			t.Fatalf("%d deliveries: %s", len(bodies), bodies)
		}
		for i, want := range []string{"03", "00"} {
			var n struct {
				OriginalPartnerReferenceNo, OriginalReferenceNo, LatestTransactionStatus string
				Amount                                                                   struct{ Value, Currency string }
			}
			if err := json.Unmarshal(bodies[i], &n); err != nil {
				t.Fatal(err)
			}
			if n.LatestTransactionStatus != want || n.OriginalPartnerReferenceNo != ref || n.OriginalReferenceNo != reff ||
				n.Amount.Value != "20000.00" || n.Amount.Currency != "IDR" {
				t.Errorf("notify %d: %s", i, bodies[i])
			}
			h := headers[i]
			if err := partner.Verify([]byte(p.secret), "POST", "/snap/notify", bodies[i], h.Get("X-TIMESTAMP"), h.Get("X-SIGNATURE"), time.Now()); err != nil {
				t.Errorf("notify %d signature: %v", i, err)
			}
		}
	})
}
