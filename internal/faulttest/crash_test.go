package faulttest

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/dompet/wallet/internal/testdb"
	"github.com/dompet/wallet/internal/walletproc"
)

// crashProfile is how hard TestSIGKILLUnderLoad pushes.
type crashProfile struct {
	rounds    int           // kills per store
	customers int           // enrolled customers
	workers   int           // concurrent clients during load
	minLoad   time.Duration // load before the kill: drawn from [minLoad, maxLoad)
	maxLoad   time.Duration
}

func profile() crashProfile {
	if Chaos() {
		return crashProfile{rounds: 10, customers: 8, workers: 8, minLoad: 50 * time.Millisecond, maxLoad: 2 * time.Second}
	}
	// CI: one round, a few hundred requests at most.
	return crashProfile{rounds: 1, customers: 4, workers: 4, minLoad: 300 * time.Millisecond, maxLoad: 700 * time.Millisecond}
}

// TestSIGKILLUnderLoad kills `wallet serve` with SIGKILL while payments,
// VA top-ups (a CHANNEL partner), P2P transfers and bank transfers run
// concurrently, with a bank transfer pending at the bank, restarts it on
// the same data and retries every request that got no answer with its
// X-EXTERNAL-ID. Then: every acknowledged movement is there exactly once
// (balances equal the initial ones plus the acknowledged set; every
// customer's history holds exactly the acknowledged transactions), the
// pending transfers were settled by the durable job, and `wallet
// reconcile` finds the ledger balanced.
func TestSIGKILLUnderLoad(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); sigkillUnderLoad(t, "") })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); sigkillUnderLoad(t, testdb.SchemaURL(t)) })
}

// crashOp is one money request and what it does to the balances if applied.
type crashOp struct {
	kind     string // pay, topup, p2p, bank
	p        walletproc.Partner
	path     string
	body     string
	extID    string
	from, to int // customer indexes, -1 for none
	amount   int64
	ans      walletproc.Answer
}

// applied is true when the answer says the money moved (or is held for a
// pending bank transfer, which succeeds: its account ends in 9999).
func (o *crashOp) applied() bool { return o.ans.Code() == 0 || (o.kind == "bank" && o.ans.Code() == 1) }

// answered is true when the partner got a final answer: anything but a
// transport error or "retry" (90).
func (o *crashOp) answered() bool { return o.ans.Err == nil && o.ans.Status != 0 && o.ans.Code() != 90 }

func (o *crashOp) reffID() string { s, _ := o.ans.Env["responseId"].(string); return s }

const bankFee = 2_500 // platform default (SPEC §6)

func sigkillUnderLoad(t *testing.T, databaseURL string) {
	pr := profile()
	// Pending transfers settle 1.5 s after submission: some are settled
	// before the kill, some by the job after the restart.
	w := newCrashWorld(t, databaseURL, pr.customers, "WALLET_SIM_DELAY=1500ms")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	var all []*crashOp
	for round := range pr.rounds {
		// A bank transfer pending at the bank at the moment of the kill.
		pending := w.newOp(rng, "bank")
		if pending.ans = w.call(pending.p, "POST", pending.path, pending.body, pending.extID); pending.ans.Code() != 1 {
			t.Fatalf("round %d: pending transfer: %d %v %s", round, pending.ans.Status, pending.ans.Err, pending.ans.Body)
		}
		all = append(all, pending)

		ops := w.load(rng, pr, pr.minLoad+rand.N(pr.maxLoad-pr.minLoad+1))
		all = append(all, ops...)
		lost := 0
		for _, o := range ops {
			if !o.answered() {
				lost++
			}
		}
		t.Logf("round %d: %d requests before the kill, %d without an answer", round, len(ops), lost)

		w.srv = w.srv.Restart(t)
		for _, o := range ops {
			w.retry(t, o)
		}
	}
	w.check(t, all)
	walletproc.CLI(t, w.env, "reconcile")
}

// newOp draws a request of kind between random customers.
func (w *crashWorld) newOp(rng *rand.Rand, kind string) *crashOp {
	n := len(w.customers)
	from, to := rng.IntN(n), rng.IntN(n)
	if to == from {
		to = (from + 1) % n
	}
	o := &crashOp{kind: kind, extID: w.extID(kind), from: -1, to: -1}
	switch kind {
	case "pay":
		o.p, o.path, o.from, o.amount = w.shop, "/wallet-payment/", from, int64(1_000+rng.IntN(9_000))
		o.body = fmt.Sprintf(`{"mobileNumber":%q,"amount":"%d","orderId":%q}`, w.customers[from], o.amount, o.extID)
	case "topup":
		o.p, o.path, o.to, o.amount = w.bank, "/topup/va/payment/", to, int64(10_000+rng.IntN(20_000))
		o.body = fmt.Sprintf(`{"vaNumber":"39358%s","amount":"%d","bankReference":%q}`, w.customers[to], o.amount, o.extID)
	case "p2p":
		o.p, o.path, o.from, o.to, o.amount = w.shop, "/p2p-transfer/", from, to, int64(1_000+rng.IntN(9_000))
		o.body = fmt.Sprintf(`{"mobileNumber":%q,"toMobileNumber":%q,"amount":"%d"}`, w.customers[from], w.customers[to], o.amount)
	case "bank":
		o.p, o.path, o.from, o.amount = w.shop, "/bank-transfer/", from, int64(10_000+rng.IntN(10_000))
		o.body = fmt.Sprintf(`{"mobileNumber":%q,"bankCode":"014","bankAccount":"1234569999","amount":"%d"}`, w.customers[from], o.amount)
	}
	return o
}

