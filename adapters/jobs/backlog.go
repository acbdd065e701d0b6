package jobs

import (
	"context"
	"time"

	"github.com/dompet/wallet/adapters/bunstore"
)

// Backlog is the work waiting in the queue for one job kind in one state.
type Backlog struct {
	Kind, State string
	Count       int64
	// OldestAge is how long the oldest job has been due; for scheduled
	// jobs (due in the future) it is zero.
	OldestAge time.Duration
}

// Backlogs reads the jobs not yet done (available, scheduled, retryable) by
// kind and state. It reads River's table directly: River's client has no
// count by kind.
func Backlogs(ctx context.Context, db *bunstore.DB) ([]Backlog, error) {
	age := "EXTRACT(EPOCH FROM now() - min(scheduled_at))"
	if db.Dialect != bunstore.Postgres {
		age = "(julianday('now') - julianday(min(scheduled_at))) * 86400"
	}
	rows, err := db.SQL().QueryContext(ctx, `SELECT kind, state, count(*), COALESCE(`+age+`, 0)
		FROM river_job WHERE state IN ('available', 'scheduled', 'retryable') GROUP BY kind, state ORDER BY kind, state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Backlog
	for rows.Next() {
		var b Backlog
		var seconds float64
		if err := rows.Scan(&b.Kind, &b.State, &b.Count, &seconds); err != nil {
			return nil, err
		}
		if b.State != "scheduled" && seconds > 0 {
			b.OldestAge = time.Duration(seconds * float64(time.Second))
		}
		out = append(out, b)
	}
	return out, rows.Err()
}
