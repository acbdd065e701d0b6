// Command walletbench is the load benchmark behind `make bench` (SPEC §10).
//
// In one run it creates a fresh PostgreSQL database, builds and starts
// `wallet serve` on it, registers and funds customers through the signed REST
// API (reading OTPs from the console notifier on the server's stderr), drives
// wallet payments spread over many merchants and then to one hot merchant,
// measures latency at half of the peak rate, runs pgbench on the same
// database, optionally prefills the ledger with millions of postings and
// runs the spread phase again, reconciles the ledger, and reports every
// number against its target. Missed targets are reported, never fatal; only errors that make the
// numbers meaningless (the server does not start, setup fails) exit non-zero.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/dompet/wallet/adapters/bunstore"
)

// config is the command line.
type config struct {
	Duration     time.Duration
	Warmup       time.Duration
	Concurrency  int
	Customers    int
	Merchants    int
	Amount       int64
	TopUp        int64
	SetupConc    int
	DBURL        string
	Keep         bool
	PgbenchScale int
	Pgbench      string
	OutDir       string
	Prefill      int
	Store        string
	PaymentSQL   bool
	Replicas     int
	PgBouncer    bool
	Profile      string
	ServerBin    string
	Timeline     string
}

const defaultDBURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

func main() {
	var cfg config
	flag.DurationVar(&cfg.Duration, "duration", 20*time.Second, "length of each measured phase (spread, hot, half load, pgbench)")
	flag.DurationVar(&cfg.Warmup, "warmup", 3*time.Second, "unmeasured spread load before the first phase")
	flag.IntVar(&cfg.Concurrency, "concurrency", 16, "concurrent clients for the payment phases and pgbench -c")
	flag.IntVar(&cfg.Customers, "customers", 2000, "customers to register, split in two disjoint halves: spread and hot")
	flag.IntVar(&cfg.Merchants, "merchants", 16, "merchant partners of the spread variant")
	flag.Int64Var(&cfg.Amount, "amount", 1000, "rupiah per payment")
	flag.Int64Var(&cfg.TopUp, "topup", 2_000_000, "rupiah each customer is topped up with (BASIC cap: 2,000,000)")
	flag.IntVar(&cfg.SetupConc, "setup-concurrency", 32, "concurrent registrations during setup")
	flag.StringVar(&cfg.DBURL, "db-url", cmp.Or(os.Getenv("BENCH_DB_URL"), defaultDBURL),
		"PostgreSQL server (its database is the maintenance DB); a fresh wallet_bench_<timestamp> database is created there (default $BENCH_DB_URL)")
	flag.BoolVar(&cfg.Keep, "keep", false, "keep the benchmark database instead of dropping it")
	flag.IntVar(&cfg.PgbenchScale, "pgbench-scale", 10, "pgbench -i -s")
	flag.StringVar(&cfg.Pgbench, "pgbench", findPgbench(), "pgbench binary")
	flag.StringVar(&cfg.OutDir, "out", "bench/results", "directory for the JSON result")
	flag.IntVar(&cfg.Prefill, "prefill", 0, "after pgbench, insert this many postings in SQL (e.g. 10000000), restart the server and run the spread phase again: \"latency flat\" (0: skip)")
	flag.StringVar(&cfg.Store, "store", "postgres", "postgres, or sqlite: also run setup and the spread phase on the embedded SQLite store (its own line)")
	flag.BoolVar(&cfg.PaymentSQL, "pgbench-payment", true, "after the reconcile, also run a payment's own SQL with pgbench (simple protocol, and prepared): PostgreSQL's ceiling for payments")
	flag.IntVar(&cfg.Replicas, "replicas", 1, "after the one-server phases, run the spread phase again on this many servers sharing the database (1: skip)")
	flag.BoolVar(&cfg.PgBouncer, "pgbouncer", false, "run the -replicas phase through PgBouncer in transaction-pooling mode (WALLET_DB_POOLER=pgbouncer)")
	flag.StringVar(&cfg.Profile, "profile", "", "directory: write CPU profiles of the spread phase there, walletbench.pprof (this load generator) and server.pprof (the server, through WALLET_PPROF_ADDR)")
	flag.StringVar(&cfg.ServerBin, "server-bin", "", "run this wallet binary instead of building ./cmd/wallet from the working tree (A/B comparisons of two builds)")
	flag.StringVar(&cfg.Timeline, "timeline", "", "file: write the half-load phase request by request there (due offset and latency in ms), to find where its slow answers fall")
	readme := flag.Bool("readme", false, "run nothing: rewrite README.md's benchmark table from the newest JSON in -out")
	flag.Parse()

	log.SetFlags(log.Ltime)
	log.SetPrefix("walletbench: ")
	if *readme {
		src, err := updateReadme(cfg.OutDir, "README.md")
		if err != nil {
			log.Fatal(err)
		}
		log.Printf("README.md: benchmark table from %s", src)
		return
	}
	if err := cfg.validate(); err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		log.Print(err)
		stop()
		os.Exit(1)
	}
}

