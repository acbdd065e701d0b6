package rest_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/internal/apptest"
	"github.com/dompet/wallet/internal/testdb"
)

// national turns 0812… into the canonical 62812….
func canonical(mobile string) string { return "62" + strings.TrimPrefix(mobile, "0") }

func topUpVA(t *testing.T, ch *client, mobile string, amount int, ref string) apptest.Response {
	t.Helper()
	return ch.post("/topup/va/payment/", fmt.Sprintf(`{"vaNumber":"39358%s","amount":"%d","bankReference":%q}`, mobile, amount, ref))
}

func verify(t *testing.T, s *apptest.Stack, mobile string) {
	t.Helper()
	if _, err := s.App.DecideKYC(context.Background(), mobile, true, ""); err != nil {
		t.Fatalf("approve KYC of %s: %v", mobile, err)
	}
}

func submitAndApprove(t *testing.T, c *client, mobile string) {
	t.Helper()
	r := c.post("/kyc/", fmt.Sprintf(`{"mobileNumber":%q,"nik":"3273011708900001","fullName":"Budi Santoso","birthDate":"1990-08-17"}`, mobile))
	expect(t, r, 200, 0)
	if r.Env.Data["kycStatus"] != "PENDING" || r.Env.Data["nik"] != "************0001" {
		t.Fatalf("kyc: %s", r.Raw)
	}
	verify(t, c.s, mobile)
}

func audit(t *testing.T, s *apptest.Stack) {
	t.Helper()
	rep, err := s.DB.Audit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("ledger does not reconcile: %v", rep.Problems)
	}
}

func balance(t *testing.T, c *client, mobile string) string {
	t.Helper()
	r := c.get("/customer-account-inquiry/?mobileNumber=" + mobile)
	expect(t, r, 200, 0)
	return r.Env.Data["balance"].(map[string]any)["availableBalance"].(string)
}

func TestMoney(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *bunstore.DB) {
		s := apptest.New(t, db, nil)
		t.Run("top-up, payment, refund, history", func(t *testing.T) { t.Parallel(); moneyFlow(t, s) })
		t.Run("p2p needs a verified sender and respects the receiver's cap", func(t *testing.T) { t.Parallel(); p2pFlow(t, s) })
		t.Run("concurrent payments never overdraw", func(t *testing.T) { t.Parallel(); paymentRace(t, s) })
		t.Run("concurrent top-ups never pass the cap", func(t *testing.T) { t.Parallel(); topUpRace(t, s) })
		t.Run("replayed channel notifications credit once", func(t *testing.T) { t.Parallel(); notificationReplay(t, s) })
		t.Run("a retry whose stored answer was lost moves nothing twice", func(t *testing.T) { t.Parallel(); lostAnswer(t, s) })
	})
}

