package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/transfer"
)

// batch holds the writes of one PostgreSQL transaction whose outcome the use
// case does not read back: ledger postings, balances, the transaction row,
// its partner event, the stored answer. They travel as one multi-statement
// query (pgx's simple protocol sends it as one message) just before the
// transaction's next read or its COMMIT: one round trip instead of one per
// statement (ADR 0007). The server stops at the first failing statement and
// the transaction is aborted, so nothing commits half; the failure is
// reported by the flush, that is by the next read or by the commit.
type batch struct {
	tx  bun.Tx
	buf []byte
	err error // the flush failure; the transaction is aborted after it
}

// batchable is a bun write query.
type batchable interface {
	AppendQuery(gen schema.QueryGen, b []byte) ([]byte, error)
	Exec(ctx context.Context, dest ...any) (sql.Result, error)
	DB() *bun.DB
}

func (b *batch) add(q batchable) error {
	if b.err != nil {
		return b.err
	}
	if len(b.buf) > 0 {
		b.buf = append(b.buf, ";\n"...)
	}
	buf, err := q.AppendQuery(q.DB().QueryGen(), b.buf)
	if err != nil {
		return err
	}
	b.buf = buf
	return nil
}

// flush sends the pending writes.
func (b *batch) flush(ctx context.Context) error {
	if b.err != nil || len(b.buf) == 0 {
		return b.err
	}
	query := string(b.buf)
	b.buf = b.buf[:0]
	if _, err := b.tx.ExecContext(ctx, query); err != nil {
		b.err = batchError(err)
	}
	return b.err
}

// batchError names the business key a batched insert hit, as the
// repositories do for a single insert.
func batchError(err error) error {
	if !isUniqueViolation(err) {
		return err
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "idempotency_keys"):
		return app.ErrIdempotencyKeyTaken
	case strings.Contains(msg, "transactions_external"):
		return transfer.ErrExternalIDReused
	case strings.Contains(msg, "transactions_order"):
		return transfer.ErrOrderIDUsed
	case strings.Contains(msg, "transactions_reference"):
		return transfer.ErrReferenceReused
	}
	return err
}

// later runs a write whose result the caller does not need: batched in a
// PostgreSQL transaction, at once elsewhere (SQLite, autocommit units).
func (s store) later(ctx context.Context, q batchable) error {
	if s.batch == nil {
		_, err := q.Exec(ctx)
		return err
	}
	return s.batch.add(q)
}

// batchingTx is a bun transaction whose every statement first sends the
// batch, so that reads see the transaction's own writes and statements keep
// their order.
type batchingTx struct {
	bun.Tx
	b *batch
}

var _ bun.IDB = batchingTx{}

func (t batchingTx) NewSelect() *bun.SelectQuery { return t.Tx.NewSelect().Conn(t) }
func (t batchingTx) NewInsert() *bun.InsertQuery { return t.Tx.NewInsert().Conn(t) }
func (t batchingTx) NewUpdate() *bun.UpdateQuery { return t.Tx.NewUpdate().Conn(t) }
func (t batchingTx) NewDelete() *bun.DeleteQuery { return t.Tx.NewDelete().Conn(t) }
func (t batchingTx) NewRaw(query string, args ...any) *bun.RawQuery {
	return t.Tx.NewRaw(query, args...).Conn(t)
}

func (t batchingTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := t.b.flush(ctx); err != nil {
		return nil, err
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

func (t batchingTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := t.b.flush(ctx); err != nil {
		return nil, err
	}
	return t.Tx.ExecContext(ctx, query, args...)
}

func (t batchingTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	// A failed flush aborted the transaction: the query then fails too,
	// and the unit of work reports the flush's error.
	_ = t.b.flush(ctx)
	return t.Tx.QueryRowContext(ctx, query, args...)
}

// firstErr prefers the batch's failure: what fn saw after it is only the
// aborted transaction.
func (b *batch) firstErr(err error) error {
	if b.err != nil && err != nil && !errors.Is(err, b.err) {
		return b.err
	}
	return err
}
