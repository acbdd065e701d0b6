package app

import (
	"context"
	"sync"

	"github.com/dompet/wallet/domain/transfer"
)

// Observer records what operators watch (the metrics adapter implements
// it). Methods are called after the fact, must be cheap and safe for
// concurrent use, and cannot fail. Labels are bounded sets: never a
// customer, partner or amount.
type Observer interface {
	// Moved is called once a transaction is committed, created or changed:
	// its type, its status and its total amount in rupiah.
	Moved(typ transfer.Type, status transfer.Status, total int64)
	// FellBack is called when a message is handed from one channel to
	// another (WhatsApp to SMS).
	FellBack(from, to Channel)
	// WebhookAttempt is called after each delivery attempt with its number
	// (1 for the first) and its outcome: DELIVERED, FAILED or DEAD.
	WebhookAttempt(outcome string, attempt int)
}

// Tracer starts a span named after a use case or a database transaction
// (the tracing adapter implements it with OpenTelemetry). end records the
// outcome and closes the span.
type Tracer interface {
	Start(ctx context.Context, name string) (_ context.Context, end func(err error))
}

type nopTracer struct{}

func (nopTracer) Start(ctx context.Context, _ string) (context.Context, func(error)) {
	return ctx, func(error) {}
}

// span starts the span of a use case.
func (a *App) span(ctx context.Context, name string) (context.Context, func(error)) {
	return a.tracer.Start(ctx, "app."+name)
}

// nopObserver records nothing: the default when none is wired.
type nopObserver struct{}

func (nopObserver) Moved(transfer.Type, transfer.Status, int64) {}
func (nopObserver) FellBack(Channel, Channel)                   {}
func (nopObserver) WebhookAttempt(string, int)                  {}

func observerOrNop(o Observer) Observer {
	if o == nil {
		return nopObserver{}
	}
	return o
}

// observingUoW traces every unit of work and tells the observer about
// every transaction it committed, and only once it has committed: a
// rolled-back movement never happened.
type observingUoW struct {
	UnitOfWork
	obs    Observer
	tracer Tracer
}

func (u observingUoW) Do(ctx context.Context, fn func(ctx context.Context, r Repos) error) (err error) {
	ctx, end := u.tracer.Start(ctx, "db.transaction")
	defer func() { end(err) }()
	var seen *moved
	err = u.UnitOfWork.Do(ctx, func(ctx context.Context, r Repos) error {
		seen = &moved{} // a retried transaction starts over
		if r.Transactions != nil {
			r.Transactions = observedTransactions{Repository: r.Transactions, seen: seen}
		}
		return fn(ctx, r)
	})
	if err == nil && seen != nil {
		for _, m := range seen.list {
			u.obs.Moved(m.typ, m.status, m.total)
		}
	}
	return err
}

type movement struct {
	typ    transfer.Type
	status transfer.Status
	total  int64
}

type moved struct {
	mu   sync.Mutex
	list []movement
}

func (m *moved) add(t *transfer.Transaction) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.list = append(m.list, movement{t.Type(), t.Status(), t.Total()})
}

type observedTransactions struct {
	transfer.Repository
	seen *moved
}

func (r observedTransactions) Add(ctx context.Context, t *transfer.Transaction) error {
	if err := r.Repository.Add(ctx, t); err != nil {
		return err
	}
	r.seen.add(t)
	return nil
}

func (r observedTransactions) Update(ctx context.Context, t *transfer.Transaction) error {
	if err := r.Repository.Update(ctx, t); err != nil {
		return err
	}
	r.seen.add(t)
	return nil
}
