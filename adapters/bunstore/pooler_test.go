package bunstore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/internal/testdb"
)

// TestPoolerSetting: an unknown pooler is refused at start rather than
// guessed; pgbouncer mode is reported by Pooled (ADR 0014). Running the
// hot path through a real PgBouncer is internal/scaletest's.
func TestPoolerSetting(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, _, err := bunstore.Open(ctx, bunstore.Config{URL: "sqlite:" + filepath.Join(t.TempDir(), "w.db"), Pooler: "pgpool"})
	if err == nil || !strings.Contains(err.Error(), "WALLET_DB_POOLER") {
		t.Fatalf("unknown pooler: %v, want an error naming WALLET_DB_POOLER", err)
	}
	db, cleanup, err := bunstore.Open(ctx, bunstore.Config{URL: testdb.SchemaURL(t), Pooler: bunstore.PoolerPgBouncer})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if !db.Pooled() {
		t.Fatal("Pooled() = false with WALLET_DB_POOLER=pgbouncer")
	}
	// The transaction-scoped migration lock works on a pooled store.
	if err := db.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
}

// TestPoolSize: without WALLET_DB_MAX_CONNS the pool is sized to the
// machine (ADR 0017), and a setting overrides it.
func TestPoolSize(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if n := bunstore.DefaultMaxConns(); n < 4 || n != max(4, 2*runtime.GOMAXPROCS(0)+1) {
		t.Fatalf("DefaultMaxConns() = %d with GOMAXPROCS %d", n, runtime.GOMAXPROCS(0))
	}
	for _, tc := range []struct{ set, want int }{{0, bunstore.DefaultMaxConns()}, {7, 7}} {
		db, cleanup, err := bunstore.Open(ctx, bunstore.Config{URL: testdb.SchemaURL(t), MaxConns: tc.set})
		if err != nil {
			t.Fatal(err)
		}
		got := db.SQL().Stats().MaxOpenConnections
		cleanup()
		if got != tc.want {
			t.Errorf("MaxConns %d: pool of %d, want %d", tc.set, got, tc.want)
		}
	}
}

// TestBackendFlushAfter: the server's PostgreSQL sessions write their
// evicted dirty pages out as they go (ADR 0018); a URL setting wins, and
// behind PgBouncer, which refuses run-time parameters at connect, nothing
// is sent (the role's setting applies).
func TestBackendFlushAfter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testdb.SchemaURL(t)
	show := func(cfg bunstore.Config) string {
		t.Helper()
		db, cleanup, err := bunstore.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer cleanup()
		var v string
		if err := db.SQL().QueryRowContext(ctx, "SHOW backend_flush_after").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if got := show(bunstore.Config{URL: url}); got != "256kB" {
		t.Errorf("backend_flush_after = %s, want 256kB (%s pages)", got, bunstore.BackendFlushAfter)
	}
	if got := show(bunstore.Config{URL: url + "&backend_flush_after=64"}); got != "512kB" {
		t.Errorf("with backend_flush_after=64 in the URL: %s, want 512kB", got)
	}
	var server string
	raw, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if err := raw.QueryRowContext(ctx, "SHOW backend_flush_after").Scan(&server); err != nil {
		t.Fatal(err)
	}
	if got := show(bunstore.Config{URL: url, Pooler: bunstore.PoolerPgBouncer}); got != server {
		t.Errorf("behind a pooler: %s, want the server's own %s", got, server)
	}
}
