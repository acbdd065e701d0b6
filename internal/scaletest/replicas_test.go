package scaletest

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/dompet/wallet/internal/pgcluster"
	"github.com/dompet/wallet/internal/walletproc"
)

// TestTwoReplicas runs two `wallet serve` processes on one database and
// drives money through both at random; then kills one mid-load.
func TestTwoReplicas(t *testing.T) {
	t.Parallel()
	t.Run("direct", func(t *testing.T) {
		t.Parallel()
		// A cluster of its own (fsync off) rather than a schema on the
		// shared server: each server start runs the migrations, whose
		// commits wait on the shared server's fsyncs under load.
		pg := pgcluster.New(t)
		replicas(t, pg.URL(""), pg.URL(""))
	})
	t.Run("pgbouncer", func(t *testing.T) {
		t.Parallel()
		pg := pgcluster.New(t)
		// Fewer server connections than the two replicas' pools together
		// (2 × 8): transactions must share them, as in production.
		b := pg.Bouncer(t, 6)
		t.Logf("%s, pool_mode=transaction, default_pool_size=6", b.Version)
		replicas(t, b.URL(), pg.URL(""), "WALLET_DB_POOLER=pgbouncer")
	})
}

// op is one money request and what it does to the payer's available
// balance once acknowledged.
type op struct {
	who      walletproc.Partner
	path     string
	body     string
	extID    string
	customer int
	delta    int64
	claim    bool // claim-first flow (bank transfer, QRIS): see the kill phase
}

