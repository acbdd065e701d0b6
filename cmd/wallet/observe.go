package main

import (
	"context"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/adapters/jobs"
	"github.com/dompet/wallet/adapters/metrics"
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
