package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

// result is everything one run measured; it is printed as a table and
// written as JSON.
type result struct {
	Time      string          `json:"time"`
	Commit    string          `json:"commit"`
	GoVersion string          `json:"goVersion"`
	Machine   machine         `json:"machine"`
	Params    params          `json:"params"`
	Setup     setupStats      `json:"setup"`
	Warmup    *phaseStats     `json:"warmup,omitempty"`
	Spread    *phaseStats     `json:"spread"`
	Hot       *phaseStats     `json:"hot"`
	Half      *phaseStats     `json:"halfLoad"`
	History   *phaseStats     `json:"history,omitempty"` // with -prefill: first history pages on the small ledger
	Pgbench   pgbenchResult   `json:"pgbench"`
	RSS       rssStats        `json:"rss"`
	Server    serverStats     `json:"server"`
	Reconcile reconcileResult `json:"reconcile"`
	Targets   []target        `json:"targets"`
	Prefill   *prefillResult  `json:"prefill,omitempty"`
	SQLite    *sqliteResult   `json:"sqlite,omitempty"`
	// PaymentSQL is pgbench running a payment's own statements.
	PaymentSQL *paymentScriptResult `json:"pgbenchPaymentSql,omitempty"`
	// Replicas is the spread phase on -replicas servers (-pgbouncer).
	Replicas *replicasResult `json:"replicas,omitempty"`
	// CPUBoundRatio is pgbench tpcb-like's CPU per transaction ÷ the
	// spread phase's CPU per payment (every process summed): the spread ÷
	// pgbench ratio the machine would show if CPU were all that limits
	// both. Unlike throughput it hardly moves with other load.
	CPUBoundRatio float64 `json:"cpuBoundRatio,omitempty"`
}

type machine struct {
	NumCPU   int    `json:"nproc"`
	CPU      string `json:"cpu,omitempty"`
	MemTotal string `json:"memTotal,omitempty"`
	OS       string `json:"os"`
}

type params struct {
	Duration        string            `json:"duration"`
	Warmup          string            `json:"warmup"`
	Concurrency     int               `json:"concurrency"`
	Customers       int               `json:"customers"`
	Merchants       int               `json:"merchants"`
	Amount          int64             `json:"amount"`
	TopUp           int64             `json:"topUp"`
	PgbenchScale    int               `json:"pgbenchScale"`
	Server          string            `json:"server"`
	Database        string            `json:"database"`
	Kept            bool              `json:"kept"`
	Prefill         int               `json:"prefill"`
	Store           string            `json:"store"`
	ServerOverrides map[string]string `json:"serverEnvOverrides,omitempty"`
}

type setupStats struct {
	Customers int     `json:"customers"`
	Failed    int     `json:"failed"`
	Seconds   float64 `json:"seconds"`
	PerSecond float64 `json:"customersPerSecond"`
}

type serverStats struct {
	Warnings  int      `json:"warnLines"`
	Errors    int      `json:"errorLines"`
	Other     int      `json:"nonJsonLines"`
	Samples   []string `json:"samples,omitempty"`
	ExitError string   `json:"exitError,omitempty"`
	Killed    bool     `json:"killed,omitempty"`
}

type reconcileResult struct {
	OK       bool   `json:"ok"`
	ExitCode int    `json:"exitCode"`
	Output   string `json:"output"`
}

// target is one SPEC §10 target; Status is met, missed or not measured.
type target struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Limit  string `json:"limit"`
	Status string `json:"status"`
}

func newResult(cfg config, now time.Time) *result {
	server := cfg.DBURL
	if u, err := url.Parse(cfg.DBURL); err == nil {
		server = u.Redacted()
	}
	overrides := map[string]string{}
	for _, kv := range os.Environ() {
		// Variables the benchmark sets itself are not overrides.
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "WALLET_HTTP_ADDR", "WALLET_DATA_DIR", "WALLET_LOG_LEVEL", "WALLET_MASTER_KEY", "WALLET_NOTIFIER",
			"WALLET_PARTNER_ID", "WALLET_PARTNER_SECRET":
			continue
		}
		if strings.HasPrefix(k, "WALLET_") && !strings.Contains(k, "SECRET") && !strings.Contains(k, "TOKEN") {
			overrides[k] = v
		}
	}
	return &result{
		Time:      now.Format(time.RFC3339),
		Commit:    gitCommit(),
		GoVersion: runtime.Version(),
		Machine:   machine{NumCPU: runtime.NumCPU(), CPU: procField("/proc/cpuinfo", "model name"), MemTotal: procField("/proc/meminfo", "MemTotal"), OS: runtime.GOOS + "/" + runtime.GOARCH},
		Params: params{Duration: cfg.Duration.String(), Warmup: cfg.Warmup.String(), Concurrency: cfg.Concurrency,
			Customers: cfg.Customers, Merchants: cfg.Merchants, Amount: cfg.Amount, TopUp: cfg.TopUp,
			PgbenchScale: cfg.PgbenchScale, Server: server, Kept: cfg.Keep, Prefill: cfg.Prefill, Store: cfg.Store, ServerOverrides: overrides},
	}
}