// replicas is the scenario; url is what the servers use, direct a direct
// connection for the test's own checks.
func replicas(t *testing.T, url, direct string, extra ...string) {
	start := time.Now()
	recv := newReceiver(t)
	env := walletproc.Env(url, t.TempDir(), append([]string{"WALLET_SIM_DELAY=1s", "WALLET_DB_MAX_CONNS=8"}, extra...)...)
	shop := partnerWithCallback(t, env, "Shop", recv.srv.URL+"/events")
	bank := walletproc.CreatePartner(t, env, "Bank", "CHANNEL")
	a := walletproc.Start(t, env)
	b := walletproc.Start(t, env)
	servers := []*walletproc.Server{a, b}
	t.Logf("%s: started", time.Since(start).Round(time.Millisecond))
	db, err := sql.Open("pgx", direct)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })

	// Customers, registered and topped up through either replica.
	const customers = 6
	const initial = 500_000
	balance := make([]int64, customers) // expected available balance
	var tokens []string
	for i := range customers {
		s := servers[i%2]
		tokens = append(tokens, registerCustomer(t, shop, s.URL, mobileOf(i), a, b))
		mustCode(t, bank, servers[(i+1)%2].URL, "POST", "/topup/va/payment/",
			fmt.Sprintf(`{"vaNumber":"39358%s","amount":"%d","bankReference":"INIT-%d"}`, mobileOf(i), initial, i), "init-"+strconv.Itoa(i), 0)
		balance[i] = initial
	}
	t.Logf("%s: %s", time.Since(start).Round(time.Millisecond), "Customer 0 is ver")
	// Customer 0 is verified, for transfers to banks (the e-KYC simulator
	// runs as a job on either replica).
	mustCode(t, shop, b.URL, "POST", "/kyc/", `{"mobileNumber":"`+mobileOf(0)+`","nik":"3273011708900001","fullName":"Budi","birthDate":"1990-08-17"}`, "kyc-0", 0)
	deadline := time.Now().Add(20 * time.Second)
	for {
		inq := mustCode(t, shop, a.URL, "GET", "/customer-account-inquiry/?mobileNumber="+mobileOf(0), "", "", 0)
		if inq.Env["data"].(map[string]any)["kycStatus"] == "VERIFIED" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("KYC not verified")
		}
		time.Sleep(50 * time.Millisecond)
	}

	t.Logf("%s: %s", time.Since(start).Round(time.Millisecond), "A subscriber on r")
	// A subscriber on replica A sees a payment made on replica B.
	sub := subscribe(t, a.URL, shop.PartnerID, tokens[0])
	time.Sleep(300 * time.Millisecond) // the subscription's starting point is read (slack for a loaded machine)
	paid := mustCode(t, shop, b.URL, "POST", "/wallet-payment/", `{"mobileNumber":"`+mobileOf(0)+`","amount":"1000","orderId":"SUB-1"}`, "sub-1", 0)
	balance[0] -= 1000
	// 10 s: the feed polls every second; slack for a loaded machine.
	sub.waitFor(t, paid.Env["responseId"].(string), 10*time.Second)

	var seq atomic.Int64
	next := func(claimAllowed bool) op {
		n := seq.Add(1)
		c := rand.IntN(customers)
		id := "L-" + strconv.FormatInt(n, 10)
		switch k := rand.IntN(10); {
		case k < 5:
			amt := int64(1000 + rand.IntN(4000))
			return op{who: shop, path: "/wallet-payment/", customer: c, delta: -amt, extID: id,
				body: fmt.Sprintf(`{"mobileNumber":"%s","amount":"%d","orderId":"%s"}`, mobileOf(c), amt, id)}
		case k < 8 || !claimAllowed:
			return op{who: bank, path: "/topup/va/payment/", customer: c, delta: 10_000, extID: id,
				body: fmt.Sprintf(`{"vaNumber":"39358%s","amount":"10000","bankReference":"%s"}`, mobileOf(c), id)}
		case k < 9:
			// Pending at the gateway (…9999), then paid by the settlement job.
			return op{who: shop, path: "/bank-transfer/", customer: 0, delta: -(10_000 + 2_500), extID: id, claim: true,
				body: fmt.Sprintf(`{"mobileNumber":"%s","bankCode":"014","bankAccount":"1234569999","amount":"10000"}`, mobileOf(0))}
		default:
			amt := int64(2000 + rand.IntN(900))
			return op{who: shop, path: "/qris-payment/", customer: c, delta: -amt, extID: id, claim: true,
				body: fmt.Sprintf(`{"mobileNumber":"%s","qrContent":"%s"}`, mobileOf(c), qrDynamic(t, amt))}
		}
	}
	var mu sync.Mutex
	var acked []string // reffIds of acknowledged movements
	client := &http.Client{Timeout: 20 * time.Second}
	// do sends o to a replica until it is acknowledged (code 0, or 1 for
	// the asynchronous flows); a transport error (the replica died) is
	// retried with the same X-EXTERNAL-ID on a live one.
	do := func(o op, pick func() *walletproc.Server) {
		deadline := time.Now().Add(30 * time.Second)
		for {
			ans := o.who.Call(client, pick().URL, "POST", o.path, o.body, o.extID)
			if c := ans.Code(); c == 0 || c == 1 {
				mu.Lock()
				acked = append(acked, ans.Env["responseId"].(string))
				balance[o.customer] += o.delta
				mu.Unlock()
				return
			}
			if ans.Err == nil && ans.Code() != 90 {
				t.Errorf("%s %s: %d %s", o.path, o.body, ans.Code(), ans.Body)
				return
			}
			if time.Now().After(deadline) {
				t.Errorf("%s never acknowledged: %v %s", o.path, ans.Err, ans.Body)
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	load := func(workers, each int, pick func() *walletproc.Server, claimAllowed func() bool, afterEach func()) {
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range each {
					do(next(claimAllowed()), pick)
					if afterEach != nil {
						afterEach()
					}
				}
			}()
		}
		wg.Wait()
	}
	random := func() *walletproc.Server { return servers[rand.IntN(2)] }

	t.Logf("%s: %s", time.Since(start).Round(time.Millisecond), "Phase 1: both")
	// Phase 1: both replicas, every kind of request.
	load(6, 15, random, func() bool { return true }, nil)
	waitSettled(t, db, shop.PartnerID, false)
	checkOnce(t, db, shop.PartnerID, recv)
	checkBalances(t, shop, a.URL, balance)

	t.Logf("%s: %s", time.Since(start).Round(time.Millisecond), "Phase 2: replica ")
	// Phase 2: replica B is killed mid-load. Requests that were cut are
	// retried on A with the same X-EXTERNAL-ID. Claim-first requests (bank
	// transfer, QRIS) go to A only in this phase: a claim orphaned by the
	// kill blocks its key for the claim's lease (30 s, ADR 0002), which
	// would only slow the test down.
	var killed atomic.Bool
	var done atomic.Int64
	pick := func() *walletproc.Server {
		if killed.Load() || rand.IntN(2) == 0 {
			return a
		}
		return b
	}
	load(6, 15, pick, func() bool { return false }, func() {
		if done.Add(1) == 40 {
			b.Kill() // SIGKILL: no drain
			killed.Store(true)
		}
	})
	load(2, 5, func() *walletproc.Server { return a }, func() bool { return true }, nil)

	t.Logf("%s: %s", time.Since(start).Round(time.Millisecond), "Nothing acknowled")
	// Nothing acknowledged is lost: every reffId answered is there, and
	// the balances are exactly what the acknowledged requests made them.
	for _, reff := range acked {
		mustCode(t, shop, a.URL, "GET", "/transaction-status/?reffId="+reff, "", "", 0)
	}
	checkBalances(t, shop, a.URL, balance)
	walletproc.CLI(t, env, "reconcile")
	waitSettled(t, db, shop.PartnerID, true)
	checkOrder(t, recv)
	t.Logf("%d acknowledged movements, %d webhooks", len(acked), len(recv.got))
}

