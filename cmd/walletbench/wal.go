package main

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// WAL accounting. A payment's commit waits for its WAL to reach the disk,
// and on a machine whose fsyncs stall now and then the bytes each commit
// carries decide how long the queue behind a stall grows. pg_stat_wal
// (PostgreSQL 14+) counts the cluster's WAL records, full-page images and
// bytes; its difference over a phase, divided by the payments (or pgbench
// transactions) completed, is what each one wrote. The counters are
// cluster-wide: on a quiet machine the phase is all that writes.

type walCounters struct {
	records, fpi, bytes float64
	checkpoints         int64
}

// readWAL reads pg_stat_wal and the checkpoint count; ok is false where
// the view is missing (PostgreSQL before 14, SQLite) or unreachable.
func readWAL(ctx context.Context, dbURL string) (walCounters, bool) {
	if dbURL == "" {
		return walCounters{}, false
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return walCounters{}, false
	}
	defer conn.Close(context.Background())
	var w walCounters
	err = conn.QueryRow(ctx, `SELECT w.wal_records::float8, w.wal_fpi::float8, w.wal_bytes::float8,
		b.checkpoints_timed + b.checkpoints_req FROM pg_stat_wal w, pg_stat_bgwriter b`).
		Scan(&w.records, &w.fpi, &w.bytes, &w.checkpoints)
	return w, err == nil
}

// walStats is the WAL a phase wrote per completed payment (pgbench: per
// transaction), and the checkpoints that started during it (after each,
// the first change to a page logs the whole page).
type walStats struct {
	BytesPerPayment   float64 `json:"bytesPerPayment"`
	RecordsPerPayment float64 `json:"recordsPerPayment"`
	FPIPerPayment     float64 `json:"fullPageImagesPerPayment"`
	Checkpoints       int64   `json:"checkpoints"`
}

// walSince is the WAL written since before, per completed payment; nil
// when either reading failed or nothing completed.
func walSince(ctx context.Context, dbURL string, before walCounters, ok bool, completed int) *walStats {
	after, ok2 := readWAL(ctx, dbURL)
	if !ok || !ok2 || completed <= 0 {
		return nil
	}
	n := float64(completed)
	return &walStats{
		BytesPerPayment:   round((after.bytes-before.bytes)/n, 0),
		RecordsPerPayment: round((after.records-before.records)/n, 1),
		FPIPerPayment:     round((after.fpi-before.fpi)/n, 2),
		Checkpoints:       after.checkpoints - before.checkpoints,
	}
}
