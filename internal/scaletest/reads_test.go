package scaletest

import (
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dompet/wallet/internal/pgcluster"
	"github.com/dompet/wallet/internal/walletproc"
)

// historyCalls counts, on one server, the executions of the history page's
// statement (its "… AS own UNION ALL …" shape is unique to it).
func historyCalls(t *testing.T, db *sql.DB) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(`SELECT COALESCE(sum(calls), 0)::bigint FROM pg_stat_statements WHERE query LIKE '%AS own UNION ALL%'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestReadsFromStreamingReplica runs one server with DATABASE_READ_URL on a
// real streaming standby: history pages execute on the standby (counted by
// the standby's own pg_stat_statements, which only reads served there can
// raise), the customer who just paid sees the payment at once, and with
// the standby's replay paused the read falls back to the primary and still
// sees it.
func TestReadsFromStreamingReplica(t *testing.T) {
	t.Parallel()
	start := time.Now()
	lap := func(what string) { t.Logf("%s: %s", time.Since(start).Round(time.Millisecond), what) }
	pg := pgcluster.New(t, "shared_preload_libraries=pg_stat_statements")
	primary, err := sql.Open("pgx", pg.URL(""))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { primary.Close() })
	if _, err := primary.Exec("CREATE EXTENSION pg_stat_statements"); err != nil {
		t.Fatal(err)
	}
	lap("primary")
	standby := pg.Standby(t)
	lap("standby")
	replica, err := sql.Open("pgx", standby.URL(""))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { replica.Close() })

	// WALLET_READ_WAIT of 2 s instead of 200 ms: under make test's
	// parallel load the standby once took longer than 200 ms to replay a
	// payment, and that read went (correctly) to the primary; the test
	// asks that every read be served by the standby.
	const readWait = 2 * time.Second
	env := walletproc.Env(pg.URL(""), t.TempDir(), "DATABASE_READ_URL="+standby.URL(""), "WALLET_READ_WAIT="+readWait.String())
	shop := walletproc.CreatePartner(t, env, "Shop", "")
	bank := walletproc.CreatePartner(t, env, "Bank", "CHANNEL")
	s := walletproc.Start(t, env)
	lap("server")
	mobile := mobileOf(1)
	registerCustomer(t, shop, s.URL, mobile, s)
	mustCode(t, bank, s.URL, "POST", "/topup/va/payment/", `{"vaNumber":"39358`+mobile+`","amount":"100000","bankReference":"R1"}`, "r1", 0)

	lap("customer")
	before := historyCalls(t, replica)
	pay := func(i int) string {
		t.Helper()
		a := mustCode(t, shop, s.URL, "POST", "/wallet-payment/", fmt.Sprintf(`{"mobileNumber":"%s","amount":"1000","orderId":"O-%d"}`, mobile, i), fmt.Sprintf("p-%d", i), 0)
		return a.Env["responseId"].(string)
	}
	newest := func() string {
		t.Helper()
		a := mustCode(t, shop, s.URL, "GET", "/transaction-history/?mobileNumber="+mobile+"&limit=5", "", "", 0)
		items := a.Env["data"].(map[string]any)["items"].([]any)
		return items[0].(map[string]any)["reffId"].(string)
	}
	const n = 5
	for i := range n {
		reff := pay(i)
		// Read-your-writes: the page read right after the payment has it.
		if got := newest(); got != reff {
			t.Fatalf("history right after paying %s starts with %s", reff, got)
		}
		mustCode(t, shop, s.URL, "GET", "/transaction-status/?reffId="+reff, "", "", 0)
	}
	onReplica := historyCalls(t, replica) - before
	if onReplica < n {
		t.Fatalf("the standby executed %d history pages of %d", onReplica, n)
	}
	t.Logf("the standby executed %d history statements for %d pages", onReplica, n)

	// Replay paused: the standby cannot have the next payment; the read
	// waits WALLET_READ_WAIT, then the primary answers.
	if _, err := replica.Exec("SELECT pg_wal_replay_pause()"); err != nil {
		t.Fatal(err)
	}
	before = historyCalls(t, replica)
	reff := pay(n)
	if got := newest(); got != reff {
		t.Fatalf("with replay paused, history right after paying %s starts with %s", reff, got)
	}
	if d := historyCalls(t, replica) - before; d != 0 {
		t.Fatalf("with replay paused the standby executed %d history pages, want 0 (it lacks the payment)", d)
	}
	if _, err := replica.Exec("SELECT pg_wal_replay_resume()"); err != nil {
		t.Fatal(err)
	}
	// Operators see the routing: n status reads and n history pages on the
	// replica, the paused read on the primary.
	resp, err := http.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{`wallet_db_reads_total{server="replica"}`, `wallet_db_reads_total{server="primary"}`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics has no %s", want)
		}
	}
}
