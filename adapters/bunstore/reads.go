package bunstore

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/fault"
)

// ReadRouter runs read-only units of work (transaction history and status)
// on a PostgreSQL streaming replica when the replica has replayed
// everything the primary had committed when the read began, and on the
// primary otherwise (ADR 0014).
//
// Read-your-writes across any number of wallet processes: a write
// acknowledged before the read began is at or below the primary's current
// WAL position, so a replica that has replayed up to that position sees
// it. The primary answers one function call per read (no table, no lock);
// the replica does the page's work. A replica that lags more than Wait, is
// down or is not a replica leaves the read on the primary.
type ReadRouter struct {
	primary, replica *DB
	onPrimary        *UnitOfWork
	onReplica        *UnitOfWork
	// Wait bounds how long a read waits for the replica to catch up.
	Wait time.Duration

	replicaReads, primaryReads atomic.Int64
}

var _ app.UnitOfWork = (*ReadRouter)(nil)

// NewReadRouter routes reads between primary and replica. box is the
// store's secret box (repositories unseal with it).
func NewReadRouter(primary, replica *DB, box app.SecretBox, wait time.Duration) *ReadRouter {
	return &ReadRouter{primary: primary, replica: replica, Wait: wait,
		onPrimary: NewUnitOfWork(primary, nil, box), onReplica: NewUnitOfWork(replica, nil, box)}
}

// Do runs fn on the replica when it is current, else on the primary. fn
// must only read.
func (r *ReadRouter) Do(ctx context.Context, fn func(ctx context.Context, r app.Repos) error) error {
	if r.caughtUp(ctx) {
		err := r.onReplica.Do(ctx, fn)
		if fault.KindOf(err) != fault.Unavailable {
			r.replicaReads.Add(1)
			return err
		}
		// The replica went away mid-read: the primary answers.
	}
	r.primaryReads.Add(1)
	return r.onPrimary.Do(ctx, fn)
}

// Reads reports how many reads each server answered since the start.
func (r *ReadRouter) Reads() (replica, primary int64) {
	return r.replicaReads.Load(), r.primaryReads.Load()
}

// caughtUp reads the primary's WAL insert position, then waits up to Wait
// for the replica to have replayed it. The insert position, not the write
// or flush position: with synchronous_commit=off a commit is acknowledged
// before its record is written, but never before it is inserted.
func (r *ReadRouter) caughtUp(ctx context.Context) bool {
	var lsn string
	if err := r.primary.SQL().QueryRowContext(ctx, "SELECT pg_current_wal_insert_lsn()::text").Scan(&lsn); err != nil {
		return false
	}
	deadline := time.Now().Add(r.Wait)
	pause := 500 * time.Microsecond
	for {
		var ok bool
		// On a server that is not in recovery (a promoted replica, or
		// DATABASE_READ_URL naming the primary) there is nothing to wait for.
		err := r.replica.SQL().QueryRowContext(ctx,
			"SELECT CASE WHEN pg_is_in_recovery() THEN COALESCE(pg_last_wal_replay_lsn() >= $1::pg_lsn, false) ELSE true END", lsn).Scan(&ok)
		if err != nil {
			return false
		}
		if ok {
			return true
		}
		if time.Now().Add(pause).After(deadline) {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(pause):
		}
		pause = min(pause*2, 20*time.Millisecond)
	}
}
