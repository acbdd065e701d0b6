package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// RetentionWindows say how long finished bookkeeping is kept before the
// retention job deletes it. The ledger (journal entries, postings,
// balances), transactions, cash-out codes, KYC submissions, customers,
// partners, unfinished work (active OTPs, queued notifications, pending or
// dead webhook events, claims in flight) are never purged. A zero window
// keeps that kind forever.
type RetentionWindows struct {
	OTPs              time.Duration // after the code expired (used, locked or not)
	Notifications     time.Duration // after the message reached a final state
	Sessions          time.Duration // after the access token (or SNAP token) expired or was revoked
	Events            time.Duration // after the webhook was delivered (or had no endpoint)
	IdempotentAnswers time.Duration // after the answer was stored; a later retry still finds the movement by its X-EXTERNAL-ID
	Guesses           time.Duration // wrong-OTP records, after they were made
}

// DefaultRetention: long enough for support to look at a complaint, short
// enough that secrets at rest (hashed OTPs, sealed messages) do not pile up.
func DefaultRetention() RetentionWindows {
	return RetentionWindows{
		OTPs: 24 * time.Hour, Notifications: 7 * 24 * time.Hour, Sessions: 7 * 24 * time.Hour,
		Events: 30 * 24 * time.Hour, IdempotentAnswers: 7 * 24 * time.Hour, Guesses: 24 * time.Hour,
	}
}

// RetentionStore deletes finished bookkeeping; each method returns how many
// rows it deleted.
type RetentionStore interface {
	// PurgeOTPs deletes codes that expired before before.
	PurgeOTPs(ctx context.Context, before time.Time) (int, error)
	// PurgeNotifications deletes messages in a final state (SENT,
	// DELIVERED, FAILED, EXPIRED) last changed before before.
	PurgeNotifications(ctx context.Context, before time.Time) (int, error)
	// PurgeSessions deletes customer sessions and SNAP tokens that expired,
	// or were revoked, before before.
	PurgeSessions(ctx context.Context, before time.Time) (int, error)
	// PurgeEvents deletes events DELIVERED (or NO_ENDPOINT) before before.
	PurgeEvents(ctx context.Context, before time.Time) (int, error)
	// PurgeIdempotentAnswers deletes stored answers (finished keys) stored
	// before before. Claims still in flight are kept.
	PurgeIdempotentAnswers(ctx context.Context, before time.Time) (int, error)
}

// Purged counts what one retention run deleted.
type Purged struct {
	OTPs, Notifications, Sessions, Events, IdempotentAnswers, Guesses int
}

// Purge deletes what the retention windows let go, one kind per
// transaction so that a failure leaves the others done.
func (a *App) Purge(ctx context.Context) (Purged, error) {
	w := a.cfg.Retention
	now := a.now()
	var out Purged
	steps := []struct {
		name   string
		window time.Duration
		n      *int
		fn     func(ctx context.Context, r Repos, before time.Time) (int, error)
	}{
		{"otps", w.OTPs, &out.OTPs, func(ctx context.Context, r Repos, b time.Time) (int, error) { return r.Retention.PurgeOTPs(ctx, b) }},
		{"notifications", w.Notifications, &out.Notifications, func(ctx context.Context, r Repos, b time.Time) (int, error) {
			return r.Retention.PurgeNotifications(ctx, b)
		}},
		{"sessions", w.Sessions, &out.Sessions, func(ctx context.Context, r Repos, b time.Time) (int, error) {
			return r.Retention.PurgeSessions(ctx, b)
		}},
		{"events", w.Events, &out.Events, func(ctx context.Context, r Repos, b time.Time) (int, error) { return r.Retention.PurgeEvents(ctx, b) }},
		{"idempotent answers", w.IdempotentAnswers, &out.IdempotentAnswers, func(ctx context.Context, r Repos, b time.Time) (int, error) {
			return r.Retention.PurgeIdempotentAnswers(ctx, b)
		}},
		{"otp guesses", w.Guesses, &out.Guesses, func(ctx context.Context, r Repos, b time.Time) (int, error) { return r.Guesses.Purge(ctx, b) }},
	}
	for _, s := range steps {
		if s.window <= 0 {
			continue
		}
		err := a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
			n, err := s.fn(ctx, r, now.Add(-s.window))
			*s.n = n
			return err
		})
		if err != nil {
			return out, fmt.Errorf("purge %s: %w", s.name, err)
		}
	}
	a.log.LogAttrs(ctx, slog.LevelInfo, "retention purge", slog.Int("otps", out.OTPs), slog.Int("notifications", out.Notifications),
		slog.Int("sessions", out.Sessions), slog.Int("events", out.Events), slog.Int("idempotent_answers", out.IdempotentAnswers),
		slog.Int("otp_guesses", out.Guesses))
	return out, nil
}
