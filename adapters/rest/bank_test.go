package rest_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/internal/apptest"
	"github.com/dompet/wallet/internal/testdb"
)

func TestBankTransfer(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *bunstore.DB) {
		s := apptest.New(t, db, nil)
		c := newClient(s, "PARTNER")
		bank := newClient(s, "CHANNEL")
		gid, gsecret := s.PartnerWith(app.NewPartner{Name: "Bank gateway", Role: "CHANNEL", BankGateway: true})
		gateway := &client{s: s, id: gid, secret: gsecret}
		otherChannel := newClient(s, "CHANNEL")
		register(t, c, "081300000061")
		expect(t, topUpVA(t, bank, "081300000061", 1_000_000, "BT-1"), 200, 0)
		send := func(account string, amount int) apptest.Response {
			return c.post("/bank-transfer/", fmt.Sprintf(`{"mobileNumber":"081300000061","bankCode":"014","bankAccount":%q,"amount":"%d","description":"rent"}`, account, amount))
		}

		expect(t, send("1234567890", 100000), 403, 52) // unverified
		submitAndApprove(t, c, "081300000061")

		// Refusals that debit nothing.
		expect(t, c.post("/bank-transfer/", `{"mobileNumber":"081300000061","bankCode":"999","bankAccount":"1234567890","amount":"100000"}`), 422, 70)
		expect(t, send("1234560000", 100000), 422, 70)
		expect(t, send("1234566666", 100000), 503, 90)
		expect(t, send("1234567890", 9999), 422, 51)
		expect(t, send("1234567890", 25_000_001), 422, 51)
		expect(t, send("1234567890", 1_000_000), 422, 50) // 1,000,000 + 2,500 fee > balance
		expect(t, c.post("/bank-transfer/", `{"mobileNumber":"081300000061","bankCode":"014","bankAccount":"12ab","amount":"100000"}`), 400, 10)
		if got := balance(t, c, "081300000061"); got != "1000000" {
			t.Fatalf("balance after refusals %s", got)
		}

		// Immediate success: amount + fee captured, every documented field.
		r := send("1234567890", 100000)
		expect(t, r, 200, 0)
		d := r.Env.Data
		for k, v := range map[string]any{"bankAccount": "1234567890", "bankName": "Bank Central Asia (BCA)", "serviceFee": "2500",
			"amount": "100000", "totalAmount": "102500", "balanceBefore": "1000000", "balanceAfter": "897500", "status": "SUCCESS"} {
			if d[k] != v {
				t.Errorf("%s = %v, want %v", k, d[k], v)
			}
		}
		if d["bankAccountName"] == "" || d["date"] == "" || r.Env.ResponseID != d["reffId"] {
			t.Fatalf("bank transfer: %s", r.Raw)
		}

		// Rejected at once: 72, money back.
		r = send("1234567777", 100000)
		expect(t, r, 422, 72)
		if r.Env.Data["status"] != "FAILED" || balance(t, c, "081300000061") != "897500" {
			t.Fatalf("rejected transfer: %s", r.Raw)
		}
		expect(t, c.get("/transaction-status/?reffId="+r.Env.ResponseID), 200, 0)

		// Pending, then settled by the job: held meanwhile.
		r = send("1234569999", 50000)
		expect(t, r, 202, 1)
		pending := r.Env.ResponseID
		if r.Env.Message != "In Process" || balance(t, c, "081300000061") != "845000" {
			t.Fatalf("pending: %s (available %s)", r.Raw, balance(t, c, "081300000061"))
		}
		time.Sleep(apptest.SimDelay)
		if err := s.App.SettleBankTransfer(context.Background(), pending); err != nil {
			t.Fatal(err)
		}
		st := c.get("/transaction-status/?reffId=" + pending)
		if st.Env.Data["status"] != "SUCCESS" || balance(t, c, "081300000061") != "845000" {
			t.Fatalf("settled: %s", st.Raw)
		}

		// Pending, then failed: the callback arrives twice while a poll
		// races it; amount and fee come back exactly once.
		r = send("1234568888", 40000)
		expect(t, r, 202, 1)
		failing := r.Env.ResponseID
		if got := balance(t, c, "081300000061"); got != "802500" {
			t.Fatalf("held: %s", got)
		}
		time.Sleep(apptest.SimDelay)
		var wg sync.WaitGroup
		for i := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if i == 2 {
					if err := s.App.SettleBankTransfer(context.Background(), failing); err != nil {
						t.Error(err)
					}
					return
				}
				cb := gateway.post("/callbacks/bank-transfer/", fmt.Sprintf(`{"reffId":%q,"status":"FAILED","reason":"account closed"}`, failing))
				if cb.Env.Code != 0 || cb.Env.Data["status"] != "FAILED" {
					t.Errorf("callback: %s", cb.Raw)
				}
			}()
		}
		wg.Wait()
		if got := balance(t, c, "081300000061"); got != "845000" {
			t.Fatalf("after failure: %s, want 845000", got)
		}
		// A late SUCCESS callback for a failed transfer changes nothing.
		expect(t, gateway.post("/callbacks/bank-transfer/", fmt.Sprintf(`{"reffId":%q,"status":"SUCCESS"}`, failing)), 200, 0)
		expect(t, c.post("/callbacks/bank-transfer/", fmt.Sprintf(`{"reffId":%q,"status":"SUCCESS"}`, failing)), 403, 21)
		// Another channel (a retail chain) may not report transfer results.
		expect(t, otherChannel.post("/callbacks/bank-transfer/", fmt.Sprintf(`{"reffId":%q,"status":"SUCCESS"}`, failing)), 403, 21)
		expect(t, gateway.post("/callbacks/bank-transfer/", `{"reffId":"nope","status":"SUCCESS"}`), 404, 30)
		if got := balance(t, c, "081300000061"); got != "845000" {
			t.Fatalf("after late callback: %s", got)
		}

		r = c.get("/banks/")
		expect(t, r, 200, 0)
		if n := len(r.Env.Data["banks"].([]any)); n < 9 {
			t.Fatalf("%d banks", n)
		}
		audit(t, s)
	})
}
