package rest_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/adapters/httpapi"
	"github.com/dompet/wallet/adapters/jobs"
	"github.com/dompet/wallet/adapters/metrics"
	"github.com/dompet/wallet/adapters/rest"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/graph"
	"github.com/dompet/wallet/internal/apptest"
	"github.com/dompet/wallet/internal/testdb"
)

// TestMetricsMoveWithAPayment scrapes /metrics before and after a top-up
// and a payment: the request, ledger, GraphQL, queue and pool series move,
// and no label carries a phone number or an id.
func TestMetricsMoveWithAPayment(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *bunstore.DB) {
		mx := metrics.New(db.SQL(), func(ctx context.Context) ([]metrics.QueueStat, error) {
			bs, err := jobs.Backlogs(ctx, db)
			out := make([]metrics.QueueStat, len(bs))
			for i, b := range bs {
				out[i] = metrics.QueueStat{Kind: b.Kind, State: b.State, Count: b.Count, OldestAge: b.OldestAge}
			}
			return out, err
		})
		s := apptest.New(t, db, func(a *app.App, log *slog.Logger) rest.Mounts {
			return rest.Mounts{Metrics: mx.Handler(),
				GraphQL: graph.NewHandler(a, httpapi.NewValidator(), log, graph.WithExtension(mx.GraphQL()))}
		}, apptest.WithObserver(mx), apptest.WithMiddleware(mx.Instrument))
		scrape := func() string {
			t.Helper()
			resp, err := http.Get(s.Server.URL + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
				t.Fatalf("/metrics: HTTP %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			return string(b)
		}
		before := scrape()
		for _, absent := range []string{`route="/wallet-payment"`, `wallet_ledger_movements_total{outcome="SUCCESS",type="WALLET_PAYMENT"}`} {
			if strings.Contains(before, absent) {
				t.Fatalf("%s present before any request", absent)
			}
		}

		c, bank := newClient(s, "PARTNER"), newClient(s, "CHANNEL")
		register(t, c, "081300000901")
		expect(t, topUpVA(t, bank, "081300000901", 200000, "BCA-M-1"), 200, 0)
		expect(t, c.post("/wallet-payment/", `{"mobileNumber":"081300000901","amount":"50000","orderId":"M-1"}`), 200, 0)
		expect(t, c.post("/wallet-payment/", `{"mobileNumber":"081300000901","amount":"9999999","orderId":"M-2"}`), 422, 50)
		expect(t, c.get("/customer-account-inquiry/?mobileNumber=081300000999"), 403, 21)
		req, _ := http.NewRequest("POST", s.Server.URL+"/graphql", strings.NewReader(`{"query":"{ banks { bankCode bankName } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-PARTNER-ID", c.id)
		if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
			t.Fatalf("graphql banks: %v %v", resp, err)
		}

		after := scrape()
		for _, want := range []string{
			`wallet_http_requests_total{code="0",method="POST",route="/wallet-payment"} 1`,
			`wallet_http_requests_total{code="50",method="POST",route="/wallet-payment"} 1`,
			`wallet_http_requests_total{code="21",method="GET",route="/customer-account-inquiry"} 1`,
			`wallet_http_requests_total{code="0",method="POST",route="/graphql"} 1`,
			`wallet_http_request_duration_seconds_count{code="0",method="POST",route="/wallet-payment"} 1`,
			`wallet_graphql_operations_total{field="banks",outcome="ok",type="query"} 1`,
			`wallet_ledger_movements_total{outcome="SUCCESS",type="WALLET_PAYMENT"} 1`,
			`wallet_ledger_amount_rupiah_total{outcome="SUCCESS",type="WALLET_PAYMENT"} 50000`,
			`wallet_ledger_movements_total{outcome="SUCCESS",type="TOPUP_VA"} 1`,
			`wallet_ledger_amount_rupiah_total{outcome="SUCCESS",type="TOPUP_VA"} 200000`,
			`wallet_job_queue_up 1`,
			`wallet_job_queue_depth{kind="notify_send",state="available"}`,
			`wallet_job_queue_oldest_age_seconds{kind="notify_send"}`,
			`go_sql_open_connections{db_name="wallet"}`,
			`go_goroutines`,
		} {
			if !strings.Contains(after, want) {
				t.Errorf("scrape lacks %s", want)
			}
		}
		for _, secret := range []string{"081300000901", "6281300000901", "081300000999", c.id, bank.id, "BCA-M-1", "M-1"} {
			for _, line := range strings.Split(after, "\n") {
				if strings.HasPrefix(line, "wallet_") && strings.Contains(line, secret) {
					t.Errorf("a label carries %q: %s", secret, line)
				}
			}
		}
		if t.Failed() {
			t.Logf("scrape:\n%s", grepWallet(after))
		}
	})
}

func grepWallet(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "wallet_") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