// waitSettled waits until every pending transfer and QRIS payment is final
// and every webhook is delivered. After a kill (orphans), a job the killed
// process left running is skipped: River rescues it only after
// RescueStuckJobsAfter. Before any kill nothing is skipped: a settlement
// still running would add its events after this returns.
func waitSettled(t *testing.T, db *sql.DB, partnerID string, orphans bool) {
	t.Helper()
	const query = `SELECT
		(SELECT count(*) FROM transactions t WHERE t.status = 'PENDING' AND NOT ($2 AND EXISTS
			(SELECT 1 FROM river_job j WHERE j.kind = 'bank_settle' AND j.state = 'running' AND j.args->>'reff_id' = t.id))),
		(SELECT count(*) FROM partner_events e WHERE e.partner_id = $1 AND e.status <> 'DELIVERED' AND NOT ($2 AND EXISTS
			(SELECT 1 FROM river_job j WHERE j.kind = 'webhook_deliver' AND j.state = 'running' AND j.args->>'event_id' = e.id)))`
	deadline := time.Now().Add(40 * time.Second) // settlement after WALLET_SIM_DELAY (1 s), polled; slack for a loaded machine
	for {
		var pending, undelivered int
		if err := db.QueryRow(query, partnerID, orphans).Scan(&pending, &undelivered); err != nil {
			t.Fatal(err)
		}
		if pending == 0 && undelivered == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 40 s: %d transactions pending, %d webhooks undelivered", pending, undelivered)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkOnce: every job ran exactly once (no retries: nothing failed) and
// every webhook reached the partner exactly once.
func checkOnce(t *testing.T, db *sql.DB, partnerID string, recv *receiver) {
	t.Helper()
	// A job is marked completed just after its webhook is marked delivered,
	// and the last settlements' events may still be on their way.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM river_job WHERE kind = 'webhook_deliver' AND state <> 'completed'`).Scan(&n); err != nil || n == 0 {
			break
		}
	}
	rows, err := db.Query(`SELECT kind, state, attempt, count(*) FROM river_job
		WHERE kind IN ('webhook_deliver', 'notify_send', 'kyc_check') AND (state <> 'completed' OR attempt <> 1)
		GROUP BY 1, 2, 3`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, state string
		var attempt, n int
		_ = rows.Scan(&kind, &state, &attempt, &n)
		t.Errorf("%d %s jobs %s at attempt %d, want every one completed at attempt 1", n, kind, state, attempt)
	}
	var events int
	if err := db.QueryRow(`SELECT count(*) FROM partner_events WHERE partner_id = $1`, partnerID).Scan(&events); err != nil {
		t.Fatal(err)
	}
	got, seen := recv.snapshot()
	if len(seen) != events || len(got) != events {
		t.Errorf("%d events, %d distinct delivered, %d deliveries: want each delivered once", events, len(seen), len(got))
	}
	checkOrder(t, recv)
}

// checkOrder: no event arrives twice and, per transaction, the events
// arrive in the order they happened (PENDING before the final status).
func checkOrder(t *testing.T, recv *receiver) {
	t.Helper()
	got, seen := recv.snapshot()
	for id, n := range seen {
		if n > 1 {
			t.Errorf("event %s delivered %d times", id, n)
		}
	}
	final := map[string]string{}
	for _, h := range got {
		if f, ok := final[h.ReffID]; ok {
			t.Errorf("%s: %s arrived after %s", h.ReffID, h.Status, f)
		}
		if h.Status != "PENDING" {
			final[h.ReffID] = h.Status
		}
	}
}

func checkBalances(t *testing.T, shop walletproc.Partner, base string, want []int64) {
	t.Helper()
	for i, w := range want {
		inq := mustCode(t, shop, base, "GET", "/customer-account-inquiry/?mobileNumber="+mobileOf(i), "", "", 0)
		got := inq.Env["data"].(map[string]any)["balance"].(map[string]any)["availableBalance"]
		if got != strconv.FormatInt(w, 10) {
			t.Errorf("customer %d: available balance %v, want %d", i, got, w)
		}
	}
}