func moneyFlow(t *testing.T, s *apptest.Stack) {
	c := newClient(s, "PARTNER")
	bank := newClient(s, "CHANNEL")
	store := newClient(s, "CHANNEL")
	register(t, c, "081300000001")

	// Virtual accounts: prefix + 08… number.
	r := c.get("/virtual-accounts/?mobileNumber=081300000001")
	expect(t, r, 200, 0)
	if !strings.Contains(string(r.Raw), `"vaNumber":"39358081300000001"`) || !strings.Contains(string(r.Raw), `"bankCode":"014"`) {
		t.Fatalf("virtual accounts: %s", r.Raw)
	}
	expect(t, bank.get("/virtual-accounts/?mobileNumber=081300000001"), 403, 21)

	// VA inquiry and its refusals.
	r = bank.post("/topup/va/inquiry/", `{"vaNumber":"39358081300000001","amount":100000}`)
	expect(t, r, 200, 0)
	if r.Env.Data["customerName"] != "Budi Santoso" || r.Env.Data["maxAmount"] != "2000000" || r.Env.Data["bankName"] != "Bank Central Asia (BCA)" {
		t.Fatalf("va inquiry: %s", r.Raw)
	}
	expect(t, bank.post("/topup/va/inquiry/", `{"vaNumber":"39358081399999999"}`), 404, 30)
	expect(t, bank.post("/topup/va/inquiry/", `{"vaNumber":"12345081300000001"}`), 404, 30)
	expect(t, bank.post("/topup/va/inquiry/", `{"vaNumber":"39358081300000001","amount":"2000001"}`), 422, 51)
	expect(t, c.post("/topup/va/inquiry/", `{"vaNumber":"39358081300000001"}`), 403, 21)
	expect(t, bank.post("/topup/va/payment/", `{"vaNumber":"39358081300000001","amount":1.5,"bankReference":"x"}`), 400, 10)
	expect(t, bank.post("/topup/va/payment/", `{"vaNumber":"39358081300000001","amount":-5,"bankReference":"x"}`), 400, 10)
	expect(t, bank.post("/topup/va/payment/", `{"vaNumber":"39358081300000001","amount":"1e5","bankReference":"x"}`), 400, 10)
	expect(t, bank.post("/topup/va/payment/", `{"vaNumber":"39358081300000001","amount":5000,"bankReference":"x"}`), 422, 51)

	// VA payment credits; the responseId is the reffId.
	r = topUpVA(t, bank, "081300000001", 500000, "BCA-0001")
	expect(t, r, 200, 0)
	if r.Env.ResponseID != r.Env.Data["reffId"] || r.Env.Data["amount"] != "500000" || r.Env.Data["status"] != "SUCCESS" {
		t.Fatalf("va payment: %s", r.Raw)
	}
	topUpRef := r.Env.ResponseID
	// Retail: the store collects amount + fee.
	r = store.post("/topup/retail/inquiry/", `{"mobileNumber":"081300000001","amount":"100000"}`)
	expect(t, r, 200, 0)
	if r.Env.Data["fee"] != "2500" || r.Env.Data["totalAmount"] != "102500" {
		t.Fatalf("retail inquiry: %s", r.Raw)
	}
	r = store.post("/topup/retail/payment/", `{"mobileNumber":"081300000001","amount":"100000","storeReference":"ALFA-1"}`)
	expect(t, r, 200, 0)
	if got := balance(t, c, "081300000001"); got != "600000" {
		t.Fatalf("balance after top-ups = %s", got)
	}

	// Payment, its refusals, and the /bank-transfer/ alias.
	r = c.post("/wallet-payment/", `{"mobileNumber":"081300000001","amount":"150000","orderId":"ORD-1","description":"Nasi goreng"}`)
	expect(t, r, 200, 0)
	if r.Env.Data["balanceBefore"] != "600000" || r.Env.Data["balanceAfter"] != "450000" || r.Env.ResponseID != r.Env.Data["reffId"] {
		t.Fatalf("payment: %s", r.Raw)
	}
	payRef := r.Env.ResponseID
	expect(t, c.post("/wallet-payment/", `{"mobileNumber":"081300000001","amount":"1","orderId":"ORD-1"}`), 409, 60)
	expect(t, c.post("/wallet-payment/", `{"mobileNumber":"081300000001","amount":"450001","orderId":"ORD-2"}`), 422, 50)
	expect(t, c.post("/bank-transfer/", `{"transactionType":"WALLET_PAYMENT","mobileNumber":"081300000001","amount":50000,"orderId":"ORD-3"}`), 200, 0)
	expect(t, c.post("/bank-transfer/", `{"transactionType":"TELEPORT","mobileNumber":"081300000001","amount":50000}`), 400, 10)
	expect(t, bank.post("/wallet-payment/", `{"mobileNumber":"081300000001","amount":"1","orderId":"X"}`), 403, 21)
	expect(t, newClient(s, "PARTNER").post("/wallet-payment/", `{"mobileNumber":"081300000001","amount":"1","orderId":"X"}`), 403, 21)

	// Refunds: partial, then too much, then the rest.
	expect(t, c.post("/wallet-payment/refund/", `{"orderId":"ORD-1","amount":"50000","reason":"one item missing"}`), 200, 0)
	expect(t, c.post("/wallet-payment/refund/", `{"orderId":"ORD-1","amount":"100001"}`), 422, 51)
	expect(t, c.post("/wallet-payment/refund/", `{"orderId":"ORD-404","amount":"1"}`), 404, 30)
	expect(t, c.post("/wallet-payment/refund/", `{"orderId":"ORD-1","amount":"100000"}`), 200, 0)
	expect(t, c.post("/wallet-payment/refund/", `{"orderId":"ORD-1","amount":"1"}`), 422, 51)
	if got := balance(t, c, "081300000001"); got != "550000" {
		t.Fatalf("balance after refunds = %s", got)
	}

	// Status: visible to the partner that started it and to bound partners.
	r = c.get("/transaction-status/?reffId=" + payRef)
	expect(t, r, 200, 0)
	if r.Env.Data["type"] != "WALLET_PAYMENT" || r.Env.Data["status"] != "SUCCESS" || r.Env.Data["totalAmount"] != "150000" {
		t.Fatalf("status: %s", r.Raw)
	}
	expect(t, c.get("/transaction-status/?reffId="+topUpRef), 200, 0)
	expect(t, newClient(s, "PARTNER").get("/transaction-status/?reffId="+payRef), 404, 30)
	expect(t, c.get("/transaction-status/?reffId=nope"), 404, 30)

	// History: newest first, paged.
	r = c.get("/transaction-history/?mobileNumber=081300000001&limit=2")
	expect(t, r, 200, 0)
	items := r.Env.Data["items"].([]any)
	first := items[0].(map[string]any)
	if len(items) != 2 || first["type"] != "REFUND" || first["balanceAfter"] != "550000" || first["direction"] != "IN" || r.Env.Data["nextCursor"] == "" {
		t.Fatalf("history page 1: %s", r.Raw)
	}
	seen := len(items)
	for cursor := r.Env.Data["nextCursor"].(string); cursor != ""; {
		r = c.get("/transaction-history/?mobileNumber=081300000001&limit=2&cursor=" + cursor)
		expect(t, r, 200, 0)
		seen += len(r.Env.Data["items"].([]any))
		cursor = r.Env.Data["nextCursor"].(string)
	}
	if seen != 6 { // VA, retail, 2 payments, 2 refunds
		t.Fatalf("history has %d items, want 6", seen)
	}
	r = c.get("/transaction-history/?mobileNumber=081300000001&type=TOPUP_VA")
	expect(t, r, 200, 0)
	if n := len(r.Env.Data["items"].([]any)); n != 1 {
		t.Fatalf("type filter: %d items", n)
	}
	expect(t, c.get("/transaction-history/?mobileNumber=081300000001&type=BOGUS"), 400, 10)
	expect(t, c.get("/transaction-history/?mobileNumber=081300000001&limit=1000"), 400, 10)
	expect(t, c.get("/transaction-history/?mobileNumber=081300000001&from=yesterday"), 400, 10)
	audit(t, s)
}

