package memstore

import (
	"context"
	"time"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/otp"
)

var _ app.RetentionStore = retentionRepo{}

type retentionRepo struct{ *tx }

func (r retentionRepo) PurgeOTPs(ctx context.Context, before time.Time) (int, error) {
	if err := r.check(ctx); err != nil {
		return 0, err
	}
	kept := make([]*otp.OTP, 0, len(r.st.otps))
	for _, o := range r.st.otps {
		if !o.ExpiresAt().Before(before) {
			kept = append(kept, o)
		}
	}
	n := len(r.st.otps) - len(kept)
	r.st.otps = kept
	return n, nil
}

func (r retentionRepo) PurgeNotifications(ctx context.Context, before time.Time) (int, error) {
	if err := r.check(ctx); err != nil {
		return 0, err
	}
	n := 0
	for id, rec := range r.st.notifications {
		switch rec.State {
		case app.NotificationSent, app.NotificationDelivered, app.NotificationFailed, app.NotificationExpired:
			if rec.UpdatedAt.Before(before) {
				delete(r.st.notifications, id)
				n++
			}
		}
	}
	return n, nil
}

func (r retentionRepo) PurgeSessions(ctx context.Context, before time.Time) (int, error) {
	if err := r.check(ctx); err != nil {
		return 0, err
	}
	n := 0
	for id, s := range r.st.sessions {
		revoked := !s.RevokedAt().IsZero() && s.RevokedAt().Before(before)
		if s.ExpiresAt().Before(before) || revoked {
			delete(r.st.sessions, id)
			delete(r.st.tokens, string(s.TokenHash()))
			n++
		}
	}
	for k, t := range r.st.snapTokens {
		if t.ExpiresAt.Before(before) {
			delete(r.st.snapTokens, k)
			n++
		}
	}
	return n, nil
}

func (r retentionRepo) PurgeEvents(ctx context.Context, before time.Time) (int, error) {
	if err := r.check(ctx); err != nil {
		return 0, err
	}
	n := 0
	for id, e := range r.st.events {
		if e.Status == app.EventDelivered && e.DeliveredAt.Before(before) || e.Status == app.EventNoEndpoint && e.CreatedAt.Before(before) {
			delete(r.st.events, id)
			n++
		}
	}
	return n, nil
}

// PurgeIdempotentAnswers is the one place idempotency rows are purged.
func (r retentionRepo) PurgeIdempotentAnswers(ctx context.Context, before time.Time) (int, error) {
	if err := r.check(ctx); err != nil {
		return 0, err
	}
	n := 0
	for k, rec := range r.st.idempotency {
		if rec.Done && rec.CreatedAt.Before(before) {
			delete(r.st.idempotency, k)
			n++
		}
	}
	return n, nil
}