func (c config) validate() error {
	switch {
	case c.Duration < time.Second:
		return errors.New("-duration must be at least 1s")
	case c.Concurrency < 1 || c.Merchants < 1 || c.SetupConc < 1:
		return errors.New("-concurrency, -merchants and -setup-concurrency must be positive")
	case c.Customers < 2:
		return errors.New("-customers must be at least 2 (one spread, one hot)")
	case c.Amount < 1 || c.Amount > c.TopUp:
		return errors.New("-amount must be between 1 and -topup")
	case c.Store != "postgres" && c.Store != "sqlite":
		return errors.New("-store must be postgres or sqlite")
	case c.Replicas < 1:
		return errors.New("-replicas must be at least 1")
	case c.Prefill < 0 || c.Prefill == 1:
		return errors.New("-prefill must be 0 or at least 2 (postings come in pairs)")
	}
	return nil
}

func findPgbench() string {
	if p, err := exec.LookPath("pgbench"); err == nil {
		return p
	}
	return "/usr/lib/postgresql/15/bin/pgbench"
}

// serverPool is the wallet server's PostgreSQL pool size: the
// WALLET_DB_MAX_CONNS it inherits, or its default on this machine.
func serverPool() int {
	if n, err := strconv.Atoi(os.Getenv("WALLET_DB_MAX_CONNS")); err == nil && n > 0 {
		return n
	}
	return bunstore.DefaultMaxConns()
}