// load runs pr.workers clients sending random money requests for d, then
// kills the server mid-load and returns every request sent.
func (w *crashWorld) load(rng *rand.Rand, pr crashProfile, d time.Duration) []*crashOp {
	kinds := []string{"pay", "pay", "pay", "topup", "p2p", "p2p", "bank"}
	var mu sync.Mutex
	var ops []*crashOp
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range pr.workers {
		seed := rng.Uint64()
		wg.Go(func() {
			r := rand.New(rand.NewPCG(seed, uint64(i)))
			for {
				select {
				case <-stop:
					return
				default:
				}
				mu.Lock()
				o := w.newOp(r, kinds[r.IntN(len(kinds))])
				ops = append(ops, o)
				mu.Unlock()
				o.ans = w.call(o.p, "POST", o.path, o.body, o.extID)
				if o.ans.Err != nil {
					return // the server is gone
				}
			}
		})
	}
	time.Sleep(d)
	w.srv.Kill() // SIGKILL: requests in flight die with the process
	close(stop)
	wg.Wait()
	return ops
}

// retry sends an unanswered request again with its X-EXTERNAL-ID until it
// gets an answer, as a partner would after code 90 or a dropped connection.
func (w *crashWorld) retry(t *testing.T, o *crashOp) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !o.answered() {
		if time.Now().After(deadline) {
			t.Fatalf("%s %s: no answer after the restart: %d %v %s", o.kind, o.extID, o.ans.Status, o.ans.Err, o.ans.Body)
		}
		if o.ans.Err == nil && o.ans.Status != 0 {
			time.Sleep(100 * time.Millisecond) // a 90: back off a little
		}
		o.ans = w.call(o.p, "POST", o.path, o.body, o.extID)
	}
}

// check compares the store with the acknowledged requests: balances,
// histories (each applied movement once, nothing else), pending transfers
// settled.
func (w *crashWorld) check(t *testing.T, ops []*crashOp) {
	t.Helper()
	want := make([]int64, len(w.customers))
	seen := make([]map[string]int, len(w.customers)) // reffId -> expected occurrences
	count := make([]int, len(w.customers))
	for i := range want {
		want[i] = crashInitial
		seen[i] = map[string]int{}
		count[i] = 1 // the initial top-up
	}
	applied, refused := 0, 0
	for _, o := range ops {
		if !o.applied() {
			refused++
			continue
		}
		applied++
		id := o.reffID()
		if id == "" {
			t.Fatalf("%s %s: applied without a responseId: %s", o.kind, o.extID, o.ans.Body)
		}
		if o.kind == "bank" {
			// Two minutes: a settlement job running at the kill is retried by
			// the rescuer 45 s later (adapters/jobs), plus its 30 s period.
			st := w.waitSettled(t, id, 2*time.Minute)
			if st != "SUCCESS" {
				t.Errorf("bank transfer %s settled %s, want SUCCESS", id, st)
			}
		}
		fee := int64(0)
		if o.kind == "bank" {
			fee = bankFee
		}
		if o.from >= 0 {
			want[o.from] -= o.amount + fee
			seen[o.from][id]++
			count[o.from]++
		}
		if o.to >= 0 {
			want[o.to] += o.amount
			seen[o.to][id]++
			count[o.to]++
		}
	}
	t.Logf("%d requests: %d applied, %d refused by a rule", len(ops), applied, refused)
	for i, m := range w.customers {
		if got := w.balance(t, m); got != strconv.FormatInt(want[i], 10) {
			t.Errorf("%s: balance %s, want %d (initial + the acknowledged movements)", m, got, want[i])
		}
		items := w.history(t, m)
		if len(items) != count[i] {
			t.Errorf("%s: %d transactions in the history, want %d", m, len(items), count[i])
		}
		found := map[string]int{}
		for _, it := range items {
			id, _ := it["reffId"].(string)
			found[id]++
		}
		for id, n := range seen[i] {
			if found[id] != n {
				t.Errorf("%s: acknowledged transaction %s appears %d times in the history, want %d", m, id, found[id], n)
			}
		}
	}
}
