package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dompet/wallet/app"
)

// newEvent returns a pending event of the partner about a transaction of
// the customer, not stored yet. Event ids increase in the order of the
// calls, as the time-ordered ids of the application do.
func newEvent(partnerID, customerID, reffID string) app.Event {
	return app.Event{
		ID: newID("evt"), PartnerID: partnerID, CustomerID: customerID, ReffID: reffID,
		Type: app.EventTransactionUpdated, Payload: []byte(`{"eventId":"x","status":"SUCCESS"}` + "\x00\xff"),
		Status: app.EventPending, CreatedAt: at(0),
	}
}

func addEvents(t *testing.T, uow app.UnitOfWork, es ...app.Event) {
	t.Helper()
	do(t, uow, func(ctx context.Context, r app.Repos) error {
		for _, e := range es {
			if err := r.Events.Add(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

func getEvent(t *testing.T, uow app.UnitOfWork, id string) app.Event {
	t.Helper()
	var got app.Event
	do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
		got, err = r.Events.Get(ctx, id)
		return err
	})
	return got
}

func saveEvent(t *testing.T, uow app.UnitOfWork, e app.Event) {
	t.Helper()
	do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Events.Save(ctx, e) })
}

func earlierUndelivered(t *testing.T, uow app.UnitOfWork, reffID, id string) bool {
	t.Helper()
	var got bool
	do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
		got, err = r.Events.EarlierUndelivered(ctx, reffID, id)
		return err
	})
	return got
}

func listEvents(t *testing.T, uow app.UnitOfWork, partnerID, status string, limit int) []string {
	t.Helper()
	var got []app.Event
	do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
		got, err = r.Events.List(ctx, partnerID, status, limit)
		return err
	})
	return eventIDs(got)
}

func customerEvents(t *testing.T, uow app.UnitOfWork, customerID, afterID string, limit int) []string {
	t.Helper()
	var got []app.Event
	do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
		got, err = r.Events.ForCustomer(ctx, customerID, afterID, limit)
		return err
	})
	return eventIDs(got)
}

func eventIDs(es []app.Event) []string {
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = e.ID
	}
	return ids
}

func eqIDs(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
		return
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s = %v, want %v", what, got, want)
			return
		}
	}
}

