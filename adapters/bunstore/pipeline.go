package bunstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// PostgreSQL connections that pipeline a transaction's ends (ADR 0016).
//
// database/sql sends BEGIN when a transaction starts and COMMIT when it
// ends, each a round trip of its own: half of a payment's four. The
// connection below defers BEGIN until the transaction's first statement
// and sends the two together; and the unit of work sends its last batch
// of writes and the COMMIT together. A payment is then two round trips:
// BEGIN + the locking read, the writes + COMMIT. Nothing else changes:
// the same statements run in the same order in one transaction, and the
// COMMIT's answer is awaited before the caller hears of success.
//
// Every statement database/sql sends through these connections keeps the
// simple protocol (bun writes the values into the text) unless it names
// its mode; the connection's default mode is the prepared-statement cache,
// which is what pgx batches (the pipelines) use.

// pipeConnector wraps pgx's database/sql connector.
type pipeConnector struct {
	driver.Connector
	trace *atomic.Pointer[func(sql string)]
	mode  pgx.QueryExecMode // what the URL chose for database/sql's statements
}

func (c pipeConnector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &pipeConn{Conn: dc.(*stdlib.Conn), trace: c.trace, mode: c.mode}, nil
}

// openPostgres opens the pool on pipelining connections. Behind a
// transaction pooler a named statement prepared on one server connection is
// unknown on the next transaction's: the batches then cache only the
// statements' descriptions and send each execution as parse+bind+execute in
// the same round trip (ADR 0014).
func openPostgres(dsn string, trace *atomic.Pointer[func(sql string)], pooled bool) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	mode := cfg.DefaultQueryExecMode
	cfg.DefaultQueryExecMode = pgx.QueryExecModeCacheStatement
	if pooled {
		cfg.DefaultQueryExecMode = pgx.QueryExecModeCacheDescribe
	}
	return sql.OpenDB(pipeConnector{Connector: stdlib.GetConnector(*cfg), trace: trace, mode: mode}), nil
}

// pipeConn is one connection. database/sql uses a connection from one
// goroutine at a time, so its fields need no lock.
type pipeConn struct {
	*stdlib.Conn
	trace *atomic.Pointer[func(sql string)]
	mode  pgx.QueryExecMode
	// beginOwed: a transaction began and nothing has been sent in it yet.
	beginOwed bool
	txCtx     context.Context
}

// pipelineFunc is run by ExecContext with the connection itself.
type pipelineFunc func(ctx context.Context, p pipe) error

// pipe is a connection handed to a pipelineFunc.
type pipe struct {
	c     *pipeConn
	begin bool // BEGIN is owed: it goes first in the next batch
}

// pipelineQuery is the text passed with a pipelineFunc; it is never sent.
const pipelineQuery = "-- walletstore pipeline"

// pipeline runs f on tx's connection.
func pipeline(ctx context.Context, tx *sql.Tx, f pipelineFunc) error {
	_, err := tx.ExecContext(ctx, pipelineQuery, f)
	return err
}

func (c *pipeConn) traced(query string) {
	if f := c.trace.Load(); f != nil {
		(*f)(query)
	}
}

// BeginTx defers BEGIN for the default transaction (READ COMMITTED, read
// write), which is what the unit of work uses; other options begin at once.
func (c *pipeConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if opts.Isolation != driver.IsolationLevel(sql.LevelDefault) || opts.ReadOnly {
		c.traced("BEGIN")
		return c.Conn.BeginTx(ctx, opts)
	}
	if c.Conn.Conn().IsClosed() {
		return nil, driver.ErrBadConn
	}
	c.beginOwed, c.txCtx = true, ctx
	return pipeTx{c}, nil
}

