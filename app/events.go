package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/operator"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/transfer"
	"github.com/dompet/wallet/domain/wallet"
)

// EventTransactionUpdated is the one event type today: a transaction was
// created or changed status.
const EventTransactionUpdated = "transaction.updated"

// Event delivery states.
const (
	EventPending    = "PENDING"
	EventDelivered  = "DELIVERED"
	EventDead       = "DEAD"        // retries exhausted; an operator may replay it
	EventNoEndpoint = "NO_ENDPOINT" // the partner has no callback URL
)

// Event is one partner event, as stored in the outbox.
type Event struct {
	ID             string
	PartnerID      string
	CustomerID     string
	CounterpartyID string
	ReffID         string
	Type           string
	Payload        []byte // the JSON body partners receive
	Status         string
	Attempts       int
	LastError      string
	CreatedAt      time.Time
	DeliveredAt    time.Time
}

// ErrEventNotFound is returned by EventStore lookups.
var ErrEventNotFound = fault.New(fault.NotFound, "event not found")

// EventStore is the partner event outbox.
type EventStore interface {
	// Add stores a new event.
	Add(ctx context.Context, e Event) error
	// Get returns the event or ErrEventNotFound.
	Get(ctx context.Context, id string) (Event, error)
	// Save stores status, attempts, last error and delivery time.
	Save(ctx context.Context, e Event) error
	// EarlierUndelivered reports whether an older event of the same
	// transaction is still pending: events of one transaction go out in
	// order.
	EarlierUndelivered(ctx context.Context, reffID, id string) (bool, error)
	// List returns a partner's events, newest first, optionally by status.
	List(ctx context.Context, partnerID, status string, limit int) ([]Event, error)
	// ForCustomer returns the events concerning a customer after the given
	// id, oldest first (the subscription feed).
	ForCustomer(ctx context.Context, customerID, afterID string, limit int) ([]Event, error)
}

// EventPayload is what a partner's webhook receives.
type EventPayload struct {
	EventID         string `json:"eventId"`
	Type            string `json:"type"`
	ReffID          string `json:"reffId"`
	TransactionType string `json:"transactionType"`
	Status          string `json:"status"`
	Amount          string `json:"amount"`
	ServiceFee      string `json:"serviceFee"`
	TotalAmount     string `json:"totalAmount"`
	OrderID         string `json:"orderId,omitempty"`
	OccurredAt      string `json:"occurredAt"`
}

// eventingRepository writes an event into the outbox, in the same database
// transaction, whenever a transaction is created or changes.
type eventingRepository struct {
	transfer.Repository
	events EventStore
	jobs   JobQueue
	ids    IDs
	now    func() time.Time
	// endpoint reports a partner's callback URL when the process knows it
	// without asking the database (known is false otherwise).
	endpoint func(partnerID string) (url string, known bool)
}

func (r eventingRepository) Add(ctx context.Context, t *transfer.Transaction) error {
	if err := r.Repository.Add(ctx, t); err != nil {
		return err
	}
	return r.emit(ctx, t)
}

func (r eventingRepository) Update(ctx context.Context, t *transfer.Transaction) error {
	if err := r.Repository.Update(ctx, t); err != nil {
		return err
	}
	return r.emit(ctx, t)
}

func (r eventingRepository) emit(ctx context.Context, t *transfer.Transaction) error {
	if r.events == nil {
		return nil
	}
	now := r.now()
	id := r.ids.New()
	body, err := json.Marshal(EventPayload{EventID: id, Type: EventTransactionUpdated, ReffID: t.ID(),
		TransactionType: string(t.Type()), Status: string(t.Status()), Amount: strconv.FormatInt(t.Amount(), 10),
		ServiceFee: strconv.FormatInt(t.Fee(), 10), TotalAmount: strconv.FormatInt(t.Total(), 10), OrderID: t.OrderID(),
		OccurredAt: now.In(wallet.WIB).Format(time.RFC3339)})
	if err != nil {
		return err
	}
	e := Event{ID: id, PartnerID: t.PartnerID(), CustomerID: t.CustomerID(), CounterpartyID: t.CounterpartyID(),
		ReffID: t.ID(), Type: EventTransactionUpdated, Payload: body, Status: EventPending, CreatedAt: now}
	// A partner known to have no endpoint gets no delivery job: the event
	// still feeds subscriptions and the delivery log, at one insert.
	if url, known := r.endpoint(t.PartnerID()); known && url == "" {
		e.Status = EventNoEndpoint
	}
	if err := r.events.Add(ctx, e); err != nil {
		return err
	}
	if r.jobs == nil || e.Status != EventPending {
		return nil
	}
	return r.jobs.DeliverEvent(ctx, id)
}

