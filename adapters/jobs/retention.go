package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/dompet/wallet/app"
)

const queueMaintenance = "maintenance"

// PurgeArgs asks for one retention run (app.Purge).
type PurgeArgs struct{}

// Kind implements river.JobArgs.
func (PurgeArgs) Kind() string { return "retention_purge" }

// DefaultPurgeEvery is how often the retention job runs.
const DefaultPurgeEvery = time.Hour

type purgeWorker struct {
	river.WorkerDefaults[PurgeArgs]
	app *app.App
}

func (w *purgeWorker) Work(ctx context.Context, _ *river.Job[PurgeArgs]) error {
	_, err := w.app.Purge(ctx)
	return err
}

// purgeJob runs the retention job every interval and once at start. River
// runs periodic jobs on the elected leader only, so several serve processes
// do not purge at once.
func purgeJob(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every), func() (river.JobArgs, *river.InsertOpts) {
		return PurgeArgs{}, &river.InsertOpts{Queue: queueMaintenance, MaxAttempts: 3}
	}, &river.PeriodicJobOpts{RunOnStart: true})
}