func p2pFlow(t *testing.T, s *apptest.Stack) {
	c := newClient(s, "PARTNER")
	bank := newClient(s, "CHANNEL")
	register(t, c, "081300000011")
	register(t, c, "081300000012")
	expect(t, topUpVA(t, bank, "081300000011", 1_000_000, "P2P-1"), 200, 0)
	expect(t, topUpVA(t, bank, "081300000012", 1_900_000, "P2P-2"), 200, 0)

	body := `{"mobileNumber":"081300000011","toMobileNumber":"081300000012","amount":"50000"}`
	expect(t, c.post("/p2p-transfer/", body), 403, 52) // BASIC sender
	submitAndApprove(t, c, "081300000011")
	r := c.get("/customer-account-inquiry/?mobileNumber=081300000011")
	if r.Env.Data["accountType"] != "PREMIUM" || r.Env.Data["kycStatus"] != "VERIFIED" {
		t.Fatalf("after KYC: %s", r.Raw)
	}
	expect(t, c.post("/p2p-transfer/", `{"mobileNumber":"081300000011","toMobileNumber":"081300000012","amount":"100001"}`), 422, 51) // receiver cap
	r = c.post("/p2p-transfer/", body)
	expect(t, r, 200, 0)
	if r.Env.Data["balanceAfter"] != "950000" {
		t.Fatalf("p2p: %s", r.Raw)
	}
	expect(t, c.post("/p2p-transfer/", `{"mobileNumber":"081300000011","toMobileNumber":"081300000011","amount":"1000"}`), 400, 10)
	expect(t, c.post("/p2p-transfer/", `{"mobileNumber":"081300000011","toMobileNumber":"081399999999","amount":"1000"}`), 404, 30)
	if got := balance(t, c, "081300000012"); got != "1950000" {
		t.Fatalf("receiver balance %s", got)
	}
	// Both customers see it, each with the other as counterparty.
	for _, v := range []struct{ mobile, other, direction string }{
		{"081300000011", "62813*****012", "OUT"}, {"081300000012", "62813*****011", "IN"},
	} {
		r := c.get("/transaction-history/?mobileNumber=" + v.mobile + "&type=P2P_TRANSFER")
		expect(t, r, 200, 0)
		items := r.Env.Data["items"].([]any)
		if len(items) != 1 {
			t.Fatalf("%s sees %d P2P items", v.mobile, len(items))
		}
		if it := items[0].(map[string]any); it["counterparty"] != v.other || it["direction"] != v.direction {
			t.Fatalf("%s sees %v", v.mobile, it)
		}
	}
	// KYC twice is refused.
	expect(t, c.post("/kyc/", `{"mobileNumber":"081300000011","nik":"3273011708900001","fullName":"Budi Santoso","birthDate":"1990-08-17"}`), 400, 10)
	expect(t, c.post("/kyc/", `{"mobileNumber":"081300000012","nik":"3273011708900000","fullName":"Budi","birthDate":"1990-08-17"}`), 400, 10)
	audit(t, s)
}