// run is one benchmark from an empty database to the written report.
func run(ctx context.Context, cfg config) error {
	started := time.Now().UTC()
	res := newResult(cfg, started)

	work, err := os.MkdirTemp("", "walletbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	dbName := "wallet_bench_" + started.Format("20060102_150405")
	dbURL, drop, err := createDatabase(ctx, cfg.DBURL, dbName)
	if err != nil {
		return err
	}
	res.Params.Database = dbName
	defer func() {
		if cfg.Keep {
			log.Printf("kept database %s", dbName)
			return
		}
		if err := drop(); err != nil {
			log.Printf("drop database %s: %v", dbName, err)
		}
	}()

	bin := cfg.ServerBin
	if bin == "" {
		log.Print("building wallet")
		if bin, err = buildWallet(ctx, work); err != nil {
			return err
		}
	} else {
		res.Commit = "server-bin " + bin
	}
	env, addr, err := serverEnv(dbURL, work)
	if err != nil {
		return err
	}
	var prof *profiler
	if cfg.Profile != "" {
		if prof, env, err = newProfiler(cfg.Profile, env); err != nil {
			return err
		}
	}
	log.Printf("creating %d merchant partners, a hot merchant and a bank channel", cfg.Merchants)
	ps, err := createPartners(ctx, bin, env, cfg.Merchants)
	if err != nil {
		return err
	}
	srv, err := startServer(ctx, bin, env, addr)
	if err != nil {
		return err
	}
	defer srv.stop()

	c := newClient("http://"+addr, max(cfg.Concurrency, cfg.SetupConc))
	t0 := time.Now()
	pop, failed, err := enrollAll(ctx, c, srv.otps, ps, cfg)
	if err != nil {
		return err
	}
	res.Setup = setupStats{Customers: len(pop.spread) + len(pop.hot), Failed: failed,
		Seconds: round(time.Since(t0).Seconds(), 1)}
	res.Setup.PerSecond = round(float64(res.Setup.Customers)/res.Setup.Seconds, 1)
	log.Printf("%d customers registered, verified and funded in %.1fs (%d failed)", res.Setup.Customers, res.Setup.Seconds, failed)

	rss := sampleRSS(srv.pid(), 200*time.Millisecond)
	err = drive(ctx, cfg, c, pop, res, cpuMeter{serverPID: srv.pid(), dbURL: dbURL}, prof)
	res.RSS = rss.stop()
	if err != nil {
		return err
	}

	log.Print("stopping the server")
	res.Server = srv.stop()

	if cfg.Replicas > 1 || cfg.PgBouncer {
		res.Replicas = measureReplicas(ctx, cfg, bin, env, dbURL, pop, max(cfg.Concurrency, cfg.SetupConc))
		if res.Replicas.Error != "" {
			log.Printf("replicas: %s", res.Replicas.Error)
		}
	}

	var halfRate float64
	if res.Half != nil {
		halfRate = res.Half.TargetRate
	}
	log.Printf("pgbench -i -s %d, then -c %d for %s, closed loop and at %.0f/s", cfg.PgbenchScale, cfg.Concurrency, cfg.Duration, halfRate)
	res.Pgbench = runPgbench(ctx, cfg.Pgbench, dbURL, work, cfg.PgbenchScale, cfg.Concurrency, cfg.Duration, halfRate, serverPool())
	if res.Pgbench.Error != "" {
		log.Printf("pgbench: %s", res.Pgbench.Error)
	}
	if h := res.Pgbench.HalfLoad; h != nil && h.Error != "" {
		log.Printf("pgbench at %.0f/s: %s", h.TargetRate, h.Error)
	}

	if cfg.Prefill > 0 {
		res.Prefill, err = measurePrefilled(ctx, cfg, bin, env, addr, dbURL, c, pop)
		if err != nil {
			return err
		}
	}

	log.Print("reconciling the ledger")
	res.Reconcile = reconcile(ctx, bin, env)

	if cfg.PaymentSQL && res.Pgbench.Error == "" {
		res.PaymentSQL = runPaymentScripts(ctx, cfg.Pgbench, dbURL, work, cfg.Concurrency, cfg.Duration)
		if res.PaymentSQL.Error != "" {
			log.Printf("pgbench, payment's SQL: %s", res.PaymentSQL.Error)
		}
	}

	if cfg.Store == "sqlite" {
		res.SQLite = measureSQLite(ctx, cfg, bin, work)
	}

	res.evaluate()
	res.print(os.Stdout)
	path, err := res.write(cfg.OutDir)
	if err != nil {
		return err
	}
	log.Printf("wrote %s", path)
	if res.Pgbench.Error != "" {
		return errors.New("pgbench failed: the throughput ratio is meaningless")
	}
	if res.Prefill != nil && res.Prefill.Error != "" {
		return errors.New("the prefill failed: latency on a large ledger was not measured")
	}
	return nil
}

// drive runs the payment phases; it stops early when ctx is done.
func drive(ctx context.Context, cfg config, c *client, pop population, res *result, m cpuMeter, prof *profiler) error {
	spread, hot := c.payOp(pop.spread, cfg.Amount), c.payOp(pop.hot, cfg.Amount)
	done := func(s *phaseStats) error {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("interrupted during %s: %w", s.Name, err)
		}
		log.Printf("%s: %.1f payments/s, p99 %.1f ms, %d errors", s.Name, s.Rate, s.P99, s.Errors)
		return nil
	}
	if cfg.Warmup > 0 {
		log.Printf("warmup: %s", cfg.Warmup)
		res.Warmup = closedLoop(ctx, "warmup", cfg.Warmup, cfg.Concurrency, spread)
		if err := done(res.Warmup); err != nil {
			return err
		}
	}
	log.Printf("spread: %d clients, %d merchants, %s", cfg.Concurrency, cfg.Merchants, cfg.Duration)
	stopProfile := prof.start(ctx, cfg.Duration)
	res.Spread = m.metered(func() *phaseStats { return closedLoop(ctx, "spread", cfg.Duration, cfg.Concurrency, spread) })
	stopProfile()
	if err := done(res.Spread); err != nil {
		return err
	}
	log.Printf("hot: %d clients, one merchant, %s", cfg.Concurrency, cfg.Duration)
	res.Hot = m.metered(func() *phaseStats { return closedLoop(ctx, "hot", cfg.Duration, cfg.Concurrency, hot) })
	if err := done(res.Hot); err != nil {
		return err
	}
	rate := res.Spread.Rate / 2
	if rate <= 0 {
		log.Print("half load: skipped, the spread phase made no payment")
		return nil
	}
	log.Printf("half load: %.1f payments/s open loop, %s", rate, cfg.Duration)
	var tl *timeline
	if cfg.Timeline != "" {
		tl = &timeline{}
	}
	res.Half = m.metered(func() *phaseStats { return openLoop(ctx, "half load", cfg.Duration, rate, spread, tl) })
	if tl != nil {
		if err := tl.write(cfg.Timeline); err != nil {
			log.Printf("timeline: %v", err)
		}
	}
	if err := done(res.Half); err != nil || cfg.Prefill == 0 {
		return err
	}
	// The reference for history at N postings: the same reads now.
	log.Printf("history: %d clients, first pages, %s", cfg.Concurrency, historyDuration(cfg))
	res.History = closedLoop(ctx, "history, first page", historyDuration(cfg), cfg.Concurrency, c.historyOp(pop.spread, ""))
	return done(res.History)
}

// historyDuration is how long each history phase runs: they only come
// with -prefill, whose run is long already.
func historyDuration(cfg config) time.Duration { return min(cfg.Duration, 10*time.Second) }