// gitCommit is HEAD, with "-dirty" when the working tree has changes (the
// benchmark builds the working tree, not HEAD).
func gitCommit() string {
	out, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	commit := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
		commit += "-dirty"
	}
	return commit
}

// procField returns the first "name: value" of a /proc file.
func procField(path, name string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	for line := range strings.Lines(string(b)) {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// evaluate compares the numbers with SPEC §10.
func (r *result) evaluate() {
	status := func(ok bool) string {
		if ok {
			return "met"
		}
		return "missed"
	}
	add := func(name, value, limit, st string) {
		r.Targets = append(r.Targets, target{Name: name, Value: value, Limit: limit, Status: st})
	}
	if r.Pgbench.TPS > 0 {
		ratio := r.Spread.Rate / r.Pgbench.TPS
		add("spread payments/s ÷ pgbench tps", fmt.Sprintf("%.2f", ratio), "≥ 0.50", status(ratio >= 0.5))
	} else {
		add("spread payments/s ÷ pgbench tps", "n/a", "≥ 0.50", "not measured")
	}
	if r.Spread.Rate > 0 {
		ratio := r.Hot.Rate / r.Spread.Rate
		add("hot ÷ spread payments/s", fmt.Sprintf("%.2f", ratio), "≥ 0.80", status(ratio >= 0.8))
	}
	if r.Half != nil {
		v := fmt.Sprintf("%.1f ms", r.Half.P99)
		if h := r.Pgbench.HalfLoad; h != nil && h.Error == "" {
			v += fmt.Sprintf(" (pgbench at that rate: %.1f ms)", h.P99)
		}
		add("p99 at half of peak load", v, "≤ 25 ms", status(r.Half.P99 <= 25))
	} else {
		add("p99 at half of peak load", "n/a", "≤ 25 ms", "not measured")
	}
	errs := r.Spread.Errors + r.Hot.Errors
	if r.Half != nil {
		errs += r.Half.Errors
	}
	errName := "errors (spread + hot + half load)"
	if r.Prefill != nil && r.Prefill.Spread != nil {
		errs += r.Prefill.Spread.Errors
		errName = "errors (spread + hot + half load + spread at N)"
	}
	add(errName, fmt.Sprint(errs), "0", status(errs == 0))
	add("server RSS under load (peak VmRSS)", fmt.Sprintf("%.1f MiB", r.RSS.PeakRSSMiB), "≤ 150 MiB", status(r.RSS.PeakRSSMiB <= 150))
	rec := "FAILED"
	if r.Reconcile.OK {
		rec = "OK"
	}
	add("wallet reconcile after the run", rec, "OK", status(r.Reconcile.OK))
	r.evaluateFlat(add)
	if r.Spread != nil && r.Spread.CPU != nil && r.Spread.CPU.TotalMs > 0 && r.Pgbench.CPU != nil {
		r.CPUBoundRatio = round(r.Pgbench.CPU.TotalMs/r.Spread.CPU.TotalMs, 2)
	}
}

// evaluateFlat compares the spread phase on the prefilled ledger with the
// empty-ledger one: p50 and p99 must both stay within ±20 %. A ledger
// smaller than 10 M postings can miss the target but not meet it.
func (r *result) evaluateFlat(add func(name, value, limit, status string)) {
	const name, limit = "latency flat from empty to 10 M postings", "p50, p99 ±20 %"
	p := r.Prefill
	switch {
	case p == nil:
		add(name, "n/a (-prefill 0)", limit, "not measured")
		return
	case p.Spread == nil || p.Error != "":
		add(name, "n/a (prefill failed)", limit, "not measured")
		return
	case r.Spread.P50 <= 0 || r.Spread.P99 <= 0 || r.Spread.Rate <= 0:
		add(name, "n/a (no empty-ledger latency)", limit, "not measured")
		return
	}
	p.P50Ratio = round(p.Spread.P50/r.Spread.P50, 2)
	p.P99Ratio = round(p.Spread.P99/r.Spread.P99, 2)
	p.RateRatio = round(p.Spread.Rate/r.Spread.Rate, 2)
	within := func(x float64) bool { return x >= 0.8 && x <= 1.2 }
	value := fmt.Sprintf("p50 ×%.2f, p99 ×%.2f at %s postings", p.P50Ratio, p.P99Ratio, countLabel(p.LedgerPostings))
	verdict := func(name, value string, ok bool) {
		switch {
		case !ok:
			add(name, value, limit, "missed")
		case p.LedgerPostings < flatAt:
			add(name, value+" (< 10 M)", limit, "not measured")
		default:
			add(name, value, limit, "met")
		}
	}
	verdict(name, value, within(p.P50Ratio) && within(p.P99Ratio))
	// History beside the payments: the first page and a deep page at N
	// against the first page on the small ledger.
	if r.History == nil || p.History == nil || p.DeepHistory == nil || r.History.P99 <= 0 {
		return
	}
	p.HistoryP99x = round(p.History.P99/r.History.P99, 2)
	deep := round(p.DeepHistory.P99/r.History.P99, 2)
	verdict("history p99 flat (first page, deep page)",
		fmt.Sprintf("×%.2f, ×%.2f at %s postings", p.HistoryP99x, deep, countLabel(p.LedgerPostings)), within(p.HistoryP99x) && within(deep))
}

func (r *result) print(w io.Writer) {
	fmt.Fprintf(w, "\nwalletbench %s  commit %s  %s  %d CPU (%s)\n", r.Time, shortCommit(r.Commit), r.GoVersion, r.Machine.NumCPU, r.Machine.CPU)
	p := r.Params
	fmt.Fprintf(w, "%s per phase, %d clients, %d customers (half spread over %d merchants, half on the hot one), Rp%d per payment\n",
		p.Duration, p.Concurrency, p.Customers, p.Merchants, p.Amount)
	fmt.Fprintf(w, "setup: %d customers registered, OTP-verified and funded in %.1fs (%.0f/s)\n\n", r.Setup.Customers, r.Setup.Seconds, r.Setup.PerSecond)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\tpayments/s\tp50 ms\tp95 ms\tp99 ms\tmax ms\trequests\terrors\t")
	var atN, lite *phaseStats
	if r.Prefill != nil {
		atN = r.Prefill.Spread
	}
	if r.SQLite != nil {
		lite = r.SQLite.Spread
	}
	var histN, deepN *phaseStats
	if r.Prefill != nil {
		histN, deepN = r.Prefill.History, r.Prefill.DeepHistory
	}
	var reps *phaseStats
	if r.Replicas != nil {
		reps = r.Replicas.Spread
	}
	for _, s := range []*phaseStats{r.Spread, r.Hot, r.Half, r.History, atN, histN, deepN, lite, reps} {
		if s == nil {
			continue
		}
		name := s.Name
		if s.TargetRate > 0 {
			name = fmt.Sprintf("%s (%.0f/s offered)", s.Name, s.TargetRate)
		}
		fmt.Fprintf(tw, "%s\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%d\t%d\t\n", name, s.Rate, s.P50, s.P95, s.P99, s.Max, s.Requests, s.Errors)
	}
	if r.Pgbench.TPS > 0 {
		fmt.Fprintf(tw, "pgbench tpcb-like (tps)\t%.1f\t\t\t\t\t\t\t\n", r.Pgbench.TPS)
	} else {
		fmt.Fprintf(tw, "pgbench tpcb-like (tps)\tfailed\t\t\t\t\t\t\t\n")
	}
	if h := r.Pgbench.HalfLoad; h != nil && h.Error == "" {
		fmt.Fprintf(tw, "pgbench tpcb-like, %d clients (%.0f/s offered; tps)\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%d\t\t\n", h.Clients, h.TargetRate, h.TPS, h.P50, h.P95, h.P99, h.Max, h.Requests)
	} else if h != nil {
		fmt.Fprintf(tw, "pgbench tpcb-like (%.0f/s offered)\tfailed\t\t\t\t\t\t\t\n", h.TargetRate)
	}
	if ps := r.PaymentSQL; ps != nil && ps.SimpleTPS > 0 {
		fmt.Fprintf(tw, "pgbench, a payment's SQL, simple protocol (tps)\t%.1f\t\t\t\t\t\t\t\n", ps.SimpleTPS)
	}
	if ps := r.PaymentSQL; ps != nil && ps.PreparedTPS > 0 {
		fmt.Fprintf(tw, "pgbench, a payment's SQL, prepared as sent now (tps)\t%.1f\t\t\t\t\t\t\t\n", ps.PreparedTPS)
	}
	tw.Flush()
	for _, s := range []*phaseStats{r.Warmup, r.Spread, r.Hot, r.Half, atN, lite} {
		if s == nil {
			continue
		}
		for k, n := range s.ErrorKinds {
			fmt.Fprintf(w, "  %s: %d × %s, e.g. %s\n", s.Name, n, k, s.ErrorSamples[k])
		}
	}
	r.printCPU(w)
	fmt.Fprintf(w, "\nserver: peak RSS under load %.1f MiB (VmHWM %.1f MiB); log: %d warnings, %d errors, %d non-JSON lines\n",
		r.RSS.PeakRSSMiB, r.RSS.HWMMiB, r.Server.Warnings, r.Server.Errors, r.Server.Other)
	if r.Server.ExitError != "" || r.Server.Killed {
		fmt.Fprintf(w, "  server exit: %s (killed after 20s: %t)\n", r.Server.ExitError, r.Server.Killed)
	}
	for _, s := range r.Server.Samples {
		fmt.Fprintf(w, "  %s\n", s)
	}
	if rp := r.Replicas; rp != nil {
		if rp.Error != "" {
			fmt.Fprintf(w, "replicas: %s\n", rp.Error)
		}
		for i, m := range rp.RSS {
			fmt.Fprintf(w, "replica %d: peak RSS under load %.1f MiB (VmHWM %.1f MiB)", i+1, m.PeakRSSMiB, m.HWMMiB)
			if i < len(rp.Servers) {
				fmt.Fprintf(w, "; log: %d warnings, %d errors", rp.Servers[i].Warnings, rp.Servers[i].Errors)
			}
			fmt.Fprintln(w)
		}
		if rp.PgBouncer != "" {
			fmt.Fprintf(w, "replicas through %s, pool_mode=transaction, default_pool_size=%d\n", rp.PgBouncer, rp.PoolSize)
		}
	}
	if p := r.Prefill; p != nil {
		r.printPrefill(w)
	}
	if l := r.SQLite; l != nil && l.Error != "" {
		fmt.Fprintf(w, "sqlite: failed: %s\n", l.Error)
	} else if l != nil {
		fmt.Fprintf(w, "sqlite: %d customers set up in %.1fs; peak RSS %.1f MiB; log: %d warnings, %d errors\n",
			l.Setup.Customers, l.Setup.Seconds, l.RSS.PeakRSSMiB, l.Server.Warnings, l.Server.Errors)
	}
	fmt.Fprintf(w, "reconcile (exit %d): %s\n\n", r.Reconcile.ExitCode, lastLine(r.Reconcile.Output))

	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SPEC §10 target\tvalue\ttarget\t")
	for _, t := range r.Targets {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.Name, t.Value, t.Limit, t.Status)
	}
	tw.Flush()
	fmt.Fprintln(w)
}

// write stores the result as bench/results/<UTC timestamp>.json.
func (r *result) write(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	t, _ := time.Parse(time.RFC3339, r.Time)
	path := filepath.Join(dir, t.UTC().Format("20060102T150405Z")+".json")
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return "", err
	}
	return path, os.WriteFile(path, append(b, '\n'), 0o644)
}

