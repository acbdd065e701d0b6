package bunstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"time"

	"github.com/uptrace/bun"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/fault"
)

// JobQueueFunc binds a job queue to a transaction, so that jobs commit or
// roll back with it.
type JobQueueFunc func(tx *sql.Tx) app.JobQueue

// UnitOfWork implements app.UnitOfWork over bun transactions.
type UnitOfWork struct {
	db   *DB
	jobs JobQueueFunc
	box  app.SecretBox
}

var _ app.UnitOfWork = (*UnitOfWork)(nil)

// NewUnitOfWork returns the transaction provider. box seals personal data
// at rest (the NIK of KYC submissions).
func NewUnitOfWork(db *DB, jobs JobQueueFunc, box app.SecretBox) *UnitOfWork {
	return &UnitOfWork{db: db, jobs: jobs, box: box}
}

const maxTxAttempts = 8

// Do runs fn in a READ COMMITTED (PostgreSQL) or IMMEDIATE (SQLite)
// transaction. Use cases take the row locks they need explicitly, so the
// stronger isolation levels would only add retries.
func (u *UnitOfWork) Do(ctx context.Context, fn func(ctx context.Context, r app.Repos) error) error {
	var err error
	var notes *eventNotes
	for attempt := 1; ; attempt++ {
		if u.db.Dialect == Postgres && u.db.notes != nil {
			notes = &eventNotes{}
		}
		if app.Autocommit(ctx) {
			err = fn(ctx, u.repos(u.db.Bun, nil, nil, notes))
		} else {
			err = u.db.Bun.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				if u.db.Dialect != Postgres {
					return fn(ctx, u.repos(tx, tx.Tx, nil, notes))
				}
				b := &batch{tx: tx}
				if err := fn(ctx, u.repos(batchingTx{Tx: tx, b: b}, tx.Tx, b, notes)); err != nil {
					return b.firstErr(err)
				}
				return b.commit(ctx)
			})
		}
		if err == nil || !isRetryable(err) || attempt == maxTxAttempts || ctx.Err() != nil {
			break
		}
		// Jittered backoff so that the retrying transactions do not collide again.
		d := time.Duration(attempt*attempt) * time.Millisecond
		time.Sleep(d + rand.N(d+time.Millisecond))
	}
	// An autocommit unit's writes may have landed even when it failed.
	if notes != nil && len(notes.ids) > 0 && (err == nil || app.Autocommit(ctx)) {
		u.db.notes.send(notes.ids)
	}
	return classify(err)
}

// repos binds the repositories to db; sqlTx is nil outside a transaction,
// where no jobs can be queued; b collects the writes sent at commit (nil:
// each write goes at once).
func (u *UnitOfWork) repos(db bun.IDB, sqlTx *sql.Tx, b *batch, notes *eventNotes) app.Repos {
	s := store{db: db, dialect: u.db.Dialect, box: u.box, batch: b, live: u.db.live, notes: notes}
	r := app.Repos{
		Customers:     customerRepo{s},
		OTPs:          otpRepo{s},
		Partners:      partnerRepo{s},
		Bindings:      bindingRepo{s},
		Sessions:      sessionRepo{s},
		Accounts:      accountRepo{s},
		Transactions:  transactionRepo{s},
		KYC:           kycRepo{s},
		Events:        eventRepo{s},
		Notifications: notificationRepo{s},
		Idempotency:   idempotencyRepo{s},
		SNAPTokens:    snapTokenRepo{s},
		Payers:        payerRepo{s},
		Operators:     operatorRepo{s},
		Lookups:       lookups{s},
		Guesses:       guessRepo{s},
		Retention:     retentionRepo{s},
	}
	if u.jobs != nil && sqlTx != nil {
		r.Jobs = u.jobs(sqlTx)
	}
	return r
}

var errUnavailable = fault.New(fault.Unavailable, "database unavailable")

// classify turns connection-level failures into fault.Unavailable, which
// callers may retry; other errors pass through unchanged.
func classify(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := fault.As(err); ok {
		return err
	}
	var netErr net.Error
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &netErr), isRetryable(err), isConnError(err):
		return fmt.Errorf("%w: %w", errUnavailable, err)
	}
	return err
}

// isConnError catches PostgreSQL's "cannot connect now" class 08 and 57P
// (admin shutdown) errors, a statement cancelled by statement_timeout
// (57014: the database is too slow right now) and a lock not granted in
// time (55P03).
func isConnError(err error) bool {
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) {
		s := pg.SQLState()
		return len(s) == 5 && (s[:2] == "08" || s[:3] == "57P" || s == "57014" || s == "55P03")
	}
	return false
}

// store is what every repository shares: a handle bound to a transaction
// and the dialect, for the few places that differ.
type store struct {
	db      bun.IDB
	dialect Dialect
	box     app.SecretBox
	batch   *batch
	live    *liveness
	// notes collects the customers of the partner events written, for
	// the notification sent after commit; nil when nothing listens
	// (SQLite).
	notes *eventNotes
}

// forUpdate adds a row lock on PostgreSQL. SQLite needs none: its
// IMMEDIATE transactions already hold the database's single write lock.
func (s store) forUpdate(q *bun.SelectQuery, lock bool) *bun.SelectQuery {
	if lock && s.dialect == Postgres {
		return q.For("UPDATE")
	}
	return q
}

// one maps sql.ErrNoRows to notFound.
func one(err, notFound error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return notFound
	}
	return err
}

// updatedOne returns notFound unless exactly one row changed.
func updatedOne(res sql.Result, err, notFound error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound
	}
	return nil
}

func utc(t time.Time) time.Time { return t.UTC() }
