// Package jobs runs durable background work on River, on whichever database
// the process uses: PostgreSQL through River's database/sql driver, SQLite
// through its SQLite driver. Jobs are inserted in the caller's transaction
// (the outbox) and worked after commit, with retries and backoff.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/app"
)

const queueNotify = "notify"

// SendArgs asks for one send of a stored notification. It carries only the
// id: the message itself stays sealed in the notifications table.
type SendArgs struct {
	NotificationID string `json:"notification_id"`
	Channel        string `json:"channel"`
}

// Kind implements river.JobArgs.
func (SendArgs) Kind() string { return "notify_send" }

// CheckArgs asks whether a WhatsApp message got a delivery status in time.
type CheckArgs struct {
	NotificationID string `json:"notification_id"`
}

// Kind implements river.JobArgs.
func (CheckArgs) Kind() string { return "notify_check" }

// KYCArgs asks for the e-KYC check of a submission.
type KYCArgs struct {
	CustomerID   string `json:"customer_id"`
	SubmissionID string `json:"submission_id"`
}

// Kind implements river.JobArgs.
func (KYCArgs) Kind() string { return "kyc_check" }

const queueKYC = "kyc"

// SettleArgs asks for the settlement of a pending bank transfer.
type SettleArgs struct {
	ReffID string `json:"reff_id"`
}

// Kind implements river.JobArgs.
func (SettleArgs) Kind() string { return "bank_settle" }

const queueMoney = "money"

// ExpireArgs asks for the release of an unredeemed cash-out.
type ExpireArgs struct {
	ReffID string `json:"reff_id"`
}

// Kind implements river.JobArgs.
func (ExpireArgs) Kind() string { return "cash_out_expire" }

// DeliverArgs asks for the webhook delivery of a partner event.
type DeliverArgs struct {
	EventID string `json:"event_id"`
}

// Kind implements river.JobArgs.
func (DeliverArgs) Kind() string { return "webhook_deliver" }

const queueWebhooks = "webhooks"

// webhookAttempts with webhookBackoff spans a little over 24 hours at the
// default base of 1 s: 2 s, 4 s … capped at one hour between attempts, with
// jitter.
const webhookAttempts = 36

func webhookBackoff(base time.Duration, attempt int) time.Time {
	d := min(base<<min(attempt, 12), time.Hour)
	return time.Now().Add(d + time.Duration(rand.Int64N(int64(d/4)+1)))
}

func driver(db *bunstore.DB) riverdriver.Driver[*sql.Tx] {
	if db.Dialect == bunstore.Postgres {
		return riverdatabasesql.New(db.SQL())
	}
	return riversqlite.New(db.SQL())
}

// Migrate applies River's own schema migrations.
func Migrate(ctx context.Context, db *bunstore.DB) error {
	m, err := rivermigrate.New(driver(db), nil)
	if err != nil {
		return err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate job queue: %w", err)
	}
	return nil
}

// Inserter enqueues jobs inside transactions.
type Inserter struct {
	client *river.Client[*sql.Tx]
}

// NewInserter returns an insert-only client.
func NewInserter(db *bunstore.DB, log *slog.Logger) (*Inserter, error) {
	c, err := river.NewClient(driver(db), &river.Config{Logger: log})
	if err != nil {
		return nil, fmt.Errorf("job inserter: %w", err)
	}
	return &Inserter{client: c}, nil
}

// Bind returns the job queue of one transaction; it satisfies
// bunstore.JobQueueFunc.
func (i *Inserter) Bind(tx *sql.Tx) app.JobQueue { return txQueue{client: i.client, tx: tx} }

type txQueue struct {
	client *river.Client[*sql.Tx]
	tx     *sql.Tx
}

var _ app.JobQueue = txQueue{}

// notifyAttempts: with the backoff below this keeps retrying for well over
// an OTP's lifetime; the courier drops messages whose OTP has expired.
const notifyAttempts = 100

func (q txQueue) SendNotification(ctx context.Context, id string, ch app.Channel) error {
	_, err := q.client.InsertTx(ctx, q.tx, SendArgs{NotificationID: id, Channel: string(ch)},
		&river.InsertOpts{Queue: queueNotify, MaxAttempts: notifyAttempts})
	return err
}

func (q txQueue) CheckKYC(ctx context.Context, customerID, submissionID string) error {
	// River's default backoff (attempt^4 seconds) suits a provider outage:
	// KYC is not urgent, and 25 attempts span about three weeks.
	_, err := q.client.InsertTx(ctx, q.tx, KYCArgs{CustomerID: customerID, SubmissionID: submissionID},
		&river.InsertOpts{Queue: queueKYC})
	return err
}

