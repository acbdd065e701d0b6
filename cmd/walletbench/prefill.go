package main

import (
	"context"
	"fmt"
	"log"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// The prefill's two throwaway merchant accounts. MERCHANT accounts are
// sharded: their balance is the sum of their account_shards rows, which is
// what reconcile compares with their postings. The ids follow the server's
// own scheme for system accounts (wallet.SystemAccountID).
const (
	prefillCredit = "MERCHANT:walletbench-prefill-a"
	prefillDebit  = "MERCHANT:walletbench-prefill-b"
	// prefillChunk entries (two postings each) go in per transaction, so
	// that the ledger reconciles after every commit and progress shows.
	prefillChunk = 500_000
	// flatAt is the ledger size SPEC §10 asks latency to stay flat to.
	flatAt = 10_000_000
)

// prefillResult is the "latency flat to 10 M postings" measurement: the
// spread phase again, on a ledger grown by Requested postings.
type prefillResult struct {
	Requested      int     `json:"requested"`      // -prefill
	Inserted       int     `json:"inserted"`       // postings inserted (Requested rounded down to even)
	Entries        int     `json:"entries"`        // two postings each
	InsertSeconds  float64 `json:"insertSeconds"`  // the INSERT … SELECT statements
	VacuumSeconds  float64 `json:"vacuumSeconds"`  // VACUUM (ANALYZE) and CHECKPOINT after them
	LedgerPostings int64   `json:"ledgerPostings"` // every posting in the ledger when the phase started
	PostingsMiB    float64 `json:"postingsTableMiB"`
	Payers         int     `json:"historyCustomers"` // spread customers owning the prefilled transactions
	Transactions   int64   `json:"transactions"`     // rows in transactions, partner_events and idempotency_keys when the phase started
	Events         int64   `json:"events"`
	Keys           int64   `json:"idempotencyKeys"`
	Checkpoint     string  `json:"checkpointError,omitempty"`

	Warmup *phaseStats `json:"warmup,omitempty"`
	Spread *phaseStats `json:"spread,omitempty"`
	// History pages at N: the first page, and the page below a cursor in
	// the middle of the prefilled history.
	History     *phaseStats `json:"history,omitempty"`
	DeepHistory *phaseStats `json:"deepHistory,omitempty"`
	HistoryP99x float64     `json:"historyP99Ratio,omitempty"` // first page p99 at N ÷ on the small ledger
	// Ratios of the spread phase at LedgerPostings to the empty-ledger one.
	P50Ratio  float64     `json:"p50Ratio,omitempty"`
	P99Ratio  float64     `json:"p99Ratio,omitempty"`
	RateRatio float64     `json:"paymentsPerSecondRatio,omitempty"`
	RSS       rssStats    `json:"rss"`
	Server    serverStats `json:"server"`
	Error     string      `json:"error,omitempty"`
}

// prefillLedger inserts n postings (n/2 balanced entries of +1 on one
// throwaway merchant account and −1 on the other) straight into the
// database, keeps their shard balances in step so that reconcile still
// holds, then vacuums, analyzes and checkpoints so that neither autovacuum
// nor a pending checkpoint lands in the measured phase. The server must be
// stopped.
func prefillLedger(ctx context.Context, dbURL string, n int, p *prefillResult) error {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return fmt.Errorf("prefill: connect: %w", err)
	}
	defer conn.Close(context.Background())

	if _, err := conn.Exec(ctx, `INSERT INTO accounts (id, kind, owner_id, created_at) VALUES
		($1, 'MERCHANT', 'walletbench-prefill-a', now()), ($2, 'MERCHANT', 'walletbench-prefill-b', now())
		ON CONFLICT (id) DO NOTHING`, prefillCredit, prefillDebit); err != nil {
		return fmt.Errorf("prefill: accounts: %w", err)
	}

	// Entry and transaction ids are ULID-shaped (26 characters) and sort
	// before every id the server makes ("00B…" < "01…"), like an older
	// history: the server's own postings still go to the right edge of
	// the indexes, as they would on a ledger that grew over time.
	const insert = `INSERT INTO postings (entry_id, transaction_id, account_id, amount, created_at)
		SELECT e, e, v.account, v.amount, now()
		FROM (SELECT '00BENCH' || lpad(i::text, 19, '0') AS e FROM generate_series($1::bigint, $2::bigint) AS i) AS g
		CROSS JOIN (VALUES ($3::text, 1::bigint), ($4::text, -1::bigint)) AS v (account, amount)`
	// Each entry is also a payment's business rows, as real payments leave
	// them: its transaction (of a spread customer, round robin, through the
	// merchant it is bound to), its partner event and its stored answer.
	// History then pages through millions of transactions, and the unique
	// indexes a payment inserts into are as large as the ledger says.
	if _, err := conn.Exec(ctx, `CREATE TEMP TABLE prefill_payers AS
		SELECT row_number() OVER (ORDER BY c.id) - 1 AS n, c.id AS customer_id, b.partner_id
		FROM customers c JOIN partner_customers b ON b.customer_id = c.id JOIN partners p ON p.id = b.partner_id
		WHERE p.name LIKE 'Bench Merchant %'`); err != nil {
		return fmt.Errorf("prefill: payers: %w", err)
	}
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM prefill_payers`).Scan(&p.Payers); err != nil || p.Payers == 0 {
		return fmt.Errorf("prefill: no spread customers to own the history (%v)", err)
	}
	const business = `WITH g AS (
			SELECT '00BENCH' || lpad(i::text, 19, '0') AS e, pp.customer_id, pp.partner_id
			FROM generate_series($1::bigint, $2::bigint) AS i JOIN prefill_payers AS pp ON pp.n = i % $3
		), t AS (
			INSERT INTO transactions (id, type, status, partner_id, customer_id, counterparty, amount, order_id, external_id, created_at, updated_at)
			SELECT e, 'WALLET_PAYMENT', 'SUCCESS', partner_id, customer_id, 'walletbench prefill', 1, e, e, now(), now() FROM g
		), ev AS (
			INSERT INTO partner_events (id, partner_id, customer_id, reff_id, type, payload, status, created_at)
			SELECT e, partner_id, customer_id, e, 'transaction.updated', convert_to('{"reffId":"' || e || '"}', 'UTF8'), 'NO_ENDPOINT', now() FROM g
		)
		INSERT INTO idempotency_keys (partner_id, key, request_hash, done, locked_until, status, body, created_at)
		SELECT partner_id, e, sha256(convert_to(e, 'UTF8')), true, now(), 200, decode(repeat(md5(e), 16), 'hex'), now() FROM g`
	const shards = `INSERT INTO account_shards (account_id, shard, balance) VALUES ($1, 0, $3), ($2, 0, -$3::bigint)
		ON CONFLICT (account_id, shard) DO UPDATE SET balance = account_shards.balance + EXCLUDED.balance`

	p.Entries = n / 2
	t0 := time.Now()
	for lo := 1; lo <= p.Entries; lo += prefillChunk {
		hi := min(lo+prefillChunk-1, p.Entries)
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, insert, lo, hi, prefillCredit, prefillDebit); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, business, lo, hi, p.Payers); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, shards, prefillCredit, prefillDebit, int64(hi-lo+1))
			return err
		})
		if err != nil {
			return fmt.Errorf("prefill: entries %d–%d: %w", lo, hi, err)
		}
		p.Inserted = 2 * hi
		el := time.Since(t0).Seconds()
		log.Printf("prefill: %d of %d postings (%.0f s, %.0f postings/s)", p.Inserted, 2*p.Entries, el, float64(p.Inserted)/el)
	}
	p.InsertSeconds = round(time.Since(t0).Seconds(), 1)

	t0 = time.Now()
	log.Print("prefill: VACUUM (ANALYZE), CHECKPOINT")
	if _, err := conn.Exec(ctx, "VACUUM (ANALYZE) postings, account_shards, accounts, transactions, partner_events, idempotency_keys"); err != nil {
		return fmt.Errorf("prefill: vacuum: %w", err)
	}
	// CHECKPOINT needs superuser or pg_checkpoint; without it the
	// measurement may share the disk with the checkpointer.
	if _, err := conn.Exec(ctx, "CHECKPOINT"); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		p.Checkpoint = err.Error()
		log.Printf("prefill: CHECKPOINT: %v (continuing)", err)
	}
	p.VacuumSeconds = round(time.Since(t0).Seconds(), 1)

	var bytes int64
	if err := conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM postings), pg_total_relation_size('postings'),
		(SELECT count(*) FROM transactions), (SELECT count(*) FROM partner_events), (SELECT count(*) FROM idempotency_keys)`).
		Scan(&p.LedgerPostings, &bytes, &p.Transactions, &p.Events, &p.Keys); err != nil {
		return fmt.Errorf("prefill: count: %w", err)
	}
	p.PostingsMiB = round(float64(bytes)/(1<<20), 1)
	return nil
}

