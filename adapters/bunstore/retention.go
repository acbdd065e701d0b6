package bunstore

import (
	"context"
	"time"

	"github.com/dompet/wallet/app"
)

type retentionRepo struct{ store }

var _ app.RetentionStore = retentionRepo{}

// purge runs one DELETE and returns the rows it deleted.
func (r retentionRepo) purge(ctx context.Context, table, where string, args ...any) (int, error) {
	res, err := r.db.NewDelete().TableExpr(table).Where(where, args...).Exec(ctx)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func (r retentionRepo) PurgeOTPs(ctx context.Context, before time.Time) (int, error) {
	return r.purge(ctx, "otps", "expires_at < ?", utc(before))
}

func (r retentionRepo) PurgeNotifications(ctx context.Context, before time.Time) (int, error) {
	return r.purge(ctx, "notifications", "state IN (?, ?, ?, ?) AND updated_at < ?",
		string(app.NotificationSent), string(app.NotificationDelivered), string(app.NotificationFailed), string(app.NotificationExpired), utc(before))
}

func (r retentionRepo) PurgeSessions(ctx context.Context, before time.Time) (int, error) {
	n, err := r.purge(ctx, "sessions", "expires_at < ? OR revoked_at < ?", utc(before), utc(before))
	if err != nil {
		return n, err
	}
	m, err := r.purge(ctx, "snap_tokens", "expires_at < ?", utc(before))
	return n + m, err
}

func (r retentionRepo) PurgeEvents(ctx context.Context, before time.Time) (int, error) {
	return r.purge(ctx, "partner_events", "(status = ? AND delivered_at < ?) OR (status = ? AND created_at < ?)",
		app.EventDelivered, utc(before), app.EventNoEndpoint, utc(before))
}

// PurgeIdempotentAnswers is the one place idempotency rows are purged.
func (r retentionRepo) PurgeIdempotentAnswers(ctx context.Context, before time.Time) (int, error) {
	return r.purge(ctx, "idempotency_keys", "done AND created_at < ?", utc(before))
}
