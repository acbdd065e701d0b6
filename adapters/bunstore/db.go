// Package bunstore persists the domain with bun, on PostgreSQL (production,
// through pgx) or SQLite (the embedded default, pure Go). One package serves
// both dialects; the few differences (row locks, error codes) are handled
// here and nowhere else.
package bunstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/migrate"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

//go:embed migrations
var migrationFS embed.FS

// Dialect names the database behind a DB.
type Dialect string

// Dialects.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// DB is the process's one database pool.
type DB struct {
	Bun     *bun.DB
	Dialect Dialect
	// trace sees the prepared statements sent past bun's query hooks.
	trace atomic.Pointer[func(sql string)]
	// notes sends the change notifications of committed partner events
	// (PostgreSQL only).
	notes *notifier
}

// TraceStatements makes f see every statement the store sends past bun's
// query hooks (the prepared statements of ADR 0009), so that a test can
// count round trips. Tests only.
func (db *DB) TraceStatements(f func(sql string)) { db.trace.Store(&f) }

// Config selects the database.
type Config struct {
	// URL is a postgres:// URL; empty selects SQLite at DataDir/wallet.db.
	URL     string
	DataDir string
	// MaxConns bounds the PostgreSQL pool.
	MaxConns int
}

// Open connects and returns the pool with a cleanup function.
func Open(ctx context.Context, cfg Config) (*DB, func(), error) {
	var db *DB
	switch {
	case strings.HasPrefix(cfg.URL, "postgres://") || strings.HasPrefix(cfg.URL, "postgresql://"):
		dsn, err := pgxDSN(cfg.URL)
		if err != nil {
			return nil, nil, err
		}
		sqldb, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, nil, fmt.Errorf("open postgres: %w", err)
		}
		n := cfg.MaxConns
		if n <= 0 {
			n = 20
		}
		sqldb.SetMaxOpenConns(n)
		sqldb.SetMaxIdleConns(n)
		sqldb.SetConnMaxIdleTime(5 * time.Minute)
		db = &DB{Bun: bun.NewDB(sqldb, pgdialect.New()), Dialect: Postgres}
	case cfg.URL == "" || strings.HasPrefix(cfg.URL, "sqlite:") || strings.HasPrefix(cfg.URL, "file:"):
		path := strings.TrimPrefix(strings.TrimPrefix(cfg.URL, "sqlite:"), "file:")
		if path == "" {
			dir := cfg.DataDir
			if dir == "" {
				dir = "var"
			}
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, nil, fmt.Errorf("create data dir: %w", err)
			}
			path = filepath.Join(dir, "wallet.db")
		}
		sqldb, err := sql.Open("sqlite", sqliteDSN(path))
		if err != nil {
			return nil, nil, fmt.Errorf("open sqlite: %w", err)
		}
		// SQLite has one writer. One connection makes the pool queue
		// writers instead of failing them with SQLITE_BUSY; WAL and the
		// busy timeout cover other processes (the CLI) on the same file.
		sqldb.SetMaxOpenConns(1)
		db = &DB{Bun: bun.NewDB(sqldb, sqlitedialect.New()), Dialect: SQLite}
	default:
		return nil, nil, fmt.Errorf("DATABASE_URL must be a postgres:// URL or empty for the embedded store")
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.Bun.PingContext(pingCtx); err != nil {
		_ = db.Bun.Close()
		return nil, nil, fmt.Errorf("connect to %s: %w", db.Dialect, err)
	}
	db.notes = newNotifier(db)
	return db, func() { db.notes.stop(); _ = db.Bun.Close() }, nil
}

// pgxDSN selects pgx's simple protocol unless the URL chooses a mode. bun
// interpolates arguments into the SQL text itself, so every statement text
// is unique: pgx's default (prepare and cache each statement) would add a
// prepare round trip to every query and churn its statement cache.
func pgxDSN(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("DATABASE_URL: %w", err)
	}
	q := u.Query()
	if q.Get("default_query_exec_mode") == "" {
		q.Set("default_query_exec_mode", "simple_protocol")
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func sqliteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// SQL returns the underlying database/sql pool.
func (db *DB) SQL() *sql.DB { return db.Bun.DB }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.Bun.PingContext(ctx) }

// Migrate applies pending schema migrations. On PostgreSQL an advisory lock
// makes concurrent starts of several servers wait for each other instead of
// racing. after runs inside the same lock (the job queue's migrations).
func (db *DB) Migrate(ctx context.Context, after func(context.Context) error) error {
	if db.Dialect == Postgres {
		conn, err := db.Bun.DB.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		const lockKey = 7_413_950_201 // arbitrary, constant: "wallet migrations"
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", lockKey) //nolint:errcheck
	}
	sub, err := fs.Sub(migrationFS, "migrations/"+string(db.Dialect))
	if err != nil {
		return err
	}
	ms := migrate.NewMigrations()
	if err := ms.Discover(sub); err != nil {
		return fmt.Errorf("discover migrations: %w", err)
	}
	m := migrate.NewMigrator(db.Bun, ms, migrate.WithMarkAppliedOnSuccess(true))
	if err := m.Init(ctx); err != nil {
		return fmt.Errorf("init migrations: %w", err)
	}
	if _, err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if after != nil {
		return after(ctx)
	}
	return nil
}

// errIs reports whether err is a driver error with one of the codes: a
// PostgreSQL SQLSTATE or an SQLite (extended) result code.
func errIs(err error, pgCodes []string, sqliteCodes []int) bool {
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) {
		for _, c := range pgCodes {
			if pg.SQLState() == c {
				return true
			}
		}
		return false
	}
	var lite interface{ Code() int }
	if errors.As(err, &lite) {
		for _, c := range sqliteCodes {
			if lite.Code() == c || lite.Code()&0xff == c {
				return true
			}
		}
	}
	return false
}

func isUniqueViolation(err error) bool {
	return errIs(err, []string{"23505"}, []int{2067, 1555})
}

// isRetryable: serialisation failures and deadlocks (PostgreSQL), busy and
// locked (SQLite) are safe to retry from the start of the transaction.
func isRetryable(err error) bool {
	return errIs(err, []string{"40001", "40P01"}, []int{5, 6})
}
