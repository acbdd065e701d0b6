package graph

import (
	"context"
	"log/slog"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/graph/model"
)

const (
	// eventPage is how many events app.CustomerEvents returns at most: a
	// shorter page is the last one.
	eventPage = 100
	// eventLookback covers events that commit out of id order: an event's
	// id is made before its database transaction commits, so on a shared
	// store (several servers, the job runner) an event may appear after
	// one with a larger id was read. The feed keeps reading this far back
	// behind the newest id it has seen, and skips what it already sent.
	eventLookback = 10 * time.Second
)

var (
	errSessionEnded = &fault.Error{Kind: fault.Unauthenticated, Field: "Authorization",
		Detail: "is no longer valid: the access token was revoked or has expired"}
	errPartnerRefused = &fault.Error{Kind: fault.Unauthenticated, Field: "X-PARTNER-ID",
		Detail: "is no longer accepted: the partner was disabled"}
)

// Wakeups tells subscriptions when to read, instead of a timer per
// subscriber (ADR 0013): the database's change notifications, fanned out
// by one listener per process (adapters/pgnotify).
type Wakeups interface {
	// Watch registers a subscriber of customerID acting through
	// partnerID. events receives when the customer may have new events;
	// auth when the partner changed or a session of the customer was
	// revoked. Both are coalesced; the implementation wakes them itself
	// (polling) while it cannot listen, and after it reconnects. stop
	// ends the watch.
	Watch(partnerID, customerID string) (events, auth <-chan struct{}, stop func())
}

// transactionFeed follows one customer's events in the outbox (the same
// events partner webhooks are made from) and turns them into the
// customer's transactions, as they stand when sent.
type transactionFeed struct {
	app       *app.App
	log       *slog.Logger
	session   app.CustomerSession
	partnerID string
	token     string

	// floor is the event id the feed reads after; every event at or below
	// it has been dealt with or is given up on.
	floor string
	// seen holds the ids above floor already dealt with, and when they
	// were first read.
	seen map[string]time.Time
}

func newTransactionFeed(a *app.App, log *slog.Logger, c *caller) *transactionFeed {
	return &transactionFeed{app: a, log: log, session: *c.session, partnerID: c.partner.ID(), token: c.token,
		seen: map[string]time.Time{}}
}

// start moves the floor to the customer's newest event: a subscription
// reports what happens after it starts, never history.
func (f *transactionFeed) start(ctx context.Context) error {
	for {
		events, err := f.app.CustomerEvents(ctx, f.session, f.floor)
		if err != nil {
			return err
		}
		if len(events) > 0 {
			f.floor = events[len(events)-1].ID
		}
		if len(events) < eventPage {
			return nil
		}
	}
}

// wakeups are the signals a feed reads on: with a change listener
// (Wakeups) they come from the database's notifications, otherwise from
// timers (polling).
type wakeups struct {
	events <-chan struct{}  // the customer may have new events
	auth   <-chan struct{}  // the partner or a session of the customer changed
	poll   <-chan time.Time // polling: read the outbox
	check  <-chan time.Time // polling: check the access token
	expiry <-chan time.Time // the access token expires
}

// run reads the outbox on every wakeup until ctx is done or the session
// ends, then closes out. A logout, an expiry or a disabled partner ends the
// subscription with an UNAUTHENTICATED error.
func (f *transactionFeed) run(ctx context.Context, w wakeups, out chan<- *model.Transaction) {
	defer close(out)
	for {
		read, check := false, false
		select {
		case <-ctx.Done():
			return
		case <-w.events:
			read = true
		case <-w.poll:
			read = true
		case <-w.auth:
			check = true
		case <-w.check:
			check = true
		case <-w.expiry:
			check = true
		}
		if check {
			if err := f.signedIn(ctx); err != nil {
				// The client gets an error message instead of complete.
				out := &gqlerror.Error{Path: ast.Path{ast.PathName("transactionUpdated")}}
				describe(ctx, nil, out, err)
				transport.AddSubscriptionError(ctx, out)
				return
			}
			continue
		}
		if !read {
			continue
		}
		if err := f.poll(ctx, out); err != nil {
			if ctx.Err() != nil {
				return
			}
			// A store hiccup: the next wakeup reads the same events again.
			f.log.WarnContext(ctx, "graphql subscription read failed", "err", err, "customer", f.session.CustomerID)
		}
	}
}

