package bunstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/uptrace/bun"

	"github.com/dompet/wallet/app"
)

type eventRow struct {
	bun.BaseModel  `bun:"table:partner_events"`
	ID             string       `bun:"id,pk"`
	PartnerID      string       `bun:"partner_id"`
	CustomerID     string       `bun:"customer_id"`
	CounterpartyID string       `bun:"counterparty_id"`
	ReffID         string       `bun:"reff_id"`
	Type           string       `bun:"type"`
	Payload        []byte       `bun:"payload"`
	Status         string       `bun:"status"`
	Attempts       int          `bun:"attempts"`
	LastError      string       `bun:"last_error"`
	CreatedAt      time.Time    `bun:"created_at"`
	DeliveredAt    sql.NullTime `bun:"delivered_at"`
}

func eventFromApp(e app.Event) *eventRow {
	row := &eventRow{ID: e.ID, PartnerID: e.PartnerID, CustomerID: e.CustomerID, CounterpartyID: e.CounterpartyID,
		ReffID: e.ReffID, Type: e.Type, Payload: e.Payload, Status: e.Status, Attempts: e.Attempts, LastError: e.LastError,
		CreatedAt: utc(e.CreatedAt)}
	if !e.DeliveredAt.IsZero() {
		row.DeliveredAt = sql.NullTime{Time: utc(e.DeliveredAt), Valid: true}
	}
	return row
}

func (r *eventRow) toApp() app.Event {
	e := app.Event{ID: r.ID, PartnerID: r.PartnerID, CustomerID: r.CustomerID, CounterpartyID: r.CounterpartyID,
		ReffID: r.ReffID, Type: r.Type, Payload: r.Payload, Status: r.Status, Attempts: r.Attempts, LastError: r.LastError,
		CreatedAt: r.CreatedAt}
	if r.DeliveredAt.Valid {
		e.DeliveredAt = r.DeliveredAt.Time
	}
	return e
}

type eventRepo struct{ store }

var _ app.EventStore = eventRepo{}

func (r eventRepo) Add(ctx context.Context, e app.Event) error {
	r.notes.add(e.CustomerID, e.CounterpartyID)
	row := eventFromApp(e)
	if r.batch != nil {
		return r.batch.addParams("partner_events", false, `INSERT INTO partner_events (id, partner_id, customer_id, counterparty_id,
			reff_id, type, payload, status, attempts, last_error, created_at, delivered_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			row.ID, row.PartnerID, row.CustomerID, row.CounterpartyID, row.ReffID, row.Type, row.Payload, row.Status, row.Attempts,
			row.LastError, row.CreatedAt, row.DeliveredAt)
	}
	_, err := r.db.NewInsert().Model(row).Exec(ctx)
	return err
}

func (r eventRepo) Get(ctx context.Context, id string) (app.Event, error) {
	row := new(eventRow)
	if err := r.db.NewSelect().Model(row).Where("id = ?", id).Scan(ctx); err != nil {
		return app.Event{}, one(err, app.ErrEventNotFound)
	}
	return row.toApp(), nil
}

func (r eventRepo) Save(ctx context.Context, e app.Event) error {
	res, err := r.db.NewUpdate().Model(eventFromApp(e)).WherePK().
		Column("status", "attempts", "last_error", "delivered_at").Exec(ctx)
	return updatedOne(res, err, app.ErrEventNotFound)
}

func (r eventRepo) EarlierUndelivered(ctx context.Context, reffID, id string) (bool, error) {
	return r.db.NewSelect().Model((*eventRow)(nil)).
		Where("reff_id = ? AND id < ? AND status = ?", reffID, id, app.EventPending).Exists(ctx)
}

func (r eventRepo) List(ctx context.Context, partnerID, status string, limit int) ([]app.Event, error) {
	var rows []eventRow
	q := r.db.NewSelect().Model(&rows).Where("partner_id = ?", partnerID)
	if status != "" {
		q = q.Where("status = ?", status)
	}
	if err := q.Order("id DESC").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, err
	}
	return eventsToApp(rows), nil
}

func (r eventRepo) ForCustomer(ctx context.Context, customerID, afterID string, limit int) ([]app.Event, error) {
	var rows []eventRow
	err := r.db.NewSelect().Model(&rows).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("customer_id = ?", customerID).WhereOr("counterparty_id = ?", customerID)
		}).
		Where("id > ?", afterID).Order("id ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, err
	}
	return eventsToApp(rows), nil
}

func eventsToApp(rows []eventRow) []app.Event {
	out := make([]app.Event, len(rows))
	for i := range rows {
		out[i] = rows[i].toApp()
	}
	return out
}