func (c *pipeConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// sendBegin sends an owed BEGIN on its own, for a statement that cannot
// carry it.
func (c *pipeConn) sendBegin(ctx context.Context) error {
	if !c.beginOwed {
		return nil
	}
	c.beginOwed = false
	c.traced("BEGIN")
	_, err := c.Conn.Conn().Exec(ctx, "begin", pgx.QueryExecModeSimpleProtocol)
	return err
}

// withMode makes the URL's mode (the simple protocol unless it chose
// another) explicit unless args choose one.
func (c *pipeConn) withMode(args []driver.NamedValue) []driver.NamedValue {
	if len(args) > 0 {
		if _, ok := args[0].Value.(pgx.QueryExecMode); ok {
			return args
		}
	}
	return append([]driver.NamedValue{{Value: c.mode}}, args...)
}

func (c *pipeConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if query == pipelineQuery && len(args) == 1 {
		if f, ok := args[0].Value.(pipelineFunc); ok {
			p := pipe{c: c, begin: c.beginOwed}
			c.beginOwed = false
			return driver.RowsAffected(0), f(ctx, p)
		}
	}
	if err := c.sendBegin(ctx); err != nil {
		return nil, err
	}
	c.traced(query)
	return c.Conn.ExecContext(ctx, query, c.withMode(args))
}

func (c *pipeConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := c.sendBegin(ctx); err != nil {
		return nil, err
	}
	c.traced(query)
	return c.Conn.QueryContext(ctx, query, c.withMode(args))
}

func (c *pipeConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := c.sendBegin(ctx); err != nil {
		return nil, err
	}
	return c.Conn.PrepareContext(ctx, query)
}

func (c *pipeConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// openOnServer reports whether the transaction reached the server and is
// still open there; a BEGIN still owed is dropped (nothing was sent).
func (c *pipeConn) openOnServer() bool {
	if c.beginOwed {
		c.beginOwed = false
		return false
	}
	return c.Conn.Conn().PgConn().TxStatus() != 'I'
}

// pipeTx ends a deferred transaction.
type pipeTx struct{ c *pipeConn }

// Commit sends COMMIT unless nothing was sent (nothing to commit) or a
// pipeline already committed (the connection is idle again).
func (t pipeTx) Commit() error {
	c := t.c
	if !c.openOnServer() {
		return nil
	}
	c.traced("COMMIT")
	tag, err := c.Conn.Conn().Exec(c.txCtx, "commit", pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		return err
	}
	return commitTag(tag)
}

// Rollback sends ROLLBACK when a transaction is open on the server.
func (t pipeTx) Rollback() error {
	c := t.c
	if !c.openOnServer() {
		return nil
	}
	c.traced("ROLLBACK")
	// The caller's context may be what ended the transaction: the
	// rollback still needs to reach the server.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.txCtx), 5*time.Second)
	defer cancel()
	_, err := c.Conn.Conn().Exec(ctx, "rollback", pgx.QueryExecModeSimpleProtocol)
	return err
}

// commitTag turns a COMMIT answered with ROLLBACK (the transaction had
// failed) into an error, as pgx's own transactions do.
func commitTag(tag pgconn.CommandTag) error {
	if tag.String() == "ROLLBACK" {
		return pgx.ErrTxCommitRollback
	}
	return nil
}

// send sends the queries build queues as one pgx batch (one round trip,
// prepared statements), with BEGIN first when it is owed and COMMIT last
// when commit, and reports it to the tracer as one round trip. Call it
// once per pipe.
func (p pipe) send(ctx context.Context, commit bool, build func(b *pgx.Batch)) error {
	var b pgx.Batch
	if p.begin {
		b.Queue("begin")
	}
	build(&b)
	if commit {
		b.Queue("commit").Exec(func(tag pgconn.CommandTag) error { return commitTag(tag) })
	}
	if f := p.c.trace.Load(); f != nil {
		texts := make([]string, len(b.QueuedQueries))
		for i, q := range b.QueuedQueries {
			texts[i] = q.SQL
		}
		(*f)(strings.Join(texts, ";\n"))
	}
	return p.c.Conn.Conn().SendBatch(ctx, &b).Close()
}