// signedIn returns the authentication error when the subscription's token
// no longer holds (revoked, expired). Other errors wait for the next
// check.
func (f *transactionFeed) signedIn(ctx context.Context) error {
	_, err := f.app.Partner(ctx, f.partnerID)
	if e, ok := fault.As(err); ok && e.Kind == fault.Unauthenticated {
		return errPartnerRefused
	}
	_, err = f.app.AuthenticateCustomer(ctx, f.partnerID, f.token)
	if e, ok := fault.As(err); ok && e.Kind == fault.Unauthenticated {
		return errSessionEnded
	}
	return nil
}

// poll reads the events above the floor and sends each changed
// transaction once, as it stands now: several events of one transaction
// read together (PENDING then SUCCESS) make one message with the latest
// status.
func (f *transactionFeed) poll(ctx context.Context, out chan<- *model.Transaction) error {
	now := time.Now()
	var fresh []app.Event
	after := f.floor
	for {
		events, err := f.app.CustomerEvents(ctx, f.session, after)
		if err != nil {
			return err
		}
		for _, e := range events {
			if _, done := f.seen[e.ID]; !done {
				fresh = append(fresh, e)
			}
		}
		if len(events) < eventPage {
			break
		}
		after = events[len(events)-1].ID
	}

	var order []string
	ids := map[string][]string{} // reffId → its fresh event ids
	for _, e := range fresh {
		if _, ok := ids[e.ReffID]; !ok {
			order = append(order, e.ReffID)
		}
		ids[e.ReffID] = append(ids[e.ReffID], e.ID)
	}
	for _, reffID := range order {
		t, err := f.transaction(ctx, reffID)
		if err != nil {
			return err // not marked seen: sent on a later poll
		}
		if t != nil {
			select {
			case out <- t:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		for _, id := range ids[reffID] {
			f.seen[id] = now
		}
	}
	f.advance(now)
	return nil
}

// transaction loads the customer's transaction; nil when it is not the
// customer's to see.
func (f *transactionFeed) transaction(ctx context.Context, reffID string) (*model.Transaction, error) {
	t, err := f.app.MyTransaction(ctx, f.session, reffID)
	if e, ok := fault.As(err); ok && e.Kind == fault.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	m, err := transactionModel(t, f.session.CustomerID)
	if err != nil {
		// A state the schema does not know: log it, skip the message.
		f.log.ErrorContext(ctx, "graphql subscription cannot send transaction", "err", err)
		return nil, nil
	}
	return m, nil
}

// advance raises the floor to the newest id read at least eventLookback
// ago and forgets the ids below it.
func (f *transactionFeed) advance(now time.Time) {
	floor := f.floor
	for id, at := range f.seen {
		if now.Sub(at) >= eventLookback && id > floor {
			floor = id
		}
	}
	if floor == f.floor {
		return
	}
	f.floor = floor
	for id := range f.seen {
		if id <= floor {
			delete(f.seen, id)
		}
	}
}

// wakeups returns the signals one subscription reads on and the function
// that releases them.
func (r *Resolver) wakeups(c *caller) (wakeups, func()) {
	var w wakeups
	var stops []func()
	if exp := c.session.ExpiresAt; !exp.IsZero() {
		// A moment past the expiry, so the check sees it expired.
		t := time.NewTimer(time.Until(exp) + 100*time.Millisecond)
		w.expiry = t.C
		stops = append(stops, func() { t.Stop() })
	}
	if r.live != nil {
		var stop func()
		w.events, w.auth, stop = r.live.Watch(c.partner.ID(), c.session.CustomerID)
		stops = append(stops, stop)
	} else {
		poll, check := time.NewTicker(r.poll), time.NewTicker(r.recheck)
		w.poll, w.check = poll.C, check.C
		stops = append(stops, poll.Stop, check.Stop)
	}
	return w, func() {
		for _, s := range stops {
			s()
		}
	}
}
