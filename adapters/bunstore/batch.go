package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/transfer"
)

// batch holds the writes of one PostgreSQL transaction whose outcome the use
// case does not read back: ledger postings, balances, the transaction row,
// its partner event, the stored answer. They are sent just before the
// transaction's next read or its COMMIT, as few statements as possible
// (ADR 0009): the hot path's writes are parameterized and go as one prepared
// statement whose sub-statements are data-modifying CTEs; bun-built writes
// (values in the text) go as one multi-statement query. A failing statement
// aborts the transaction, so nothing commits half; the failure is reported
// by the flush, that is by the next read or by the commit.
type batch struct {
	tx     bun.Tx
	writes []write
	err    error // the flush failure; the transaction is aborted after it
}

// write is one pending statement: bun-built text, or a parameterized
// statement ($1…) with its arguments.
type write struct {
	text string
	sql  string
	args []any
	// table and updates: a CTE group never updates one table twice (data
	// -modifying CTEs of one statement do not see each other's rows).
	table   string
	updates bool
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
	buf, err := q.AppendQuery(q.DB().QueryGen(), nil)
	if err != nil {
		return err
	}
	b.writes = append(b.writes, write{text: string(buf)})
	return nil
}

// addParams queues a parameterized statement on table; updates tells
// whether it changes existing rows (UPDATE, ON CONFLICT DO UPDATE).
func (b *batch) addParams(table string, updates bool, sql string, args ...any) error {
	if b.err != nil {
		return b.err
	}
	b.writes = append(b.writes, write{sql: sql, args: args, table: table, updates: updates})
	return nil
}

// flush sends the pending writes, in order.
func (b *batch) flush(ctx context.Context) error { return b.send(ctx, false) }

// commit sends the pending writes and commits (ADR 0016): when the last
// of them is a prepared statement, COMMIT travels with it in one round
// trip; otherwise the unit of work's COMMIT follows as usual (the
// connection knows whether the transaction is still open).
func (b *batch) commit(ctx context.Context) error { return b.send(ctx, true) }

func (b *batch) send(ctx context.Context, commit bool) error {
	if b.err != nil || len(b.writes) == 0 {
		return b.err
	}
	writes := b.writes
	b.writes = b.writes[:0]
	for i := 0; i < len(writes); {
		var err error
		if writes[i].text != "" {
			j := i
			var texts []string
			for ; j < len(writes) && writes[j].text != ""; j++ {
				texts = append(texts, writes[j].text)
			}
			_, err = b.tx.ExecContext(ctx, strings.Join(texts, ";\n"))
			i = j
		} else {
			j := i + 1
			updated := map[string]bool{}
			if writes[i].updates {
				updated[writes[i].table] = true
			}
			for ; j < len(writes) && writes[j].text == "" && !(writes[j].updates && updated[writes[j].table]); j++ {
				if writes[j].updates {
					updated[writes[j].table] = true
				}
			}
			query, args := combine(writes[i:j])
			last := commit && j == len(writes)
			// Prepared once per connection (pgx's statement cache): the
			// text is the same for every movement of one shape.
			err = pipeline(ctx, b.tx.Tx, func(ctx context.Context, p pipe) error {
				return p.send(ctx, last, func(q *pgx.Batch) { q.Queue(query, args...) })
			})
			i = j
		}
		if err != nil {
			b.err = batchError(err)
			return b.err
		}
	}
	return nil
}

var placeholder = regexp.MustCompile(`\$(\d+)`)

// combined remembers the statement made of each sequence of statements:
// there are a few shapes (a payment, a top-up, …), each built once.
var combined sync.Map // the statements joined by NUL → the combined statement

// combine makes one statement of parameterized writes: all but the last
// become data-modifying CTEs, their placeholders renumbered.
func combine(ws []write) (string, []any) {
	if len(ws) == 1 {
		return ws[0].sql, ws[0].args
	}
	n, size := 0, 0
	for _, w := range ws {
		n += len(w.args)
		size += len(w.sql) + 1
	}
	args := make([]any, 0, n)
	key := make([]byte, 0, size)
	for _, w := range ws {
		args = append(args, w.args...)
		key = append(append(key, w.sql...), 0)
	}
	if q, ok := combined.Load(string(key)); ok {
		return q.(string), args
	}
	q := buildCombined(ws)
	combined.Store(string(key), q)
	return q, args
}

func buildCombined(ws []write) string {
	var sb strings.Builder
	offset := 0
	for i, w := range ws {
		base := offset
		stmt := placeholder.ReplaceAllStringFunc(w.sql, func(m string) string {
			n, _ := strconv.Atoi(m[1:])
			return "$" + strconv.Itoa(n+base)
		})
		offset += len(w.args)
		switch {
		case i == 0:
			sb.WriteString("WITH w0 AS (" + stmt + ")")
		case i < len(ws)-1:
			sb.WriteString(", w" + strconv.Itoa(i) + " AS (" + stmt + ")")
		default:
			sb.WriteString("\n" + stmt)
		}
	}
	return sb.String()
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
