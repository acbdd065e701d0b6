package rest_test

import (
	"net/http"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/adapters/tracing"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/internal/apptest"
	"github.com/dompet/wallet/internal/testdb"
)

// TestPaymentSpanTree checks the spans of a payment and of a transfer to a
// bank with an in-memory exporter: the request span named by its route,
// the use case under it, its database transactions under that, the bank
// gateway call, and the trace id answered in X-Trace-Id.
func TestPaymentSpanTree(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *bunstore.DB) {
		exp := tracetest.NewInMemoryExporter()
		tr := tracing.New(sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp)))
		s := apptest.New(t, db, nil, apptest.WithMiddleware(tr.Middleware), apptest.WithGateways(func(g app.Gateways) app.Gateways {
			g.Bank, g.Tracer = tr.Bank(g.Bank), tr
			return g
		}))
		c, bank := newClient(s, "PARTNER"), newClient(s, "CHANNEL")
		register(t, c, "081300000951")
		expect(t, topUpVA(t, bank, "081300000951", 500000, "BCA-T-1"), 200, 0)
		submitAndApprove(t, c, "081300000951")

		exp.Reset()
		req, _ := http.NewRequest("POST", s.Server.URL+"/wallet-payment/", strings.NewReader(`{"mobileNumber":"081300000951","amount":"25000","orderId":"T-1"}`))
		apptest.SignRequest(req, apptest.Request{Body: `{"mobileNumber":"081300000951","amount":"25000","orderId":"T-1"}`, PartnerID: c.id, Secret: c.secret, ExternalID: "trace-1"})
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("payment: %v %v", resp, err)
		}
		resp.Body.Close()
		traceID := resp.Header.Get("X-Trace-Id")
		spans := exp.GetSpans()
		byName := map[string]tracetest.SpanStub{}
		for _, sp := range spans {
			if sp.SpanContext.TraceID().String() != traceID {
				t.Errorf("span %s in trace %s, answer says %s", sp.Name, sp.SpanContext.TraceID(), traceID)
			}
			if _, seen := byName[sp.Name]; !seen {
				byName[sp.Name] = sp
			}
		}
		root, ok := byName["POST /wallet-payment"]
		if !ok {
			t.Fatalf("no request span named by the route: %v", names(spans))
		}
		pay, ok := byName["app.Pay"]
		if !ok || pay.Parent.SpanID() != root.SpanContext.SpanID() {
			t.Fatalf("app.Pay is not a child of the request span: %v", names(spans))
		}
		txUnderPay := 0
		for _, sp := range spans {
			if sp.Name == "db.transaction" && sp.Parent.SpanID() == pay.SpanContext.SpanID() {
				txUnderPay++
			}
		}
		if txUnderPay == 0 {
			t.Fatalf("no database transaction under app.Pay: %v", names(spans))
		}
		for _, sp := range spans {
			if strings.Contains(sp.Name, "081300000951") {
				t.Errorf("a span name carries a phone number: %s", sp.Name)
			}
		}

		exp.Reset()
		expect(t, c.post("/bank-transfer/", `{"mobileNumber":"081300000951","bankCode":"014","bankAccount":"1234567890","amount":"50000"}`), 200, 0)
		spans = exp.GetSpans()
		byName = map[string]tracetest.SpanStub{}
		for _, sp := range spans {
			byName[sp.Name] = sp
		}
		use, disburse := byName["app.TransferToBank"], byName["bank.Disburse"]
		if disburse.Name == "" || disburse.Parent.SpanID() != use.SpanContext.SpanID() {
			t.Fatalf("bank.Disburse is not a child of app.TransferToBank: %v", names(spans))
		}
	})
}

func names(spans tracetest.SpanStubs) []string {
	out := make([]string, len(spans))
	for i, sp := range spans {
		out[i] = sp.Name + "<" + sp.Parent.SpanID().String()[:4] + "/" + sp.SpanContext.SpanID().String()[:4]
	}
	return out
}
