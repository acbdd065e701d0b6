package main

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// The payment's own SQL run by pgbench: what PostgreSQL alone does with a
// payment's statements, without HTTP, signatures, JSON or Go, on the same
// database as the tpcb-like run. It bounds what the wallet can reach.
//
//go:embed pgbench/*.sql
var paymentScripts embed.FS

type paymentScriptResult struct {
	Payers      int     `json:"payers"`
	SimpleTPS   float64 `json:"simpleTps"`
	PreparedTPS float64 `json:"preparedTps"`
	// CPU per payment of each run: backends and pgbench's client.
	SimpleCPU   *cpuStats `json:"simpleCpu,omitempty"`
	PreparedCPU *cpuStats `json:"preparedCpu,omitempty"`
	Error       string    `json:"error,omitempty"`
}

// runPaymentScripts runs pgbench with payment-simple.sql (-M simple, as the
// server sent it before ADR 0009's prepared statements) and
// payment-prepared.sql (-M prepared, the writes in one statement, as it
// sends them now). It writes payments of its own into the ledger (balanced,
// with made-up ids), so it runs after the reconcile.
func runPaymentScripts(ctx context.Context, bin, dbURL, work string, clients int, d time.Duration) *paymentScriptResult {
	r := &paymentScriptResult{}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	_, err = conn.Exec(ctx, `CREATE TABLE bench_payers AS
		SELECT row_number() OVER (ORDER BY c.id) AS n, c.mobile, c.id AS cid, a.id AS aid, b.partner_id AS pid, 'MERCHANT:' || b.partner_id AS mid
		FROM customers c JOIN accounts a ON a.owner_id = c.id AND a.kind = 'POCKET'
		JOIN partner_customers b ON b.customer_id = c.id JOIN partners p ON p.id = b.partner_id
		WHERE p.name LIKE 'Bench Merchant %'`)
	if err == nil {
		_, err = conn.Exec(ctx, `CREATE UNIQUE INDEX ON bench_payers (n); ANALYZE bench_payers`)
	}
	if err == nil {
		err = conn.QueryRow(ctx, `SELECT count(*) FROM bench_payers`).Scan(&r.Payers)
	}
	conn.Close(ctx)
	if err != nil {
		r.Error = "bench_payers: " + err.Error()
		return r
	}
	run := func(name, mode string, cpu **cpuStats) (float64, error) {
		script, err := paymentScripts.ReadFile("pgbench/" + name)
		if err != nil {
			return 0, err
		}
		path := filepath.Join(work, name)
		if err := os.WriteFile(path, script, 0o600); err != nil {
			return 0, err
		}
		args := []string{"-n", "-c", strconv.Itoa(clients), "-j", strconv.Itoa(min(2, clients)), "-T", strconv.Itoa(max(1, int(d.Seconds()))),
			"-M", mode, "-D", "payers=" + strconv.Itoa(r.Payers), "-f", path, dbURL}
		out, c, err := meteredPgbench(ctx, bin, dbURL, args...)
		*cpu = c
		if err != nil {
			return 0, fmt.Errorf("pgbench -f %s: %w: %s", name, err, truncate(string(bytes.TrimSpace(out)), 500))
		}
		m := tpsLine.FindSubmatch(out)
		if m == nil {
			return 0, fmt.Errorf("pgbench -f %s: no tps line: %s", name, truncate(string(out), 500))
		}
		return strconv.ParseFloat(string(m[1]), 64)
	}
	var errs []string
	log.Printf("pgbench: a payment's SQL, simple protocol, -c %d for %s", clients, d)
	if r.SimpleTPS, err = run("payment-simple.sql", "simple", &r.SimpleCPU); err != nil {
		errs = append(errs, err.Error())
	}
	log.Printf("pgbench: a payment's SQL, prepared, writes in one statement, -c %d for %s", clients, d)
	if r.PreparedTPS, err = run("payment-prepared.sql", "prepared", &r.PreparedCPU); err != nil {
		errs = append(errs, err.Error())
	}
	r.Error = strings.Join(errs, "; ")
	return r
}
