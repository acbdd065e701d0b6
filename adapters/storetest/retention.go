package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/otp"
	"github.com/dompet/wallet/domain/session"
)

func purge(t *testing.T, uow app.UnitOfWork, fn func(ctx context.Context, r app.Repos) (int, error)) int {
	t.Helper()
	var n int
	do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
		n, err = fn(ctx, r)
		return err
	})
	return n
}

var retentionCases = []testCase{
	{"purge OTPs deletes only codes expired before the cut", func(t *testing.T, uow app.UnitOfWork) {
		old, young := newMobile(t).String(), newMobile(t).String()
		addOTPs(t, uow, newOTP(old, otp.PurposeLogin, at(0)), newOTP(young, otp.PurposeLogin, at(2*time.Hour)))
		eq(t, "purged", purge(t, uow, func(ctx context.Context, r app.Repos) (int, error) { return r.Retention.PurgeOTPs(ctx, at(time.Hour)) }), 1)
		err := try(t, uow, func(ctx context.Context, r app.Repos) error {
			_, err := r.OTPs.Latest(ctx, old, otp.PurposeLogin)
			return err
		})
		wantErr(t, "old OTP", err, otp.ErrNotFound)
		eq(t, "young OTP kept", latestOTP(t, uow, young, otp.PurposeLogin).Mobile(), young)
	}},
	{"purge notifications deletes only final states changed before the cut", func(t *testing.T, uow app.UnitOfWork) {
		mk := func(s app.NotificationState, updated time.Duration) *app.NotificationRecord {
			n := newNotification(t)
			n.State, n.UpdatedAt = s, at(updated)
			return n
		}
		gone := []*app.NotificationRecord{mk(app.NotificationDelivered, 0), mk(app.NotificationFailed, 0), mk(app.NotificationSent, 0), mk(app.NotificationExpired, 0)}
		kept := []*app.NotificationRecord{mk(app.NotificationQueued, 0), mk(app.NotificationAwaiting, 0), mk(app.NotificationFallback, 0), mk(app.NotificationDelivered, 2*time.Hour)}
		addNotifications(t, uow, append(gone, kept...)...)
		eq(t, "purged", purge(t, uow, func(ctx context.Context, r app.Repos) (int, error) {
			return r.Retention.PurgeNotifications(ctx, at(time.Hour))
		}), len(gone))
		for _, n := range kept {
			eq(t, "kept "+string(n.State), getNotification(t, uow, n.ID, false).State, n.State)
		}
		err := try(t, uow, func(ctx context.Context, r app.Repos) error {
			_, err := r.Notifications.Get(ctx, gone[0].ID, false)
			return err
		})
		wantErr(t, "purged notification", err, app.ErrNotificationNotFound)
	}},
	{"purge sessions deletes expired sessions and SNAP tokens only", func(t *testing.T, uow app.UnitOfWork) {
		token := newID("token-")
		s := addSession(t, uow, token) // expires at(24h)
		p := addPartner(t, uow)
		old, live := snapToken(p.ID(), "old", at(time.Minute)), snapToken(p.ID(), "live", at(48*time.Hour))
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			if err := r.SNAPTokens.Add(ctx, old); err != nil {
				return err
			}
			return r.SNAPTokens.Add(ctx, live)
		})
		eq(t, "purged before expiry", purge(t, uow, func(ctx context.Context, r app.Repos) (int, error) {
			return r.Retention.PurgeSessions(ctx, at(time.Hour))
		}), 1)
		eq(t, "session kept", sessionByToken(t, uow, token).ID(), s.ID())
		eq(t, "purged after expiry", purge(t, uow, func(ctx context.Context, r app.Repos) (int, error) {
			return r.Retention.PurgeSessions(ctx, at(25*time.Hour))
		}), 1)
		err := try(t, uow, func(ctx context.Context, r app.Repos) error {
			_, err := r.Sessions.ByTokenHash(ctx, session.HashToken(token))
			return err
		})
		if err == nil {
			t.Fatal("expired session still found")
		}
		if _, err := tokenByHash(t, uow, live.Hash); err != nil {
			t.Fatalf("live SNAP token: %v", err)
		}
	}},
	{"purge events deletes delivered and endpoint-less events only", func(t *testing.T, uow app.UnitOfWork) {
		p, c := addPartner(t, uow), addCustomer(t, uow)
		mk := func(status string, delivered time.Duration) app.Event {
			e := newEvent(p.ID(), c.ID(), newID("trx"))
			e.Status = status
			if status == app.EventDelivered {
				e.DeliveredAt = at(delivered)
			}
			return e
		}
		gone := []app.Event{mk(app.EventDelivered, 0), mk(app.EventNoEndpoint, 0)}
		kept := []app.Event{mk(app.EventPending, 0), mk(app.EventDead, 0), mk(app.EventDelivered, 2*time.Hour)}
		addEvents(t, uow, append(gone, kept...)...)
		eq(t, "purged", purge(t, uow, func(ctx context.Context, r app.Repos) (int, error) {
			return r.Retention.PurgeEvents(ctx, at(time.Hour))
		}), 2)
		for _, e := range kept {
			eq(t, "kept "+e.Status, getEvent(t, uow, e.ID).Status, e.Status)
		}
		err := try(t, uow, func(ctx context.Context, r app.Repos) error { _, err := r.Events.Get(ctx, gone[0].ID); return err })
		if !errors.Is(err, app.ErrEventNotFound) {
			t.Fatalf("purged event: %v", err)
		}
	}},
	{"purge idempotent answers keeps claims in flight", func(t *testing.T, uow app.UnitOfWork) {
		p := addPartner(t, uow)
		done, inFlight := newClaim(p.ID()), newClaim(p.ID())
		claim(t, uow, done)
		claim(t, uow, inFlight)
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			return r.Idempotency.Complete(ctx, p.ID(), done.Key, app.StoredResponse{Status: 200, Body: []byte(`{}`)})
		})
		eq(t, "purged", purge(t, uow, func(ctx context.Context, r app.Repos) (int, error) {
			return r.Retention.PurgeIdempotentAnswers(ctx, at(time.Hour))
		}), 1)
		if claim(t, uow, done) != nil {
			t.Fatal("purged answer still stored")
		}
		if claim(t, uow, inFlight) == nil {
			t.Fatal("claim in flight was purged")
		}
	}},
}