func paymentRace(t *testing.T, s *apptest.Stack) {
	c := newClient(s, "PARTNER")
	bank := newClient(s, "CHANNEL")
	register(t, c, "081300000021")
	expect(t, topUpVA(t, bank, "081300000021", 2_000_000, "RACE-1"), 200, 0) // exactly 100 payments of 20,000
	const n = 200
	var ok, insufficient, other atomic.Int64
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			r := c.post("/wallet-payment/", fmt.Sprintf(`{"mobileNumber":"081300000021","amount":20000,"orderId":"RACE-%d"}`, i))
			switch r.Env.Code {
			case 0:
				ok.Add(1)
			case 50:
				insufficient.Add(1)
			default:
				other.Add(1)
				t.Errorf("unexpected answer: %s", r.Raw)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 100 || insufficient.Load() != 100 || other.Load() != 0 {
		t.Fatalf("%d succeeded, %d insufficient, %d other; want 100/100/0", ok.Load(), insufficient.Load(), other.Load())
	}
	if got := balance(t, c, "081300000021"); got != "0" {
		t.Fatalf("balance %s, want 0", got)
	}
	audit(t, s)
}

func topUpRace(t *testing.T, s *apptest.Stack) {
	c := newClient(s, "PARTNER")
	bank := newClient(s, "CHANNEL")
	register(t, c, "081300000031")
	const n = 20 // 20 × 150,000 would be 3,000,000; the BASIC cap is 2,000,000
	var ok, limited atomic.Int64
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := topUpVA(t, bank, "081300000031", 150000, fmt.Sprintf("CAP-%d", i))
			switch r.Env.Code {
			case 0:
				ok.Add(1)
			case 51:
				limited.Add(1)
			default:
				t.Errorf("unexpected answer: %s", r.Raw)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 13 || limited.Load() != 7 {
		t.Fatalf("%d credited, %d refused; want 13 and 7", ok.Load(), limited.Load())
	}
	if got := balance(t, c, "081300000031"); got != "1950000" {
		t.Fatalf("balance %s, want 1950000", got)
	}
	audit(t, s)
}

func notificationReplay(t *testing.T, s *apptest.Stack) {
	c := newClient(s, "PARTNER")
	bank := newClient(s, "CHANNEL")
	register(t, c, "081300000041")
	const n = 20
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each retry of the bank carries its own X-EXTERNAL-ID: only the
			// bankReference ties them together.
			r := topUpVA(t, bank, "081300000041", 75000, "BCA-REPLAY-1")
			if r.Env.Code != 0 {
				t.Errorf("replay answered %s", r.Raw)
			}
			ids[i] = r.Env.ResponseID
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("replays answered different reffIds: %v", ids)
		}
	}
	if got := balance(t, c, "081300000041"); got != "75000" {
		t.Fatalf("balance %s, want 75000 (credited once)", got)
	}
	expect(t, topUpVA(t, bank, "081300000041", 80000, "BCA-REPLAY-1"), 409, 60)
	audit(t, s)
}

func lostAnswer(t *testing.T, s *apptest.Stack) {
	c := newClient(s, "PARTNER")
	bank := newClient(s, "CHANNEL")
	register(t, c, "081300000051")
	register(t, c, "081300000052")
	expect(t, topUpVA(t, bank, "081300000051", 500000, "LOST-1"), 200, 0)
	submitAndApprove(t, c, "081300000051")
	requests := []struct{ path, body string }{
		{"/wallet-payment/", `{"mobileNumber":"081300000051","amount":"10000","orderId":"LOST-ORDER"}`},
		{"/p2p-transfer/", `{"mobileNumber":"081300000051","toMobileNumber":"081300000052","amount":"20000"}`},
		{"/wallet-payment/refund/", `{"orderId":"LOST-ORDER","amount":"5000"}`},
	}
	for i, q := range requests {
		key := fmt.Sprintf("lost-%d", i)
		req := apptest.Request{Method: "POST", Path: q.path, Body: q.body, PartnerID: c.id, Secret: c.secret, ExternalID: key}
		first := s.Do(req)
		expect(t, first, 200, 0)
		// The process died after committing the movement but before storing
		// the answer: the key's record is gone, the movement is not.
		if _, err := s.DB.Bun.NewDelete().Table("idempotency_keys").Where("key = ?", key).Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
		again := s.Do(req)
		expect(t, again, 200, 0)
		if again.Env.ResponseID != first.Env.ResponseID || again.Env.Data["balanceAfter"] != first.Env.Data["balanceAfter"] {
			t.Fatalf("%s retry answered differently:\n%s\n%s", q.path, first.Raw, again.Raw)
		}
	}
	if got := balance(t, c, "081300000051"); got != "475000" { // 500000 - 10000 - 20000 + 5000
		t.Fatalf("balance %s, want 475000", got)
	}
	// The same key on a different request is a conflict, not a movement.
	r := s.Do(apptest.Request{Method: "POST", Path: "/wallet-payment/", Body: `{"mobileNumber":"081300000051","amount":"999","orderId":"OTHER"}`,
		PartnerID: c.id, Secret: c.secret, ExternalID: "lost-0"})
	expect(t, r, 409, 60)
	audit(t, s)
}
