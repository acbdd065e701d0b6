package bunstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/dompet/wallet/app"
)

// Audit checks the ledger invariants of SPEC §7 over the whole database in
// one consistent snapshot.
func (db *DB) Audit(ctx context.Context) (app.AuditReport, error) {
	var rep app.AuditReport
	opts := &sql.TxOptions{ReadOnly: true}
	if db.Dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	} else {
		opts = nil // SQLite transactions are snapshots already; IMMEDIATE ones refuse ReadOnly
	}
	err := db.Bun.RunInTx(ctx, opts, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewRaw(`SELECT (SELECT count(DISTINCT entry_id) FROM postings), (SELECT count(*) FROM postings),
			(SELECT count(*) FROM accounts), COALESCE((SELECT sum(amount) FROM postings), 0)`).
			Scan(ctx, &rep.Entries, &rep.Postings, &rep.Accounts, &rep.LedgerSum); err != nil {
			return err
		}
		if rep.LedgerSum != 0 {
			rep.Problems = append(rep.Problems, fmt.Sprintf("the ledger sums to %d, not 0", rep.LedgerSum))
		}
		type bad struct {
			ID   string `bun:"id"`
			A, B int64
		}
		checks := []struct {
			what, query string
		}{
			{"entry %s sums to %d (%d postings)", `SELECT entry_id AS id, sum(amount) AS a, count(*) AS b FROM postings
				GROUP BY entry_id HAVING sum(amount) <> 0 OR count(*) < 2`},
			{"pocket %s caches balance %d but its postings sum to %d", `SELECT a.id, a.balance AS a,
				COALESCE((SELECT sum(p.amount) FROM postings p WHERE p.account_id = a.id), 0) AS b
				FROM accounts a WHERE a.kind = 'POCKET'
				AND a.balance <> COALESCE((SELECT sum(p.amount) FROM postings p WHERE p.account_id = a.id), 0)`},
			{"account %s caches balance %d in its shards but its postings sum to %d", `SELECT a.id,
				COALESCE((SELECT sum(s.balance) FROM account_shards s WHERE s.account_id = a.id), 0) AS a,
				COALESCE((SELECT sum(p.amount) FROM postings p WHERE p.account_id = a.id), 0) AS b
				FROM accounts a WHERE a.kind <> 'POCKET'
				AND COALESCE((SELECT sum(s.balance) FROM account_shards s WHERE s.account_id = a.id), 0)
				 <> COALESCE((SELECT sum(p.amount) FROM postings p WHERE p.account_id = a.id), 0)`},
			{"pocket %s is negative or over-held: balance %d, held %d", `SELECT id, balance AS a, held AS b FROM accounts
				WHERE kind = 'POCKET' AND (balance < 0 OR held < 0 OR held > balance)`},
			{"pocket %s has shard rows (%d, %d)", `SELECT s.account_id AS id, 0 AS a, 0 AS b FROM account_shards s
				JOIN accounts a ON a.id = s.account_id WHERE a.kind = 'POCKET'`},
		}
		for _, c := range checks {
			var rows []bad
			if err := tx.NewRaw(c.query).Scan(ctx, &rows); err != nil {
				return fmt.Errorf("audit query: %w", err)
			}
			for _, r := range rows {
				rep.Problems = append(rep.Problems, fmt.Sprintf(c.what, r.ID, r.A, r.B))
			}
		}
		return nil
	})
	return rep, classify(err)
}