func shortCommit(c string) string {
	if len(c) >= 40 {
		return c[:12] + c[40:]
	}
	return c
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return s[strings.LastIndexByte(s, '\n')+1:]
}

func (r *result) printPrefill(w io.Writer) {
	p := r.Prefill
	if p.Error != "" {
		fmt.Fprintf(w, "prefill of %d postings failed: %s\n", p.Requested, p.Error)
		return
	}
	fmt.Fprintf(w, "prefill: %d postings inserted in %.1fs (%.0f/s), VACUUM ANALYZE + CHECKPOINT %.1fs; ledger %d postings, postings table %.0f MiB\n",
		p.Inserted, p.InsertSeconds, float64(p.Inserted)/max(p.InsertSeconds, 0.1), p.VacuumSeconds, p.LedgerPostings, p.PostingsMiB)
	fmt.Fprintf(w, "  with their business rows: %d transactions, %d partner events, %d idempotency keys (history of %d customers)\n",
		p.Transactions, p.Events, p.Keys, p.Payers)
	if p.Checkpoint != "" {
		fmt.Fprintf(w, "  CHECKPOINT failed: %s\n", p.Checkpoint)
	}
	if s := p.Spread; s != nil && p.P50Ratio > 0 {
		fmt.Fprintf(w, "  spread at %s postings ÷ empty ledger: p50 %.1f/%.1f ms = ×%.2f, p99 %.1f/%.1f ms = ×%.2f, payments/s %.1f/%.1f = ×%.2f; server peak RSS %.1f MiB\n",
			countLabel(p.LedgerPostings), s.P50, r.Spread.P50, p.P50Ratio, s.P99, r.Spread.P99, p.P99Ratio, s.Rate, r.Spread.Rate, p.RateRatio, p.RSS.PeakRSSMiB)
	}
	if p.Server.Warnings+p.Server.Errors+p.Server.Other > 0 || p.Server.ExitError != "" || p.Server.Killed {
		fmt.Fprintf(w, "  restarted server log: %d warnings, %d errors, %d non-JSON lines; exit %q (killed after 20s: %t)\n",
			p.Server.Warnings, p.Server.Errors, p.Server.Other, p.Server.ExitError, p.Server.Killed)
		for _, s := range p.Server.Samples {
			fmt.Fprintf(w, "    %s\n", s)
		}
	}
}

