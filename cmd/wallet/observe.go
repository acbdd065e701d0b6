package main

import (
	"context"
	"time"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/adapters/jobs"
	"github.com/dompet/wallet/adapters/metrics"
	"github.com/dompet/wallet/adapters/tracing"
	"github.com/dompet/wallet/adapters/webhook"
	"github.com/dompet/wallet/app"
)

// provideMetrics builds the process's metrics over its one database pool
// and its job queue.
func provideMetrics(db *bunstore.DB) *metrics.Metrics {
	return metrics.New(db.SQL(), func(ctx context.Context) ([]metrics.QueueStat, error) {
		bs, err := jobs.Backlogs(ctx, db)
		if err != nil {
			return nil, err
		}
		out := make([]metrics.QueueStat, len(bs))
		for i, b := range bs {
			out[i] = metrics.QueueStat{Kind: b.Kind, State: b.State, Count: b.Count, OldestAge: b.OldestAge}
		}
		return out, nil
	})
}

// provideTracing exports spans by OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is
// set; the cleanup flushes them.
func provideTracing(ctx context.Context, cfg Config) (*tracing.Tracing, func(), error) {
	env := map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT":        cfg.OTel.Endpoint,
		"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": cfg.OTel.TracesEndpoint,
		"OTEL_SERVICE_NAME":                  cfg.OTel.ServiceName,
	}
	t, shutdown, err := tracing.Setup(ctx, func(k string) string { return env[k] })
	if err != nil {
		return nil, nil, err
	}
	return t, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = shutdown(ctx)
	}, nil
}

// provideGateways decorates the outbound ports with spans and hands the
// application its observer and tracer.
func provideGateways(bank app.BankGateway, qris app.QRISSwitch, mx *metrics.Metrics, tr *tracing.Tracing, reads readUoW) app.Gateways {
	if r, ok := reads.(*bunstore.ReadRouter); ok {
		mx.Reads(r.Reads)
	}
	return app.Gateways{Bank: tr.Bank(bank), QRIS: tr.QRIS(qris), Observer: mx, Tracer: tr, Reads: reads}
}

func provideWebhookSender(s *webhook.Sender, tr *tracing.Tracing) app.WebhookSender {
	return tr.Webhooks(s)
}