// eventingUoW decorates the store's unit of work so that every use case's
// transaction changes emit events, without any use case having to.
type eventingUoW struct {
	UnitOfWork
	ids      IDs
	now      func() time.Time
	endpoint func(partnerID string) (string, bool)
}

func (u eventingUoW) Do(ctx context.Context, fn func(ctx context.Context, r Repos) error) error {
	return u.UnitOfWork.Do(ctx, func(ctx context.Context, r Repos) error {
		if r.Transactions != nil {
			r.Transactions = eventingRepository{Repository: r.Transactions, events: r.Events, jobs: r.Jobs, ids: u.ids, now: u.now,
				endpoint: u.endpoint}
		}
		return fn(ctx, r)
	})
}

// WebhookSender posts a signed event to a partner. It returns the HTTP
// status; an error means no answer (timeout, refused connection).
type WebhookSender interface {
	Post(ctx context.Context, url string, headers map[string]string, body []byte) (int, error)
}

// Webhooks delivers partner events.
type Webhooks struct {
	app    *App
	sender WebhookSender
	// perPartner bounds concurrent deliveries to one partner, so that a
	// slow endpoint cannot take every worker.
	perPartner int
	mu         sync.Mutex
	busy       map[string]int
}

// NewWebhooks wires the deliverer.
func NewWebhooks(a *App, sender WebhookSender) *Webhooks {
	return &Webhooks{app: a, sender: sender, perPartner: 4, busy: map[string]int{}}
}

// ErrDeliverLater asks the job runner to try the event again later without
// counting a failure (an earlier event of the transaction is still on its
// way, or the partner's delivery slots are taken).
var ErrDeliverLater = errors.New("deliver later")

// Deliver posts one event. final says this is the last attempt the job
// runner will make: a failure then marks the event dead.
func (w *Webhooks) Deliver(ctx context.Context, id string, final bool) error {
	a := w.app
	var e Event
	var earlier bool
	err := a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		var err error
		if e, err = r.Events.Get(ctx, id); err != nil {
			return err
		}
		earlier, err = r.Events.EarlierUndelivered(ctx, e.ReffID, e.ID)
		return err
	})
	if errors.Is(err, ErrEventNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if e.Status != EventPending {
		return nil
	}
	if earlier {
		return ErrDeliverLater
	}
	p, secret, err := a.partnerWithSecret(ctx, e.PartnerID)
	if err != nil {
		return err
	}
	if p.CallbackURL() == "" {
		e.Status = EventNoEndpoint
		return w.save(ctx, e)
	}
	if !w.acquire(p.ID()) {
		return ErrDeliverLater
	}
	defer w.release(p.ID())
	u, err := url.Parse(p.CallbackURL())
	if err != nil {
		return err
	}
	// SNAP partners get SNAP's notify body (ADR 0007), signed the same way.
	body := e.Payload
	if len(p.SNAPPublicKey()) > 0 {
		if body, err = a.snapNotifyBody(ctx, e); err != nil {
			return err
		}
	}
	ts := a.now().In(wallet.WIB).Format(time.RFC3339)
	headers := map[string]string{
		"Content-Type": "application/json",
		"X-PARTNER-ID": p.ID(),
		"X-TIMESTAMP":  ts,
		"X-SIGNATURE":  partner.Sign(secret, "POST", u.RequestURI(), body, ts),
		"X-EVENT-ID":   e.ID,
	}
	status, err := w.sender.Post(ctx, p.CallbackURL(), headers, body)
	e.Attempts++
	if err == nil && status >= 200 && status < 300 {
		e.Status, e.LastError, e.DeliveredAt = EventDelivered, "", a.now()
		a.obs.WebhookAttempt(EventDelivered, e.Attempts)
		return w.save(ctx, e)
	}
	if err == nil {
		err = fmt.Errorf("partner answered HTTP %d", status)
	}
	e.LastError = err.Error()
	outcome := "FAILED"
	if final {
		e.Status, outcome = EventDead, EventDead
	}
	a.obs.WebhookAttempt(outcome, e.Attempts)
	if saveErr := w.save(ctx, e); saveErr != nil {
		return saveErr
	}
	return err
}