// cpuRows are the phases with CPU accounting, in the order printed.
func (r *result) cpuRows() []cpuRow {
	var rows []cpuRow
	add := func(name string, c *cpuStats, server bool) {
		if c != nil && c.Completed > 0 {
			rows = append(rows, cpuRow{name: name, cpu: c, server: server, postgres: true})
		}
	}
	for _, s := range []*phaseStats{r.Spread, r.Hot, r.Half} {
		if s != nil {
			add(s.Name, s.CPU, true)
		}
	}
	if r.Prefill != nil && r.Prefill.Spread != nil {
		add(r.Prefill.Spread.Name, r.Prefill.Spread.CPU, true)
	}
	if r.SQLite != nil && r.SQLite.Spread != nil {
		add(r.SQLite.Spread.Name, r.SQLite.Spread.CPU, true)
		if n := len(rows); n > 0 && rows[n-1].cpu == r.SQLite.Spread.CPU {
			rows[n-1].postgres = false // the store runs inside the server
		}
	}
	add("pgbench tpcb-like", r.Pgbench.CPU, false)
	if ps := r.PaymentSQL; ps != nil {
		add("pgbench, a payment's SQL, simple protocol", ps.SimpleCPU, false)
		add("pgbench, a payment's SQL, prepared", ps.PreparedCPU, false)
	}
	return rows
}

