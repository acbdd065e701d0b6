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
	"runtime"
	"strconv"
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
	// trace sees every round trip to PostgreSQL (pipeline.go).
	trace atomic.Pointer[func(sql string)]
	// pooled: behind a transaction pooler (ADR 0014).
	pooled bool
	// live names this process in its idempotency claims (ADR 0011).
	live *liveness
	// migrateDSN is the PostgreSQL DSN without a statement timeout:
	// migrations and their lock may legitimately take longer.
	migrateDSN string
	// notes sends the change notifications of committed partner events
	// (PostgreSQL only).
	notes *notifier
}

// Pooled reports whether the database is reached through a
// transaction-pooling proxy (WALLET_DB_POOLER): then no feature may rely on
// session state (session advisory locks, SET, LISTEN, named prepared
// statements); it must use transaction-scoped forms or a direct connection.
func (db *DB) Pooled() bool { return db.pooled }

// TraceStatements makes f see every round trip the store makes to
// PostgreSQL: each statement or multi-statement text, each pipeline (its
// statements joined by ";\n", BEGIN and COMMIT included when they travel
// in it), and BEGIN, COMMIT or ROLLBACK sent alone; so that a test can
// count round trips (ADR 0009, 0016). Anything using the pool (River's
// job queries too) is seen. Tests only.
func (db *DB) TraceStatements(f func(sql string)) { db.trace.Store(&f) }

// Config selects the database.
type Config struct {
	// URL is a postgres:// URL; empty selects SQLite at DataDir/wallet.db.
	URL     string
	DataDir string
	// MaxConns bounds the PostgreSQL pool; zero means DefaultMaxConns.
	MaxConns int
	// Pooler names a transaction-pooling proxy between the process and
	// PostgreSQL: "" or "none" (a direct connection), "pgbouncer" (PgBouncer
	// in pool_mode=transaction, or any pooler that may hand each
	// transaction a different server connection). ADR 0014.
	Pooler string
	// DirectURL reaches PostgreSQL without the pooler, for the session
	// state a pooler cannot carry (the process's liveness lock). Only read
	// when Pooler is set; empty there means claims use the fixed lease.
	DirectURL string
	// StatementTimeout bounds every statement, lock waits included
	// (PostgreSQL's statement_timeout, set per connection; SQLite's busy
	// timeout). A statement over it fails as fault.Unavailable (code 90).
	// Zero leaves the server's setting (PostgreSQL) or 10 s (SQLite).
	StatementTimeout time.Duration
}

// DefaultMaxConns is the pool size when none is set: twice the cores plus
// one (PostgreSQL's own rule of thumb for active connections), at least 4,
// with the process's cores standing in for the database's. More
// connections than the database has cores to run them do not add
// throughput: the extra transactions queue inside PostgreSQL, on row locks
// and the WAL flush, where each waiter costs a backend's context switches
// and every stall of the machine becomes a convoy. Queued in the pool
// instead, they wait in a Go channel and reach PostgreSQL in order. ADR
// 0017 has the measurements (20 connections against 5 on two cores).
func DefaultMaxConns() int { return max(4, 2*runtime.GOMAXPROCS(0)+1) }

// Poolers.
const (
	PoolerNone      = "none"
	PoolerPgBouncer = "pgbouncer"
)

// connectTimeout bounds opening a PostgreSQL connection (unless the URL
// sets connect_timeout): an unreachable server is an outage answered 90,
// not a request hanging on TCP retransmits.
const connectTimeout = "5"

