package memstore

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/dompet/wallet/app"
)

var _ app.EventStore = eventRepo{}

// eventRepo does not check that the partner and customers exist, as the
// partner_events table has no foreign keys. Ids are ordered as strings, as
// the SQL stores order the text column.
type eventRepo struct{ *tx }

func (r eventRepo) Add(ctx context.Context, e app.Event) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	if _, ok := r.st.events[e.ID]; ok {
		return fmt.Errorf("memstore: event %q already exists", e.ID)
	}
	r.st.events[e.ID] = copyEvent(e)
	return nil
}

func (r eventRepo) Get(ctx context.Context, id string) (app.Event, error) {
	if err := r.check(ctx); err != nil {
		return app.Event{}, err
	}
	e, ok := r.st.events[id]
	if !ok {
		return app.Event{}, app.ErrEventNotFound
	}
	return copyEvent(e), nil
}

// Save stores status, attempts, last error and delivery time only;
// app.ErrEventNotFound for an unknown id.
func (r eventRepo) Save(ctx context.Context, e app.Event) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	stored, ok := r.st.events[e.ID]
	if !ok {
		return app.ErrEventNotFound
	}
	stored = copyEvent(stored)
	stored.Status, stored.Attempts, stored.LastError, stored.DeliveredAt = e.Status, e.Attempts, e.LastError, e.DeliveredAt
	r.st.events[e.ID] = stored
	return nil
}

func (r eventRepo) EarlierUndelivered(ctx context.Context, reffID, id string) (bool, error) {
	if err := r.check(ctx); err != nil {
		return false, err
	}
	for _, e := range r.st.events {
		if e.ReffID == reffID && e.ID < id && e.Status == app.EventPending {
			return true, nil
		}
	}
	return false, nil
}

// List returns at most limit events, largest id first; a limit of zero or
// less means no limit.
func (r eventRepo) List(ctx context.Context, partnerID, status string, limit int) ([]app.Event, error) {
	if err := r.check(ctx); err != nil {
		return nil, err
	}
	return r.pick(func(e app.Event) bool {
		return e.PartnerID == partnerID && (status == "" || e.Status == status)
	}, true, limit), nil
}

// ForCustomer returns at most limit events, smallest id first; a limit of
// zero or less means no limit.
func (r eventRepo) ForCustomer(ctx context.Context, customerID, afterID string, limit int) ([]app.Event, error) {
	if err := r.check(ctx); err != nil {
		return nil, err
	}
	return r.pick(func(e app.Event) bool {
		return (e.CustomerID == customerID || e.CounterpartyID == customerID) && e.ID > afterID
	}, false, limit), nil
}

func (r eventRepo) pick(match func(app.Event) bool, desc bool, limit int) []app.Event {
	var out []app.Event
	for _, e := range r.st.events {
		if match(e) {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b app.Event) int {
		if desc {
			return cmp.Compare(b.ID, a.ID)
		}
		return cmp.Compare(a.ID, b.ID)
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	for i := range out {
		out[i] = copyEvent(out[i])
	}
	return out
}

func copyEvent(e app.Event) app.Event {
	e.Payload = bytes.Clone(e.Payload)
	return e
}