type cpuRow struct {
	name     string
	cpu      *cpuStats
	server   bool // a wallet server took part (pgbench has none)
	postgres bool // PostgreSQL took part (the embedded store runs in the server)
}

// cells formats the server and postgres cells, "-" where a process took
// no part.
func (row cpuRow) cells(format string) (server, postgres string) {
	server, postgres = "-", "-"
	if row.server {
		server = fmt.Sprintf(format, row.cpu.ServerMs)
	}
	if row.postgres {
		postgres = fmt.Sprintf(format, row.cpu.PostgresMs)
	}
	return server, postgres
}

// printCPU prints CPU milliseconds per payment (per transaction for
// pgbench) of each process, and what that allows on this machine's cores.
func (r *result) printCPU(w io.Writer) {
	rows := r.cpuRows()
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "CPU ms per payment (pgbench: per transaction)\tserver\tpostgres\tload generator\ttotal\tCPU-bound ceiling on %d CPU (/s)\tWAL bytes (full pages)\t\n", r.Machine.NumCPU)
	for _, row := range rows {
		c := row.cpu
		server, pg := row.cells("%.3f")
		wal := "-"
		if c.WAL != nil {
			wal = fmt.Sprintf("%.0f (%.2f)", c.WAL.BytesPerPayment, c.WAL.FPIPerPayment)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.3f\t%.3f\t%.0f\t%s\t\n", row.name, server, pg, c.ClientMs, c.TotalMs, float64(r.Machine.NumCPU)*1000/c.TotalMs, wal)
	}
	tw.Flush()
	if r.CPUBoundRatio > 0 {
		fmt.Fprintf(w, "CPU-bound spread ÷ pgbench (pgbench's CPU per transaction ÷ a payment's): %.2f\n", r.CPUBoundRatio)
	}
}
