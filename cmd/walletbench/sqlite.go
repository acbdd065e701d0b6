package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"
)

// sqliteResult is the embedded store's line (-store sqlite): the same
// customers, clients and payments as the PostgreSQL spread phase, on a
// wallet serve whose DATABASE_URL is empty (SQLite in its data directory).
type sqliteResult struct {
	Setup  setupStats  `json:"setup"`
	Warmup *phaseStats `json:"warmup,omitempty"`
	Spread *phaseStats `json:"spread"`
	RSS    rssStats    `json:"rss"`
	Server serverStats `json:"server"`
	Error  string      `json:"error,omitempty"`
}

// measureSQLite runs setup, warmup and the spread phase on the embedded
// store. Failures are recorded, not fatal: the PostgreSQL numbers stand.
func measureSQLite(ctx context.Context, cfg config, bin, work string) *sqliteResult {
	res := &sqliteResult{}
	fail := func(err error) *sqliteResult {
		res.Error = err.Error()
		log.Printf("sqlite: %v", err)
		return res
	}
	dir := filepath.Join(work, "sqlite")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fail(err)
	}
	env, addr, err := serverEnv("", dir)
	if err != nil {
		return fail(err)
	}
	log.Printf("sqlite: creating %d merchant partners, a hot merchant and a bank channel in %s", cfg.Merchants, dir)
	ps, err := createPartners(ctx, bin, env, cfg.Merchants)
	if err != nil {
		return fail(err)
	}
	srv, err := startServer(ctx, bin, env, addr)
	if err != nil {
		return fail(err)
	}
	defer srv.stop()
	c := newClient("http://"+addr, max(cfg.Concurrency, cfg.SetupConc))
	t0 := time.Now()
	pop, failed, err := enrollAll(ctx, c, srv.otps, ps, cfg)
	if err != nil {
		return fail(err)
	}
	res.Setup = setupStats{Customers: len(pop.spread) + len(pop.hot), Failed: failed, Seconds: round(time.Since(t0).Seconds(), 1)}
	res.Setup.PerSecond = round(float64(res.Setup.Customers)/res.Setup.Seconds, 1)
	log.Printf("sqlite: %d customers registered, verified and funded in %.1fs (%d failed)", res.Setup.Customers, res.Setup.Seconds, failed)
	spread := c.payOp(pop.spread, cfg.Amount)
	if cfg.Warmup > 0 {
		res.Warmup = closedLoop(ctx, "sqlite warmup", cfg.Warmup, cfg.Concurrency, spread)
	}
	rss := sampleRSS(srv.pid(), 200*time.Millisecond)
	m := cpuMeter{serverPID: srv.pid()} // the store is inside the server
	res.Spread = m.metered(func() *phaseStats {
		return closedLoop(ctx, "spread, SQLite (embedded)", cfg.Duration, cfg.Concurrency, spread)
	})
	res.RSS = rss.stop()
	if err := ctx.Err(); err != nil {
		return fail(fmt.Errorf("interrupted: %w", err))
	}
	log.Printf("sqlite: %.1f payments/s, p99 %.1f ms, %d errors", res.Spread.Rate, res.Spread.P99, res.Spread.Errors)
	res.Server = srv.stop()
	return res
}
