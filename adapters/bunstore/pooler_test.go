package bunstore_test

import (
	"context"
	"path/filepath"
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
