package main

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

func TestReconcile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	environ := []string{"WALLET_DATA_DIR=" + dir}
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"reconcile"}, environ, nil, &out, &bytes.Buffer{}); err != nil {
		t.Fatalf("reconcile of an empty ledger: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "OK:") {
		t.Fatalf("no OK line: %s", out.String())
	}

	// Break the ledger behind the application's back: an entry with one
	// posting, booked on an account whose cached balance is not updated.
	db, err := sql.Open("sqlite", filepath.Join(dir, "wallet.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO postings (entry_id, transaction_id, account_id, amount, created_at) VALUES ('E1', 'T1', 'FEE_REVENUE', 5, '2026-11-25 10:00:00+00:00')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`UPDATE postings SET amount = 6`); err == nil || !strings.Contains(err.Error(), "immutable") {
		t.Fatalf("postings could be updated: %v", err)
	}
	_ = db.Close()

	out.Reset()
	err = run(ctx, []string{"reconcile"}, environ, nil, &out, &bytes.Buffer{})
	if err == nil {
		t.Fatalf("reconcile passed a broken ledger:\n%s", out.String())
	}
	for _, want := range []string{"the ledger sums to 5", "entry E1 sums to 5", "account FEE_REVENUE caches balance 0 in its shards but its postings sum to 5"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}
