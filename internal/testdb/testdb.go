// Package testdb gives tests a fresh, migrated database: a private schema in
// the PostgreSQL at TEST_DATABASE_URL, or a temporary SQLite file.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/adapters/jobs"
)

// PostgresURL returns the server tests may use. Without one the test is
// skipped, unless WALLET_REQUIRE_POSTGRES is set (CI), where it fails: a
// green run must never hide untested PostgreSQL code.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("TEST_DATABASE_URL")
	if u == "" {
		if os.Getenv("WALLET_REQUIRE_POSTGRES") != "" {
			tb.Fatal("TEST_DATABASE_URL is not set but WALLET_REQUIRE_POSTGRES is")
		}
		tb.Skip("TEST_DATABASE_URL not set; skipping PostgreSQL test")
	}
	if testing.Short() {
		tb.Skip("-short: skipping PostgreSQL test")
	}
	return u
}

// Postgres returns a migrated store in a schema of its own, dropped when
// the test ends.
func Postgres(tb testing.TB) *bunstore.DB {
	tb.Helper()
	return open(tb, bunstore.Config{URL: SchemaURL(tb), MaxConns: 30})
}

// SchemaURL creates an empty schema, dropped when the test ends, and returns
// a URL whose search_path selects it.
func SchemaURL(tb testing.TB) string {
	tb.Helper()
	base := PostgresURL(tb)
	ctx := context.Background()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	schema := "t_" + randomHex(8)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err == nil {
			_, _ = a.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			_ = a.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// SQLite returns a migrated store in a temporary file.
func SQLite(tb testing.TB) *bunstore.DB {
	tb.Helper()
	return open(tb, bunstore.Config{URL: "sqlite:" + filepath.Join(tb.TempDir(), "wallet.db")})
}

// Each returns both stores by name, for tests that run on every dialect.
// PostgreSQL is absent (not failed) when it is skipped.
func Each(t *testing.T, fn func(t *testing.T, db *bunstore.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, SQLite(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, Postgres(t))
	})
}

func open(tb testing.TB, cfg bunstore.Config) *bunstore.DB {
	tb.Helper()
	ctx := context.Background()
	db, cleanup, err := bunstore.Open(ctx, cfg)
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(cleanup)
	if err := db.Migrate(ctx, func(ctx context.Context) error { return jobs.Migrate(ctx, db) }); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return db
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
