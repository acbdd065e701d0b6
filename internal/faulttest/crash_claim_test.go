package faulttest

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/dompet/wallet/internal/testdb"
	"github.com/dompet/wallet/internal/walletproc"
)

// TestRetryAfterCrashIsAnsweredAtOnce kills the server while a bank
// transfer is in flight (its X-EXTERNAL-ID claimed, the money held, the
// bank's answer awaited) and retries it against the restarted server. The
// dead process's claim is taken over at once (ADR 0011): the retry is
// answered with the same transfer, not held for the old 30 s lease nor
// answered 90, and exactly one transfer exists.
func TestRetryAfterCrashIsAnsweredAtOnce(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); retryAfterCrash(t, "") })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); retryAfterCrash(t, testdb.SchemaURL(t)) })
}

// simLatency is how long the bank simulator takes to answer a
// disbursement: the first attempt is killed inside that wait, and the
// retry, which asks the bank again (idempotently, by reffId), waits it too.
const simLatency = 1500 * time.Millisecond

func retryAfterCrash(t *testing.T, databaseURL string) {
	w := newCrashWorld(t, databaseURL, 1, "WALLET_SIM_DELAY=1s", "WALLET_SIM_LATENCY="+simLatency.String())
	m := w.customers[0]
	const amount = 100_000
	body := fmt.Sprintf(`{"mobileNumber":%q,"bankCode":"014","bankAccount":"1234569999","amount":"%d"}`, m, amount)
	ext := w.extID("inflight")

	first := make(chan walletproc.Answer, 1)
	go func() { first <- w.call(w.shop, "POST", "/bank-transfer/", body, ext) }()
	// Kill once the money is held: the transfer is in the history while
	// its request waits for the bank.
	reffID := ""
	deadline := time.Now().Add(20 * time.Second)
	for reffID == "" {
		for _, it := range w.history(t, m) {
			if it["transactionType"] == "BANK_TRANSFER" || it["type"] == "BANK_TRANSFER" {
				reffID, _ = it["reffId"].(string)
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the transfer never appeared in the history")
		}
		time.Sleep(10 * time.Millisecond)
	}
	w.srv.Kill()
	if a := <-first; a.Err == nil {
		t.Fatalf("the first attempt was answered before the kill (%s): the bank latency is too short for this machine", a.Body)
	}

	w.srv = w.srv.Restart(t) // returns when /readyz answers 200
	ready := time.Now()
	a := w.call(w.shop, "POST", "/bank-transfer/", body, ext)
	took := time.Since(ready)
	t.Logf("retry answered %v after the new server was ready (the bank takes %v of it)", took, simLatency)
	if a.Code() != 1 && a.Code() != 0 {
		t.Fatalf("retry: %d %v %s", a.Status, a.Err, a.Body)
	}
	if got, _ := a.Env["responseId"].(string); got != reffID {
		t.Fatalf("retry answered transfer %q, want the held one %q", got, reffID)
	}
	// Issue 9 asks for an answer within 1 s of a server being back, plus
	// here the simulated bank's own latency. 4 s more of slack for a
	// loaded machine (-race, two cores shared by several test binaries:
	// 2 s over the bank's latency was seen at a load average of 20).
	// Before ADR 0011 the retry waited 10 s and answered 90, which fails
	// both this bound and the code check above.
	if limit := simLatency + time.Second + 4*time.Second; took > limit {
		t.Errorf("retry took %v, want at most %v", took, limit)
	}

	if st := w.waitSettled(t, reffID, 30*time.Second); st != "SUCCESS" {
		t.Fatalf("transfer settled %s, want SUCCESS", st)
	}
	transfers := 0
	for _, it := range w.history(t, m) {
		if it["reffId"] != reffID && (it["transactionType"] == "BANK_TRANSFER" || it["type"] == "BANK_TRANSFER") {
			t.Errorf("a second transfer: %v", it)
		}
		if it["reffId"] == reffID {
			transfers++
		}
	}
	if transfers != 1 {
		t.Errorf("transfer %s is %d times in the history, want once", reffID, transfers)
	}
	if got, want := w.balance(t, m), strconv.Itoa(crashInitial-amount-bankFee); got != want {
		t.Errorf("balance %s, want %s (one transfer with its fee)", got, want)
	}
	walletproc.CLI(t, w.env, "reconcile")
}