func (w *Webhooks) save(ctx context.Context, e Event) error {
	return w.app.uow.Do(ctx, func(ctx context.Context, r Repos) error { return r.Events.Save(ctx, e) })
}

func (w *Webhooks) acquire(partnerID string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.busy[partnerID] >= w.perPartner {
		return false
	}
	w.busy[partnerID]++
	return true
}

func (w *Webhooks) release(partnerID string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.busy[partnerID]--
}

// Deliveries lists a partner's events for operators and partners.
// Errors: Invalid.
func (a *App) Deliveries(ctx context.Context, partnerID, status string, limit int) ([]Event, error) {
	switch status {
	case "", EventPending, EventDelivered, EventDead, EventNoEndpoint:
	default:
		return nil, fault.Invalidf("status", "must be PENDING, DELIVERED, DEAD or NO_ENDPOINT")
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var out []Event
	err := a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		var err error
		out, err = r.Events.List(ctx, partnerID, status, limit)
		return err
	})
	return out, err
}

// ReplayEvent queues an event again (a dead one, or one a partner lost);
// the operator audit log records it as done by the CLI.
// Errors: NotFound.
func (a *App) ReplayEvent(ctx context.Context, id string) (Event, error) {
	var e Event
	err := a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		var err error
		if e, err = replayEvent(ctx, r, id); err != nil {
			return err
		}
		return r.Operators.Record(ctx, a.auditEntry(nil, "webhook.replay", id, e.PartnerID, operator.OutcomeDone))
	})
	return e, err
}

func replayEvent(ctx context.Context, r Repos, id string) (Event, error) {
	e, err := r.Events.Get(ctx, id)
	if err != nil {
		return Event{}, err
	}
	e.Status, e.LastError = EventPending, ""
	if err := r.Events.Save(ctx, e); err != nil {
		return Event{}, err
	}
	return e, r.Jobs.DeliverEvent(ctx, id)
}

// SetCallbackURL changes where a partner receives webhooks.
// Errors: Invalid, NotFound.
func (a *App) SetCallbackURL(ctx context.Context, partnerID, callbackURL string) (*partner.Partner, error) {
	var p *partner.Partner
	err := a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		var err error
		if p, err = r.Partners.ByID(ctx, partnerID); err != nil {
			return err
		}
		if err := p.SetCallbackURL(callbackURL); err != nil {
			return err
		}
		return r.Partners.Update(ctx, p)
	})
	if err != nil {
		return nil, err
	}
	a.partners.Delete(partnerID)
	return p, nil
}

// CustomerEvents returns the events of the session's customer after the
// given event id (the subscription feed; ids are time-ordered).
func (a *App) CustomerEvents(ctx context.Context, s CustomerSession, afterID string) ([]Event, error) {
	var out []Event
	err := a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		var err error
		out, err = r.Events.ForCustomer(ctx, s.CustomerID, afterID, 100)
		return err
	})
	return out, err
}

// cachedEndpoint reads a partner's callback URL from the process cache only:
// it runs inside transactions, where a database read on another connection
// could wait on the transaction itself (SQLite has one connection).
func (a *App) cachedEndpoint(partnerID string) (string, bool) {
	v, ok := a.partners.Load(partnerID)
	if !ok {
		return "", false
	}
	c := v.(cachedPartner)
	if !time.Now().Before(c.expires) {
		return "", false
	}
	return c.partner.CallbackURL(), true
}
