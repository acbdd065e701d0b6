package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/dompet/wallet/app"
)

// newNotification returns a queued record, not stored yet.
func newNotification(t *testing.T) *app.NotificationRecord {
	t.Helper()
	return &app.NotificationRecord{
		ID: newID("ntf"), To: newMobile(t), Sealed: []byte{0x01, 0x00, 0xfe, 'c', 'i', 'p', 'h', 'e', 'r'},
		State: app.NotificationQueued, Channel: app.ChannelWhatsApp,
		ExpiresAt: at(5 * time.Minute), CreatedAt: at(0), UpdatedAt: at(0),
	}
}

func addNotifications(t *testing.T, uow app.UnitOfWork, recs ...*app.NotificationRecord) {
	t.Helper()
	do(t, uow, func(ctx context.Context, r app.Repos) error {
		for _, rec := range recs {
			if err := r.Notifications.Add(ctx, rec); err != nil {
				return err
			}
		}
		return nil
	})
}

func getNotification(t *testing.T, uow app.UnitOfWork, id string, forUpdate bool) *app.NotificationRecord {
	t.Helper()
	var got *app.NotificationRecord
	do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
		got, err = r.Notifications.Get(ctx, id, forUpdate)
		return err
	})
	return got
}

var notificationCases = []testCase{
	{"add then get returns every field", func(t *testing.T, uow app.UnitOfWork) {
		want := newNotification(t)
		addNotifications(t, uow, want)
		sameNotification(t, "Get", getNotification(t, uow, want.ID, false), want)
		sameNotification(t, "Get for update", getNotification(t, uow, want.ID, true), want)
	}},
	{"record added with a provider id keeps it", func(t *testing.T, uow app.UnitOfWork) {
		want := newNotification(t)
		want.State, want.Channel, want.ProviderID = app.NotificationSent, app.ChannelSMS, "sms-"+newID("msg")
		want.UpdatedAt = at(time.Second)
		addNotifications(t, uow, want)
		sameNotification(t, "Get", getNotification(t, uow, want.ID, false), want)
	}},
	{"unknown id is not found", func(t *testing.T, uow app.UnitOfWork) {
		addNotifications(t, uow, newNotification(t))
		for _, forUpdate := range []bool{false, true} {
			err := try(t, uow, func(ctx context.Context, r app.Repos) error {
				_, err := r.Notifications.Get(ctx, newID("ntf"), forUpdate)
				return err
			})
			wantErr(t, "Get", err, app.ErrNotificationNotFound)
		}
	}},
	{"find by provider id", func(t *testing.T, uow app.UnitOfWork) {
		want, other := newNotification(t), newNotification(t)
		addNotifications(t, uow, other, want)
		want.State, want.ProviderID, want.UpdatedAt = app.NotificationAwaiting, "wamid."+newID("msg"), at(time.Second)
		other.State, other.ProviderID, other.UpdatedAt = app.NotificationAwaiting, "wamid."+newID("msg"), at(time.Second)
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			if err := r.Notifications.Update(ctx, other); err != nil {
				return err
			}
			return r.Notifications.Update(ctx, want)
		})
		var got *app.NotificationRecord
		do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
			got, err = r.Notifications.ByProviderID(ctx, want.ProviderID)
			return err
		})
		sameNotification(t, "ByProviderID", got, want)
	}},
	{"unknown provider id is not found", func(t *testing.T, uow app.UnitOfWork) {
		rec := newNotification(t)
		rec.ProviderID = "wamid." + newID("msg")
		addNotifications(t, uow, rec)
		err := try(t, uow, func(ctx context.Context, r app.Repos) error {
			_, err := r.Notifications.ByProviderID(ctx, "wamid."+newID("msg"))
			return err
		})
		wantErr(t, "ByProviderID", err, app.ErrNotificationNotFound)
	}},
	{"update persists state, channel, provider id and update time", func(t *testing.T, uow app.UnitOfWork) {
		rec := newNotification(t)
		addNotifications(t, uow, rec)
		want := *rec
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			got, err := r.Notifications.Get(ctx, rec.ID, true)
			if err != nil {
				return err
			}
			got.State, got.Channel, got.ProviderID, got.UpdatedAt = app.NotificationFallback, app.ChannelSMS, "sms-"+newID("msg"), at(time.Minute)
			want.State, want.Channel, want.ProviderID, want.UpdatedAt = got.State, got.Channel, got.ProviderID, got.UpdatedAt
			return r.Notifications.Update(ctx, got)
		})
		sameNotification(t, "after Update", getNotification(t, uow, rec.ID, false), &want)
	}},
	{"update of a missing record is not found", func(t *testing.T, uow app.UnitOfWork) {
		addNotifications(t, uow, newNotification(t))
		err := try(t, uow, func(ctx context.Context, r app.Repos) error {
			return r.Notifications.Update(ctx, newNotification(t))
		})
		wantErr(t, "Update", err, app.ErrNotificationNotFound)
	}},
	{"duplicate id is rejected", func(t *testing.T, uow app.UnitOfWork) {
		rec := newNotification(t)
		addNotifications(t, uow, rec)
		dup := newNotification(t)
		dup.ID = rec.ID
		if err := try(t, uow, func(ctx context.Context, r app.Repos) error { return r.Notifications.Add(ctx, dup) }); err == nil {
			t.Fatal("Add of a duplicate id succeeded")
		}
		eq(t, "recipient", getNotification(t, uow, rec.ID, false).To, rec.To)
	}},
	{"changing a record after add or get changes nothing", func(t *testing.T, uow app.UnitOfWork) {
		rec := newNotification(t)
		want := *rec
		want.Sealed = append([]byte(nil), rec.Sealed...)
		addNotifications(t, uow, rec)
		rec.Sealed[0] ^= 0xff
		rec.State = app.NotificationFailed
		got := getNotification(t, uow, rec.ID, false)
		got.Sealed[1] ^= 0xff
		got.State = app.NotificationDelivered
		sameNotification(t, "Get", getNotification(t, uow, rec.ID, false), &want)
	}},
}

func sameNotification(t *testing.T, what string, got, want *app.NotificationRecord) {
	t.Helper()
	eq(t, what+" id", got.ID, want.ID)
	eq(t, what+" recipient", got.To, want.To)
	eqBytes(t, what+" sealed", got.Sealed, want.Sealed)
	eq(t, what+" state", got.State, want.State)
	eq(t, what+" channel", got.Channel, want.Channel)
	eq(t, what+" provider id", got.ProviderID, want.ProviderID)
	eqTime(t, what+" expiresAt", got.ExpiresAt, want.ExpiresAt)
	eqTime(t, what+" createdAt", got.CreatedAt, want.CreatedAt)
	eqTime(t, what+" updatedAt", got.UpdatedAt, want.UpdatedAt)
}