func (q txQueue) SettleBankTransfer(ctx context.Context, reffID string, at time.Time) error {
	_, err := q.client.InsertTx(ctx, q.tx, SettleArgs{ReffID: reffID},
		&river.InsertOpts{Queue: queueMoney, ScheduledAt: at, MaxAttempts: settleAttempts})
	return err
}

func (q txQueue) ExpireCashOut(ctx context.Context, reffID string, at time.Time) error {
	_, err := q.client.InsertTx(ctx, q.tx, ExpireArgs{ReffID: reffID},
		&river.InsertOpts{Queue: queueMoney, ScheduledAt: at, MaxAttempts: settleAttempts})
	return err
}

func (q txQueue) DeliverEvent(ctx context.Context, id string) error {
	_, err := q.client.InsertTx(ctx, q.tx, DeliverArgs{EventID: id},
		&river.InsertOpts{Queue: queueWebhooks, MaxAttempts: webhookAttempts})
	return err
}

func (q txQueue) CheckDelivery(ctx context.Context, id string, at time.Time) error {
	_, err := q.client.InsertTx(ctx, q.tx, CheckArgs{NotificationID: id},
		&river.InsertOpts{Queue: queueNotify, MaxAttempts: notifyAttempts, ScheduledAt: at})
	return err
}

// Runner works the queues in the serve process. Its River client is
// built by Start: every command builds a Runner (one injector), and only
// serve should meet River's worker setup and its log lines ("entering poll
// only mode").
type Runner struct {
	build  func() (*river.Client[*sql.Tx], error)
	client *river.Client[*sql.Tx]
}

// RunnerConfig tunes the runner.
type RunnerConfig struct {
	// PollInterval is how often idle workers look for new jobs; River's
	// database/sql and SQLite drivers have no LISTEN/NOTIFY wake-up.
	PollInterval time.Duration
	Workers      int
	// RetryBase is the first retry delay of a failed send; it doubles up
	// to 32 times the base. Default 1 s.
	RetryBase time.Duration
	// PurgeEvery is how often the retention job runs (DefaultPurgeEvery
	// when zero; negative: never).
	PurgeEvery time.Duration
}

// NewRunner registers the workers.
func NewRunner(db *bunstore.DB, courier *app.Courier, reviewer *app.KYCReviewer, a *app.App, hooks *app.Webhooks, cfg RunnerConfig, log *slog.Logger) (*Runner, error) {
	workers := river.NewWorkers()
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = time.Second
	}
	river.AddWorker(workers, &sendWorker{courier: courier, base: cfg.RetryBase})
	river.AddWorker(workers, &checkWorker{courier: courier, base: cfg.RetryBase})
	river.AddWorker(workers, &kycWorker{reviewer: reviewer})
	river.AddWorker(workers, &settleWorker{app: a, base: cfg.RetryBase})
	river.AddWorker(workers, &expireWorker{app: a, base: cfg.RetryBase})
	if hooks != nil {
		river.AddWorker(workers, &deliverWorker{hooks: hooks, base: cfg.RetryBase})
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 200 * time.Millisecond
	}
	var periodic []*river.PeriodicJob
	if a != nil && cfg.PurgeEvery >= 0 {
		river.AddWorker(workers, &purgeWorker{app: a})
		if cfg.PurgeEvery == 0 {
			cfg.PurgeEvery = DefaultPurgeEvery
		}
		periodic = append(periodic, purgeJob(cfg.PurgeEvery))
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 10
	}
	config := &river.Config{
		// A database outage makes every producer log each failed poll.
		Logger:            slog.New(quiet(log.Handler(), 10*time.Second)),
		Queues:            map[string]river.QueueConfig{queueNotify: {MaxWorkers: cfg.Workers}, queueKYC: {MaxWorkers: 2}, queueMoney: {MaxWorkers: 10}, queueWebhooks: {MaxWorkers: 20}, queueMaintenance: {MaxWorkers: 1}},
		PeriodicJobs:      periodic,
		Workers:           workers,
		FetchPollInterval: cfg.PollInterval,
		FetchCooldown:     min(cfg.PollInterval, 100*time.Millisecond),
		PollOnly:          true,
		JobTimeout:        30 * time.Second,
		// A job that was running when its process died (SIGKILL, a lost
		// host) stays "running" until the rescuer retries it: River's
		// default is an hour, which would leave a pending transfer or an
		// OTP unsent that long. Jobs end by JobTimeout and are idempotent
		// (settlement is exactly-once), so 15 s past it is safe.
		RescueStuckJobsAfter: 45 * time.Second,
	}
	return &Runner{build: func() (*river.Client[*sql.Tx], error) {
		c, err := river.NewClient(driver(db), config)
		if err != nil {
			return nil, fmt.Errorf("job runner: %w", err)
		}
		return c, nil
	}}, nil
}

