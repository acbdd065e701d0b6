package rest_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/internal/apptest"
	"github.com/dompet/wallet/internal/testdb"
)

func TestCashOut(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *bunstore.DB) {
		s := apptest.New(t, db, nil)
		c := newClient(s, "PARTNER")
		bank := newClient(s, "CHANNEL")
		store := newClient(s, "CHANNEL")
		register(t, c, "081300000071")
		expect(t, topUpVA(t, bank, "081300000071", 1_000_000, "CO-1"), 200, 0)
		out := func(amount int) apptest.Response {
			return c.post("/cash-out/", fmt.Sprintf(`{"mobileNumber":"081300000071","amount":"%d"}`, amount))
		}
		expect(t, out(100000), 403, 52) // unverified
		submitAndApprove(t, c, "081300000071")
		expect(t, out(75000), 422, 51)     // not a multiple of 50,000
		expect(t, out(2_550_000), 422, 51) // over the maximum
		expect(t, out(40000), 422, 51)     // under the minimum
		expect(t, store.post("/cash-out/", `{"mobileNumber":"081300000071","amount":"100000"}`), 403, 21)

		r := s.Do(apptest.Request{Method: "POST", Path: "/cash-out/", Body: `{"mobileNumber":"081300000071","amount":"100000"}`,
			PartnerID: c.id, Secret: c.secret, ExternalID: "co-lost"})
		expect(t, r, 200, 0)
		code, _ := r.Env.Data["cashOutCode"].(string)
		// The answer was lost (its stored copy too): the retry returns the
		// same code and holds nothing more.
		if _, err := s.DB.Bun.NewDelete().Table("idempotency_keys").Where("key = ?", "co-lost").Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
		retry := s.Do(apptest.Request{Method: "POST", Path: "/cash-out/", Body: `{"mobileNumber":"081300000071","amount":"100000"}`,
			PartnerID: c.id, Secret: c.secret, ExternalID: "co-lost"})
		expect(t, retry, 200, 0)
		if retry.Env.Data["cashOutCode"] != code || retry.Env.ResponseID != r.Env.ResponseID {
			t.Fatalf("retry answered %s after %s", retry.Raw, r.Raw)
		}
		if len(code) != 12 || r.Env.Data["expiresAt"] == "" || balance(t, c, "081300000071") != "900000" {
			t.Fatalf("cash-out: %s", r.Raw)
		}
		// The /bank-transfer/ alias issues codes too.
		expect(t, c.post("/bank-transfer/", `{"transactionType":"CASH_OUT","mobileNumber":"081300000071","amount":"50000"}`), 200, 0)
		if got := balance(t, c, "081300000071"); got != "850000" {
			t.Fatalf("two codes held: %s", got)
		}

		// Redeem: only a channel; wrong code refused; same store reference replays.
		expect(t, c.post("/cash-out/redeem/", fmt.Sprintf(`{"code":%q,"storeReference":"ALFA-1"}`, code)), 403, 21)
		expect(t, store.post("/cash-out/redeem/", `{"code":"000000000000","storeReference":"ALFA-0"}`), 404, 30)
		expect(t, store.post("/cash-out/redeem/", `{"code":"12ab","storeReference":"ALFA-0"}`), 400, 10)
		first := store.post("/cash-out/redeem/", fmt.Sprintf(`{"code":%q,"storeReference":"ALFA-1"}`, code))
		expect(t, first, 200, 0)
		again := store.post("/cash-out/redeem/", fmt.Sprintf(`{"code":%q,"storeReference":"ALFA-1"}`, code))
		expect(t, again, 200, 0)
		if again.Env.ResponseID != first.Env.ResponseID {
			t.Fatalf("replayed redemption answered another reffId")
		}
		expect(t, store.post("/cash-out/redeem/", fmt.Sprintf(`{"code":%q,"storeReference":"ALFA-2"}`, code)), 404, 30)
		expect(t, c.get("/transaction-status/?reffId="+first.Env.ResponseID), 200, 0)

		// Cancel releases; cancelling twice is refused.
		r = out(200000)
		expect(t, r, 200, 0)
		if got := balance(t, c, "081300000071"); got != "650000" {
			t.Fatalf("held: %s", got)
		}
		expect(t, c.post("/cash-out/cancel/", fmt.Sprintf(`{"reffId":%q}`, r.Env.ResponseID)), 200, 0)
		expect(t, c.post("/cash-out/cancel/", fmt.Sprintf(`{"reffId":%q}`, r.Env.ResponseID)), 400, 10)
		expect(t, store.post("/cash-out/redeem/", fmt.Sprintf(`{"code":%q,"storeReference":"ALFA-3"}`, r.Env.Data["cashOutCode"])), 404, 30)
		if got := balance(t, c, "081300000071"); got != "850000" {
			t.Fatalf("after cancel: %s", got)
		}

		// The expiry job running early changes nothing (app tests cover the
		// release after the hour); on a redeemed code it is a no-op.
		if err := s.App.ExpireCashOut(context.Background(), first.Env.ResponseID); err != nil {
			t.Fatal(err)
		}
		if got := balance(t, c, "081300000071"); got != "850000" {
			t.Fatalf("after expiry: %s", got)
		}

		// Concurrent codes never over-commit: 1,000,000 − 100,000 redeemed = 900,000 balance,
		// 50,000 still held → 850,000 available → at most 17 codes of 50,000.
		var ok, refused atomic.Int64
		var wg sync.WaitGroup
		for range 25 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				switch r := out(50000); r.Env.Code {
				case 0:
					ok.Add(1)
				case 50:
					refused.Add(1)
				default:
					t.Errorf("unexpected: %s", r.Raw)
				}
			}()
		}
		wg.Wait()
		if ok.Load() != 17 || refused.Load() != 8 || balance(t, c, "081300000071") != "0" {
			t.Fatalf("%d codes, %d refused, available %s", ok.Load(), refused.Load(), balance(t, c, "081300000071"))
		}
		audit(t, s)
	})
}
