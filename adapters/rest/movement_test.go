package rest_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/internal/apptest"
	"github.com/dompet/wallet/internal/testdb"
)

// A money movement claims its X-EXTERNAL-ID, moves the money and stores its
// answer in one transaction (ADR 0009); these are the idempotency promises
// of ADR 0002 on that path.
func TestMovementIdempotency(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *bunstore.DB) {
		s := apptest.New(t, db, nil)
		t.Run("replay, conflict and stored failures", func(t *testing.T) { t.Parallel(); movementReplay(t, s) })
		t.Run("concurrent duplicates move once and answer alike", func(t *testing.T) { t.Parallel(); movementRace(t, s) })
	})
}

func movementReplay(t *testing.T, s *apptest.Stack) {
	c := newClient(s, "PARTNER")
	bank := newClient(s, "CHANNEL")
	register(t, c, "081300000091")
	expect(t, topUpVA(t, bank, "081300000091", 100000, "MV-1"), 200, 0)
	pay := func(key, body string) apptest.Response {
		return s.Do(apptest.Request{Method: "POST", Path: "/wallet-payment/", Body: body, PartnerID: c.id, Secret: c.secret, ExternalID: key})
	}
	body := `{"mobileNumber":"081300000091","amount":"10000","orderId":"MV-ORDER-1"}`
	first := pay("mv-1", body)
	expect(t, first, 200, 0)
	// The answer committed with the movement, sealed like every stored answer.
	var stored []byte
	if err := s.DB.Bun.NewSelect().Table("idempotency_keys").Column("body").Where("key = ?", "mv-1").Scan(t.Context(), &stored); err != nil {
		t.Fatal(err)
	}
	if len(stored) == 0 || strings.Contains(string(stored), "responseId") {
		t.Fatalf("stored answer missing or readable at rest: %q", stored)
	}
	again := pay("mv-1", body)
	if again.Status != 200 || string(again.Raw) != string(first.Raw) {
		t.Fatalf("replay differs:\n%s\n%s", first.Raw, again.Raw)
	}
	expect(t, pay("mv-1", `{"mobileNumber":"081300000091","amount":"10001","orderId":"MV-ORDER-1"}`), 409, 60)
	// A refused payment's answer is kept too: the retry gets the refusal,
	// even once the money is there.
	big := `{"mobileNumber":"081300000091","amount":"500000","orderId":"MV-ORDER-2"}`
	refused := pay("mv-2", big)
	expect(t, refused, 422, 50)
	expect(t, topUpVA(t, bank, "081300000091", 1000000, "MV-2"), 200, 0)
	if again := pay("mv-2", big); string(again.Raw) != string(refused.Raw) {
		t.Fatalf("refusal replay differs:\n%s\n%s", refused.Raw, again.Raw)
	}
	if got := balance(t, c, "081300000091"); got != "1090000" {
		t.Fatalf("balance %s, want 1090000", got)
	}
	// A key first used by a non-money request is a conflict for a payment.
	expect(t, s.Do(apptest.Request{Method: "POST", Path: "/register-customer/", Body: `{"mobileNumber":"081300000092","firstName":"Key"}`,
		PartnerID: c.id, Secret: c.secret, ExternalID: "mv-3"}), 200, 0)
	expect(t, pay("mv-3", `{"mobileNumber":"081300000091","amount":"1000","orderId":"MV-ORDER-3"}`), 409, 60)
	if got := balance(t, c, "081300000091"); got != "1090000" {
		t.Fatalf("balance %s after the conflict, want 1090000", got)
	}
	audit(t, s)
}

func movementRace(t *testing.T, s *apptest.Stack) {
	c := newClient(s, "PARTNER")
	bank := newClient(s, "CHANNEL")
	register(t, c, "081300000093")
	expect(t, topUpVA(t, bank, "081300000093", 100000, "MV-3"), 200, 0)
	const n = 20
	out := make([]apptest.Response, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = s.Do(apptest.Request{Method: "POST", Path: "/wallet-payment/", PartnerID: c.id, Secret: c.secret, ExternalID: "mv-race",
				Body: `{"mobileNumber":"081300000093","amount":"1000","orderId":"MV-RACE"}`})
		}()
	}
	wg.Wait()
	for i, r := range out {
		if r.Status != 200 || string(r.Raw) != string(out[0].Raw) {
			t.Fatalf("answer %d differs: HTTP %d %s vs %s", i, r.Status, r.Raw, out[0].Raw)
		}
	}
	if got := balance(t, c, "081300000093"); got != fmt.Sprint(100000-1000) {
		t.Fatalf("balance %s, want 99000", got)
	}
	audit(t, s)
}