// Open connects and returns the pool with a cleanup function.
func Open(ctx context.Context, cfg Config) (*DB, func(), error) {
	var db *DB
	pooled := false
	switch cfg.Pooler {
	case "", PoolerNone:
	case PoolerPgBouncer:
		pooled = true
	default:
		return nil, nil, fmt.Errorf("WALLET_DB_POOLER must be %q or %q, not %q", PoolerNone, PoolerPgBouncer, cfg.Pooler)
	}
	switch {
	case strings.HasPrefix(cfg.URL, "postgres://") || strings.HasPrefix(cfg.URL, "postgresql://"):
		// PgBouncer refuses run-time parameters in the startup message:
		// behind it the statement timeout and the flush setting are the
		// role's or the database's (README, ADR 0014, ADR 0018).
		var params map[string]string
		if !pooled {
			params = map[string]string{"backend_flush_after": BackendFlushAfter}
			if cfg.StatementTimeout > 0 {
				params["statement_timeout"] = strconv.FormatInt(cfg.StatementTimeout.Milliseconds(), 10)
			}
		}
		dsn, err := pgxDSN(cfg.URL, params)
		if err != nil {
			return nil, nil, err
		}
		migrateDSN, _ := pgxDSN(cfg.URL, nil)
		db = &DB{Dialect: Postgres, migrateDSN: migrateDSN}
		sqldb, err := openPostgres(dsn, &db.trace, pooled)
		if err != nil {
			return nil, nil, fmt.Errorf("open postgres: %w", err)
		}
		n := cfg.MaxConns
		if n <= 0 {
			n = DefaultMaxConns()
		}
		sqldb.SetMaxOpenConns(n)
		sqldb.SetMaxIdleConns(n)
		sqldb.SetConnMaxIdleTime(5 * time.Minute)
		db.Bun = bun.NewDB(sqldb, pgdialect.New())
		db.pooled = pooled
		// The liveness lock is session state: behind a transaction pooler
		// it needs a direct connection, and without one claims fall back
		// to the fixed lease (ADR 0011, ADR 0014).
		liveDSN := dsn
		if pooled {
			liveDSN = cfg.DirectURL
		}
		db.live = newLiveness(Postgres, liveDSN)
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
		sqldb, err := sql.Open("sqlite", sqliteDSN(path, cfg.StatementTimeout))
		if err != nil {
			return nil, nil, fmt.Errorf("open sqlite: %w", err)
		}
		// SQLite has one writer. One connection makes the pool queue
		// writers instead of failing them with SQLITE_BUSY; WAL and the
		// busy timeout cover other processes (the CLI) on the same file.
		sqldb.SetMaxOpenConns(1)
		db = &DB{Bun: bun.NewDB(sqldb, sqlitedialect.New()), Dialect: SQLite, live: newLiveness(SQLite, path)}
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
	return db, func() { db.notes.stop(); db.live.close(); _ = db.Bun.Close() }, nil
}

// pgxDSN selects pgx's simple protocol unless the URL chooses a mode. bun
// interpolates arguments into the SQL text itself, so every statement text
// is unique: pgx's default (prepare and cache each statement) would add a
// prepare round trip to every query and churn its statement cache.
// params are run-time parameters of every connection (pgx sends unknown
// URL parameters in the startup message), each unless the URL sets it; a
// connect timeout is added likewise.
func pgxDSN(raw string, params map[string]string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("DATABASE_URL: %w", err)
	}
	q := u.Query()
	if q.Get("default_query_exec_mode") == "" {
		q.Set("default_query_exec_mode", "simple_protocol")
	}
	if q.Get("connect_timeout") == "" {
		q.Set("connect_timeout", connectTimeout)
	}
	for k, v := range params {
		if q.Get(k) == "" {
			q.Set(k, v)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// BackendFlushAfter is the backend_flush_after of the server's connections,
// in 8 kB pages (256 kB, PostgreSQL's own checkpoint_flush_after): a
// backend that writes out a dirty buffer to make room asks the kernel to
// start writing it soon. PostgreSQL's default for backends is 0 (never),
// and a payment dirties index pages all over a ledger larger than
// shared_buffers: the page cache then held 200 MB of dirty pages, which
// the kernel's periodic writeback sent in one burst, and every WAL fsync
// queued behind it for 100–300 ms (ADR 0018). Durability is unchanged:
// the data pages are the checkpoint's to fsync, as before.
const BackendFlushAfter = "32"

func sqliteDSN(path string, busy time.Duration) string {
	if busy <= 0 {
		busy = 10 * time.Second
	}
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
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
//
// The lock is transaction-scoped and its transaction stays open while the
// migrations run on other connections: a session lock would be taken on one
// server connection and released on another behind a transaction pooler
// (ADR 0014), leaking it for good.
func (db *DB) Migrate(ctx context.Context, after func(context.Context) error) error {
	mdb := db.Bun
	if db.Dialect == Postgres && db.migrateDSN != "" {
		// Migrations (an index on a large table) and the wait for another
		// server's migrations may outlast the statement timeout: they run
		// on connections of their own without it.
		sqldb, err := sql.Open("pgx", db.migrateDSN)
		if err != nil {
			return err
		}
		sqldb.SetMaxOpenConns(2)
		mdb = bun.NewDB(sqldb, pgdialect.New())
		defer mdb.Close()
	}
	if db.Dialect == Postgres {
		tx, err := mdb.DB.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
		defer tx.Rollback() //nolint:errcheck // nothing to keep: it only held the lock
		// One lock per schema: servers on one schema wait for each other,
		// while databases in other schemas (tests run one per schema on a
		// shared server) migrate at the same time.
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtextextended('wallet migrations:' || COALESCE(current_schema(), ''), 0))"); err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
	}
	sub, err := fs.Sub(migrationFS, "migrations/"+string(db.Dialect))
	if err != nil {
		return err
	}
	ms := migrate.NewMigrations()
	if err := ms.Discover(sub); err != nil {
		return fmt.Errorf("discover migrations: %w", err)
	}
	m := migrate.NewMigrator(mdb, ms, migrate.WithMarkAppliedOnSuccess(true))
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