// measurePrefilled prefills the ledger with cfg.Prefill postings while the
// server is stopped, restarts it and runs the spread phase again (after the
// same warmup) with the same clients and duration. A failed prefill is
// recorded in the result, not returned; only an interruption or a server
// that does not restart is returned.
func measurePrefilled(ctx context.Context, cfg config, bin string, env []string, addr, dbURL string, c *client, pop population) (*prefillResult, error) {
	p := &prefillResult{Requested: cfg.Prefill}
	log.Printf("prefill: inserting %d postings in SQL", cfg.Prefill-cfg.Prefill%2)
	if err := prefillLedger(ctx, dbURL, cfg.Prefill, p); err != nil {
		if ctx.Err() != nil {
			return p, ctx.Err()
		}
		p.Error = err.Error()
		log.Print(err)
		return p, nil
	}
	log.Printf("prefill: %d postings in %.1fs, vacuum and checkpoint %.1fs; the ledger has %d postings, the postings table %.0f MiB",
		p.Inserted, p.InsertSeconds, p.VacuumSeconds, p.LedgerPostings, p.PostingsMiB)

	srv, err := startServer(ctx, bin, env, addr)
	if err != nil {
		return p, fmt.Errorf("restart after the prefill: %w", err)
	}
	defer srv.stop()
	// The old server closed them; a POST is not retried on a dead idle
	// connection.
	c.hc.CloseIdleConnections()
	c.pay.closeIdle()

	spread := c.payOp(pop.spread, cfg.Amount)
	name := "spread at " + countLabel(p.LedgerPostings) + " postings"
	if cfg.Warmup > 0 {
		log.Printf("warmup: %s", cfg.Warmup)
		p.Warmup = closedLoop(ctx, "warmup at "+countLabel(p.LedgerPostings)+" postings", cfg.Warmup, cfg.Concurrency, spread)
	}
	if err := ctx.Err(); err == nil {
		log.Printf("%s: %d clients, %d merchants, %s", name, cfg.Concurrency, cfg.Merchants, cfg.Duration)
		rss := sampleRSS(srv.pid(), 200*time.Millisecond)
		m := cpuMeter{serverPID: srv.pid(), dbURL: dbURL}
		p.Spread = m.metered(func() *phaseStats { return closedLoop(ctx, name, cfg.Duration, cfg.Concurrency, spread) })
		p.RSS = rss.stop()
	}
	if err := ctx.Err(); err != nil {
		return p, fmt.Errorf("interrupted during %s: %w", name, err)
	}
	log.Printf("%s: %.1f payments/s, p50 %.1f ms, p99 %.1f ms, %d errors", name, p.Spread.Rate, p.Spread.P50, p.Spread.P99, p.Spread.Errors)
	hd := historyDuration(cfg)
	label := " at " + countLabel(p.LedgerPostings) + " postings"
	p.History = closedLoop(ctx, "history, first page"+label, hd, cfg.Concurrency, c.historyOp(pop.spread, ""))
	cursor := fmt.Sprintf("00BENCH%019d", p.Entries/2)
	p.DeepHistory = closedLoop(ctx, "history, deep page"+label, hd, cfg.Concurrency, c.historyOp(pop.spread, cursor))
	if err := ctx.Err(); err != nil {
		return p, fmt.Errorf("interrupted during the history phases: %w", err)
	}
	log.Printf("history%s: first page p99 %.1f ms, deep page p99 %.1f ms", label, p.History.P99, p.DeepHistory.P99)
	log.Print("stopping the server")
	p.Server = srv.stop()
	return p, nil
}

// countLabel writes 10000000 as "10 M", 250000 as "250 k", 10012345 as
// "10.01 M".
func countLabel(n int64) string {
	switch {
	case n >= 1_000_000:
		return strconv.FormatFloat(round(float64(n)/1e6, 2), 'f', -1, 64) + " M"
	case n >= 1_000:
		return strconv.FormatFloat(round(float64(n)/1e3, 1), 'f', -1, 64) + " k"
	}
	return strconv.FormatInt(n, 10)
}
