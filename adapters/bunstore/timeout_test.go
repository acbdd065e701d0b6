package bunstore

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/fault"
)

// TestStatementTimeout: a statement slower than Config.StatementTimeout
// is cancelled by PostgreSQL and answered as fault.Unavailable (code 90),
// not as an internal error and not after the statement would have ended.
func TestStatementTimeout(t *testing.T) {
	t.Parallel()
	url := os.Getenv("TEST_DATABASE_URL")
	switch {
	case testing.Short():
		t.Skip("-short")
	case url == "" && os.Getenv("WALLET_REQUIRE_POSTGRES") != "":
		t.Fatal("TEST_DATABASE_URL is not set but WALLET_REQUIRE_POSTGRES is")
	case url == "":
		t.Skip("TEST_DATABASE_URL not set")
	}
	ctx := context.Background()
	db, cleanup, err := Open(ctx, Config{URL: url, StatementTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	start := time.Now()
	err = NewUnitOfWork(db, nil, nil).Do(ctx, func(ctx context.Context, _ app.Repos) error {
		_, err := db.Bun.ExecContext(ctx, "SELECT pg_sleep(5)")
		return err
	})
	if f, ok := fault.As(err); !ok || f.Kind != fault.Unavailable {
		t.Fatalf("a statement over the timeout: %v, want fault.Unavailable", err)
	}
	if took := time.Since(start); took > 4*time.Second { // 200 ms + slack for a loaded machine
		t.Fatalf("answered after %v", took)
	}
}

// TestBusyTimeoutSQLite: another process holding SQLite's write lock makes
// a unit of work fail as fault.Unavailable after the busy timeout (and the
// unit's few retries), instead of waiting as long as the lock is held.
func TestBusyTimeoutSQLite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	file := "sqlite:" + filepath.Join(t.TempDir(), "w.db")
	holder, cleanup1, err := Open(ctx, Config{URL: file})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup1()
	waiter, cleanup2, err := Open(ctx, Config{URL: file, StatementTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup2()
	if !strings.Contains(sqliteDSN("x", 100*time.Millisecond), "busy_timeout%28100%29") {
		t.Fatalf("DSN without the busy timeout: %s", sqliteDSN("x", 100*time.Millisecond))
	}
	conn, err := holder.Bun.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, "ROLLBACK") //nolint:errcheck
	start := time.Now()
	err = NewUnitOfWork(waiter, nil, nil).Do(ctx, func(ctx context.Context, _ app.Repos) error { return nil })
	if f, ok := fault.As(err); !ok || f.Kind != fault.Unavailable {
		t.Fatalf("a write while another process holds the lock: %v, want fault.Unavailable", err)
	}
	// 8 attempts of 100 ms plus backoff; generous slack for a loaded machine.
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("answered after %v", took)
	}
}

func TestPgxDSN(t *testing.T) {
	got, err := pgxDSN("postgres://u@h/db?sslmode=disable", map[string]string{"statement_timeout": "1500"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"statement_timeout=1500", "connect_timeout=5", "default_query_exec_mode=simple_protocol"} {
		if !strings.Contains(got, want) {
			t.Errorf("%s lacks %s", got, want)
		}
	}
	// The URL's own settings win.
	got, _ = pgxDSN("postgres://u@h/db?statement_timeout=0&connect_timeout=1", map[string]string{"statement_timeout": "1000"})
	if !strings.Contains(got, "statement_timeout=0") || !strings.Contains(got, "connect_timeout=1") || strings.Contains(got, "statement_timeout=1000") {
		t.Errorf("URL settings overridden: %s", got)
	}
	if got, _ := pgxDSN("postgres://u@h/db", nil); strings.Contains(got, "statement_timeout") {
		t.Errorf("no timeout asked, got %s", got)
	}
}