// Start begins working jobs until Stop. A Runner is started once.
func (r *Runner) Start(ctx context.Context) error {
	if r.client == nil {
		c, err := r.build()
		if err != nil {
			return err
		}
		r.client = c
	}
	return r.client.Start(ctx)
}

// Stop waits for running jobs to finish, up to ctx's deadline. A Runner
// never started has nothing to stop.
func (r *Runner) Stop(ctx context.Context) error {
	if r.client == nil {
		return nil
	}
	return r.client.Stop(ctx)
}

// notifyBackoff retries quickly at first: an OTP is useful for minutes only.
func notifyBackoff(base time.Duration, attempt int) time.Time {
	return time.Now().Add(base << min(attempt, 5)) // 2, 4 … 32 × base
}

type sendWorker struct {
	river.WorkerDefaults[SendArgs]
	courier *app.Courier
	base    time.Duration
}

func (w *sendWorker) Work(ctx context.Context, job *river.Job[SendArgs]) error {
	return w.courier.Send(ctx, job.Args.NotificationID, app.Channel(job.Args.Channel))
}

func (w *sendWorker) NextRetry(job *river.Job[SendArgs]) time.Time {
	return notifyBackoff(w.base, job.Attempt)
}

type checkWorker struct {
	river.WorkerDefaults[CheckArgs]
	courier *app.Courier
	base    time.Duration
}

func (w *checkWorker) Work(ctx context.Context, job *river.Job[CheckArgs]) error {
	return w.courier.CheckDelivery(ctx, job.Args.NotificationID)
}

func (w *checkWorker) NextRetry(job *river.Job[CheckArgs]) time.Time {
	return notifyBackoff(w.base, job.Attempt)
}

type kycWorker struct {
	river.WorkerDefaults[KYCArgs]
	reviewer *app.KYCReviewer
}

func (w *kycWorker) Work(ctx context.Context, job *river.Job[KYCArgs]) error {
	return w.reviewer.Review(ctx, job.Args.CustomerID, job.Args.SubmissionID)
}

// settleAttempts bounds failed attempts (gateway errors), not polls: a
// transfer still pending is snoozed, which River does not count.
const settleAttempts = 200

type settleWorker struct {
	river.WorkerDefaults[SettleArgs]
	app  *app.App
	base time.Duration
}

func (w *settleWorker) Work(ctx context.Context, job *river.Job[SettleArgs]) error {
	err := w.app.SettleBankTransfer(ctx, job.Args.ReffID)
	if errors.Is(err, app.ErrStillPending) {
		return river.JobSnooze(w.base * 5)
	}
	return err
}

func (w *settleWorker) NextRetry(job *river.Job[SettleArgs]) time.Time {
	return notifyBackoff(w.base, job.Attempt)
}

type expireWorker struct {
	river.WorkerDefaults[ExpireArgs]
	app  *app.App
	base time.Duration
}

func (w *expireWorker) Work(ctx context.Context, job *river.Job[ExpireArgs]) error {
	return w.app.ExpireCashOut(ctx, job.Args.ReffID)
}

func (w *expireWorker) NextRetry(job *river.Job[ExpireArgs]) time.Time {
	return notifyBackoff(w.base, job.Attempt)
}

type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	hooks *app.Webhooks
	base  time.Duration
}

func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	err := w.hooks.Deliver(ctx, job.Args.EventID, job.Attempt >= job.MaxAttempts)
	if errors.Is(err, app.ErrDeliverLater) {
		return river.JobSnooze(min(w.base, time.Second))
	}
	return err
}

func (w *deliverWorker) NextRetry(job *river.Job[DeliverArgs]) time.Time {
	return webhookBackoff(w.base, job.Attempt)
}

// Timeout bounds one delivery; the sender's own timeout is shorter.
func (w *deliverWorker) Timeout(*river.Job[DeliverArgs]) time.Duration { return 30 * time.Second }