var eventCases = []testCase{
	{"add then get returns every field", func(t *testing.T, uow app.UnitOfWork) {
		p := addPartner(t, uow)
		pending := newEvent(p.ID(), newID("cus"), newID("trx"))
		delivered := newEvent(p.ID(), newID("cus"), newID("trx"))
		delivered.CounterpartyID = newID("cus")
		delivered.Status, delivered.Attempts, delivered.LastError = app.EventDelivered, 3, "partner answered HTTP 502"
		delivered.CreatedAt, delivered.DeliveredAt = at(time.Minute), at(2*time.Minute)
		addEvents(t, uow, pending, delivered)
		sameEvent(t, "pending", getEvent(t, uow, pending.ID), pending)
		sameEvent(t, "delivered", getEvent(t, uow, delivered.ID), delivered)
	}},
	{"unknown id is not found", func(t *testing.T, uow app.UnitOfWork) {
		p := addPartner(t, uow)
		addEvents(t, uow, newEvent(p.ID(), newID("cus"), newID("trx")))
		err := try(t, uow, func(ctx context.Context, r app.Repos) error {
			_, err := r.Events.Get(ctx, newID("evt"))
			return err
		})
		wantErr(t, "Get", err, app.ErrEventNotFound)
	}},
	{"duplicate id is rejected", func(t *testing.T, uow app.UnitOfWork) {
		p := addPartner(t, uow)
		e := newEvent(p.ID(), newID("cus"), newID("trx"))
		addEvents(t, uow, e)
		dup := newEvent(p.ID(), newID("cus"), newID("trx"))
		dup.ID = e.ID
		if err := try(t, uow, func(ctx context.Context, r app.Repos) error { return r.Events.Add(ctx, dup) }); err == nil {
			t.Fatal("Add of a duplicate id succeeded")
		}
		eq(t, "customer id", getEvent(t, uow, e.ID).CustomerID, e.CustomerID)
	}},
	{"save persists status, attempts, last error and delivery time only", func(t *testing.T, uow app.UnitOfWork) {
		p := addPartner(t, uow)
		e := newEvent(p.ID(), newID("cus"), newID("trx"))
		addEvents(t, uow, e)
		want := e
		changed := e
		changed.PartnerID, changed.CustomerID, changed.CounterpartyID = newID("ptn"), newID("cus"), newID("cus")
		changed.ReffID, changed.Type, changed.Payload, changed.CreatedAt = newID("trx"), "other.type", []byte("{}"), at(time.Hour)
		changed.Status, changed.Attempts, changed.LastError = app.EventDead, 7, "context deadline exceeded"
		want.Status, want.Attempts, want.LastError = changed.Status, changed.Attempts, changed.LastError
		saveEvent(t, uow, changed)
		sameEvent(t, "after failure", getEvent(t, uow, e.ID), want)

		changed.Status, changed.Attempts, changed.LastError, changed.DeliveredAt = app.EventDelivered, 8, "", at(3*time.Minute)
		want.Status, want.Attempts, want.LastError, want.DeliveredAt = changed.Status, changed.Attempts, changed.LastError, changed.DeliveredAt
		saveEvent(t, uow, changed)
		sameEvent(t, "after delivery", getEvent(t, uow, e.ID), want)

		changed.Status, changed.LastError, changed.DeliveredAt = app.EventPending, "", time.Time{}
		want.Status, want.LastError, want.DeliveredAt = changed.Status, changed.LastError, changed.DeliveredAt
		saveEvent(t, uow, changed)
		sameEvent(t, "after replay", getEvent(t, uow, e.ID), want)

		changed.Status = app.EventNoEndpoint
		want.Status = changed.Status
		saveEvent(t, uow, changed)
		sameEvent(t, "without endpoint", getEvent(t, uow, e.ID), want)
	}},
	{"earlier undelivered looks at older pending events of the same transaction", func(t *testing.T, uow app.UnitOfWork) {
		p := addPartner(t, uow)
		cus, reff, other := newID("cus"), newID("trx"), newID("trx")
		otherOld := newEvent(p.ID(), cus, other) // pending, older, another transaction
		e1 := newEvent(p.ID(), cus, reff)
		e2 := newEvent(p.ID(), cus, reff)
		e3 := newEvent(p.ID(), cus, reff)
		addEvents(t, uow, otherOld, e1, e2, e3)
		if earlierUndelivered(t, uow, reff, e1.ID) {
			t.Error("first event: EarlierUndelivered = true (only later events and another transaction's are pending)")
		}
		if !earlierUndelivered(t, uow, reff, e2.ID) {
			t.Error("second event behind a pending first: EarlierUndelivered = false")
		}
		if !earlierUndelivered(t, uow, reff, e3.ID) {
			t.Error("third event behind two pending: EarlierUndelivered = false")
		}
		for _, status := range []string{app.EventDelivered, app.EventDead, app.EventNoEndpoint} {
			e1.Status = status
			saveEvent(t, uow, e1)
			if earlierUndelivered(t, uow, reff, e2.ID) {
				t.Errorf("second event behind a %s first: EarlierUndelivered = true", status)
			}
			if !earlierUndelivered(t, uow, reff, e3.ID) {
				t.Errorf("third event behind a %s first and a pending second: EarlierUndelivered = false", status)
			}
		}
		e2.Status = app.EventDelivered
		saveEvent(t, uow, e2)
		if earlierUndelivered(t, uow, reff, e3.ID) {
			t.Error("third event behind settled events: EarlierUndelivered = true")
		}
		if earlierUndelivered(t, uow, newID("trx"), e3.ID) {
			t.Error("unknown transaction: EarlierUndelivered = true")
		}
	}},
	{"list returns a partner's events newest first, by status, up to the limit", func(t *testing.T, uow app.UnitOfWork) {
		p, other := addPartner(t, uow), addPartner(t, uow)
		cus, reff := newID("cus"), newID("trx")
		var es []app.Event
		statuses := []string{app.EventDelivered, app.EventPending, app.EventDead, app.EventDelivered, app.EventNoEndpoint, app.EventPending}
		for i, s := range statuses {
			e := newEvent(p.ID(), cus, reff)
			e.Status = s
			e.CreatedAt = at(time.Duration(i) * time.Second)
			es = append(es, e)
			if i == 2 {
				es = append(es, newEvent(other.ID(), cus, reff))
			}
		}
		// Added out of order: the order is the ids'.
		addEvents(t, uow, es[4], es[1], es[6], es[0], es[3], es[5], es[2])
		mine := []app.Event{es[0], es[1], es[2], es[4], es[5], es[6]}
		eqIDs(t, "all", listEvents(t, uow, p.ID(), "", 100), mine[5].ID, mine[4].ID, mine[3].ID, mine[2].ID, mine[1].ID, mine[0].ID)
		eqIDs(t, "limit 2", listEvents(t, uow, p.ID(), "", 2), mine[5].ID, mine[4].ID)
		eqIDs(t, "pending", listEvents(t, uow, p.ID(), app.EventPending, 100), mine[5].ID, mine[1].ID)
		eqIDs(t, "delivered", listEvents(t, uow, p.ID(), app.EventDelivered, 100), mine[3].ID, mine[0].ID)
		eqIDs(t, "delivered limit 1", listEvents(t, uow, p.ID(), app.EventDelivered, 1), mine[3].ID)
		eqIDs(t, "dead", listEvents(t, uow, p.ID(), app.EventDead, 100), mine[2].ID)
		eqIDs(t, "no endpoint", listEvents(t, uow, p.ID(), app.EventNoEndpoint, 100), mine[4].ID)
		eqIDs(t, "other partner", listEvents(t, uow, other.ID(), "", 100), es[3].ID)
		eqIDs(t, "other partner delivered", listEvents(t, uow, other.ID(), app.EventDelivered, 100))
		eqIDs(t, "unknown partner", listEvents(t, uow, newID("ptn"), "", 100))

		var got []app.Event
		do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
			got, err = r.Events.List(ctx, p.ID(), app.EventDead, 10)
			return err
		})
		if len(got) == 1 {
			sameEvent(t, "listed", got[0], mine[2])
		}
	}},
	{"for customer returns events as customer or counterparty after an id, oldest first", func(t *testing.T, uow app.UnitOfWork) {
		p1, p2 := addPartner(t, uow), addPartner(t, uow)
		cus, someone := newID("cus"), newID("cus")
		asCustomer := newEvent(p1.ID(), cus, newID("trx"))
		notMine := newEvent(p1.ID(), someone, newID("trx"))
		asCounterparty := newEvent(p2.ID(), someone, newID("trx"))
		asCounterparty.CounterpartyID = cus
		paidSomeone := newEvent(p1.ID(), cus, newID("trx"))
		paidSomeone.CounterpartyID = someone
		paidSomeone.Status = app.EventDelivered
		notMineEither := newEvent(p2.ID(), someone, newID("trx"))
		notMineEither.CounterpartyID = newID("cus")
		last := newEvent(p2.ID(), cus, newID("trx"))
		last.Status = app.EventDead
		addEvents(t, uow, last, paidSomeone, notMine, asCounterparty, notMineEither, asCustomer)

		eqIDs(t, "all", customerEvents(t, uow, cus, "", 100), asCustomer.ID, asCounterparty.ID, paidSomeone.ID, last.ID)
		eqIDs(t, "limit 2", customerEvents(t, uow, cus, "", 2), asCustomer.ID, asCounterparty.ID)
		eqIDs(t, "after the first", customerEvents(t, uow, cus, asCustomer.ID, 100), asCounterparty.ID, paidSomeone.ID, last.ID)
		eqIDs(t, "after the first, limit 1", customerEvents(t, uow, cus, asCustomer.ID, 1), asCounterparty.ID)
		eqIDs(t, "after another's event", customerEvents(t, uow, cus, notMineEither.ID, 100), last.ID)
		eqIDs(t, "after the last", customerEvents(t, uow, cus, last.ID, 100))
		eqIDs(t, "the other customer", customerEvents(t, uow, someone, "", 100), notMine.ID, asCounterparty.ID, paidSomeone.ID, notMineEither.ID)
		eqIDs(t, "unknown customer", customerEvents(t, uow, newID("cus"), "", 100))

		var got []app.Event
		do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
			got, err = r.Events.ForCustomer(ctx, cus, paidSomeone.ID, 100)
			return err
		})
		if len(got) == 1 {
			sameEvent(t, "fed", got[0], last)
		}
	}},
	{"rolled back adds and saves leave no trace", func(t *testing.T, uow app.UnitOfWork) {
		p := addPartner(t, uow)
		kept := newEvent(p.ID(), newID("cus"), newID("trx"))
		addEvents(t, uow, kept)
		dropped := newEvent(p.ID(), kept.CustomerID, kept.ReffID)
		abort := errors.New("abort")
		err := try(t, uow, func(ctx context.Context, r app.Repos) error {
			if err := r.Events.Add(ctx, dropped); err != nil {
				return err
			}
			changed := kept
			changed.Status, changed.Attempts, changed.LastError, changed.DeliveredAt = app.EventDelivered, 1, "x", at(time.Minute)
			if err := r.Events.Save(ctx, changed); err != nil {
				return err
			}
			return abort
		})
		wantErr(t, "Do", err, abort)
		err = try(t, uow, func(ctx context.Context, r app.Repos) error {
			_, err := r.Events.Get(ctx, dropped.ID)
			return err
		})
		wantErr(t, "Get of a rolled back event", err, app.ErrEventNotFound)
		sameEvent(t, "after a rolled back save", getEvent(t, uow, kept.ID), kept)
		eqIDs(t, "list", listEvents(t, uow, p.ID(), "", 100), kept.ID)
	}},
	{"changing an event after add or get changes nothing", func(t *testing.T, uow app.UnitOfWork) {
		p := addPartner(t, uow)
		e := newEvent(p.ID(), newID("cus"), newID("trx"))
		want := e
		want.Payload = append([]byte(nil), e.Payload...)
		addEvents(t, uow, e)
		e.Payload[0] = 'X'
		getEvent(t, uow, e.ID).Payload[1] = 'X'
		var listed []app.Event
		do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
			listed, err = r.Events.List(ctx, p.ID(), "", 10)
			return err
		})
		for _, l := range listed {
			l.Payload[2] = 'X'
		}
		sameEvent(t, "Get", getEvent(t, uow, e.ID), want)
	}},
}

func sameEvent(t *testing.T, what string, got, want app.Event) {
	t.Helper()
	eq(t, what+" id", got.ID, want.ID)
	eq(t, what+" partner id", got.PartnerID, want.PartnerID)
	eq(t, what+" customer id", got.CustomerID, want.CustomerID)
	eq(t, what+" counterparty id", got.CounterpartyID, want.CounterpartyID)
	eq(t, what+" reff id", got.ReffID, want.ReffID)
	eq(t, what+" type", got.Type, want.Type)
	eqBytes(t, what+" payload", got.Payload, want.Payload)
	eq(t, what+" status", got.Status, want.Status)
	eq(t, what+" attempts", got.Attempts, want.Attempts)
	eq(t, what+" last error", got.LastError, want.LastError)
	eqTime(t, what+" createdAt", got.CreatedAt, want.CreatedAt)
	if want.DeliveredAt.IsZero() {
		if !got.DeliveredAt.IsZero() {
			t.Errorf("%s deliveredAt = %v, want zero", what, got.DeliveredAt)
		}
	} else {
		eqTime(t, what+" deliveredAt", got.DeliveredAt, want.DeliveredAt)
	}
}
