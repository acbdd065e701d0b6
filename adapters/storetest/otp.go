package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/otp"
)

var otpKey = []byte("storetest-otp-key")

// newOTP returns an active code, not stored yet, issued at created.
func newOTP(mobile string, purpose otp.Purpose, created time.Time) *otp.OTP {
	return otp.Issue(newID("otp"), mobile, purpose, otp.Hash(otpKey, mobile, purpose, "123456"), created, otp.DefaultPolicy())
}

func addOTPs(t *testing.T, uow app.UnitOfWork, codes ...*otp.OTP) {
	t.Helper()
	do(t, uow, func(ctx context.Context, r app.Repos) error {
		for _, o := range codes {
			if err := r.OTPs.Add(ctx, o); err != nil {
				return err
			}
		}
		return nil
	})
}

func latestOTP(t *testing.T, uow app.UnitOfWork, mobile string, purpose otp.Purpose) *otp.OTP {
	t.Helper()
	var got *otp.OTP
	do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
		got, err = r.OTPs.Latest(ctx, mobile, purpose)
		return err
	})
	return got
}

var otpCases = []testCase{
	{"add then latest returns every field", func(t *testing.T, uow app.UnitOfWork) {
		mobile := newMobile(t).String()
		want := otp.Rehydrate(otp.Snapshot{
			ID: newID("otp"), Mobile: mobile, Purpose: otp.PurposeTransaction,
			Hash:  otp.Hash(otpKey, mobile, otp.PurposeTransaction, "654321"),
			State: otp.StateLocked, Attempts: 3, CreatedAt: at(0), ExpiresAt: at(5 * time.Minute),
		})
		addOTPs(t, uow, want)
		sameOTP(t, "Latest", latestOTP(t, uow, mobile, otp.PurposeTransaction), want)
	}},
	{"latest of an unknown number or purpose is not found", func(t *testing.T, uow app.UnitOfWork) {
		mobile := newMobile(t).String()
		addOTPs(t, uow, newOTP(mobile, otp.PurposeLogin, at(0)))
		for _, q := range []struct {
			mobile  string
			purpose otp.Purpose
		}{{newMobile(t).String(), otp.PurposeLogin}, {mobile, otp.PurposeRegistration}} {
			err := try(t, uow, func(ctx context.Context, r app.Repos) error {
				_, err := r.OTPs.Latest(ctx, q.mobile, q.purpose)
				return err
			})
			wantErr(t, "Latest "+string(q.purpose), err, otp.ErrNotFound)
		}
	}},
	{"latest is the newest by creation time whatever its state", func(t *testing.T, uow app.UnitOfWork) {
		mobile := newMobile(t).String()
		newest := newOTP(mobile, otp.PurposeLogin, at(2*time.Minute))
		newest.Invalidate()
		addOTPs(t, uow,
			newest,
			newOTP(mobile, otp.PurposeLogin, at(0)),
			newOTP(mobile, otp.PurposeLogin, at(time.Minute)),
			newOTP(mobile, otp.PurposeRegistration, at(3*time.Minute)),
			newOTP(newMobile(t).String(), otp.PurposeLogin, at(4*time.Minute)),
		)
		got := latestOTP(t, uow, mobile, otp.PurposeLogin)
		eq(t, "Latest id", got.ID(), newest.ID())
		eq(t, "Latest state", got.State(), otp.StateInvalidated)
	}},
	{"latest of codes created at the same time is the last added", func(t *testing.T, uow app.UnitOfWork) {
		mobile := newMobile(t).String()
		first := newOTP(mobile, otp.PurposeLogin, at(0))
		second := newOTP(mobile, otp.PurposeLogin, at(0))
		addOTPs(t, uow, first)
		addOTPs(t, uow, second)
		eq(t, "Latest id", latestOTP(t, uow, mobile, otp.PurposeLogin).ID(), second.ID())
	}},
	{"issued since counts codes of every purpose created at or after since", func(t *testing.T, uow app.UnitOfWork) {
		mobile := newMobile(t).String()
		since := at(0)
		addOTPs(t, uow,
			newOTP(mobile, otp.PurposeLogin, since.Add(-time.Microsecond)),
			newOTP(mobile, otp.PurposeLogin, since.Add(30*time.Minute)),
			newOTP(mobile, otp.PurposeRegistration, since),
			newOTP(mobile, otp.PurposeTransaction, since.Add(time.Minute)),
			newOTP(newMobile(t).String(), otp.PurposeLogin, since.Add(time.Minute)),
		)
		var got []time.Time
		do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
			got, err = r.OTPs.IssuedSince(ctx, mobile, since)
			return err
		})
		slices.SortFunc(got, time.Time.Compare)
		want := []time.Time{since, since.Add(time.Minute), since.Add(30 * time.Minute)}
		if len(got) != len(want) {
			t.Fatalf("IssuedSince = %v, want %v", got, want)
		}
		for i := range want {
			eqTime(t, "IssuedSince", got[i], want[i])
		}
	}},
	{"issued since of a number without codes is empty", func(t *testing.T, uow app.UnitOfWork) {
		addOTPs(t, uow, newOTP(newMobile(t).String(), otp.PurposeLogin, at(0)))
		var got []time.Time
		do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
			got, err = r.OTPs.IssuedSince(ctx, newMobile(t).String(), at(-time.Hour))
			return err
		})
		if len(got) != 0 {
			t.Errorf("IssuedSince = %v, want none", got)
		}
	}},
	{"update persists state and attempts", func(t *testing.T, uow app.UnitOfWork) {
		mobile := newMobile(t).String()
		o := newOTP(mobile, otp.PurposeLogin, at(0))
		addOTPs(t, uow, o)
		wrong := otp.Hash(otpKey, mobile, otp.PurposeLogin, "000000")
		for range 2 {
			do(t, uow, func(ctx context.Context, r app.Repos) error {
				got, err := r.OTPs.Latest(ctx, mobile, otp.PurposeLogin)
				if err != nil {
					return err
				}
				if err := got.Verify(wrong, at(time.Second), otp.DefaultPolicy()); err == nil {
					t.Error("Verify of a wrong code succeeded")
				}
				return r.OTPs.Update(ctx, got)
			})
		}
		got := latestOTP(t, uow, mobile, otp.PurposeLogin)
		eq(t, "attempts", got.Attempts(), 2)
		eq(t, "state", got.State(), otp.StateActive)

		got.Invalidate()
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.OTPs.Update(ctx, got) })
		got = latestOTP(t, uow, mobile, otp.PurposeLogin)
		eq(t, "state", got.State(), otp.StateInvalidated)
		eq(t, "attempts", got.Attempts(), 2)
		sameOTP(t, "after Update", got, otp.Rehydrate(otp.Snapshot{
			ID: o.ID(), Mobile: mobile, Purpose: otp.PurposeLogin, Hash: o.HashValue(),
			State: otp.StateInvalidated, Attempts: 2, CreatedAt: o.CreatedAt(), ExpiresAt: o.ExpiresAt(),
		}))
	}},
	{"update of a missing code is not found", func(t *testing.T, uow app.UnitOfWork) {
		o := newOTP(newMobile(t).String(), otp.PurposeLogin, at(0))
		err := try(t, uow, func(ctx context.Context, r app.Repos) error { return r.OTPs.Update(ctx, o) })
		wantErr(t, "Update", err, otp.ErrNotFound)
	}},
	{"duplicate id is rejected", func(t *testing.T, uow app.UnitOfWork) {
		o := newOTP(newMobile(t).String(), otp.PurposeLogin, at(0))
		addOTPs(t, uow, o)
		if err := try(t, uow, func(ctx context.Context, r app.Repos) error { return r.OTPs.Add(ctx, o) }); err == nil {
			t.Fatal("Add of a duplicate id succeeded")
		}
	}},
	{"changing a hash after add changes nothing", func(t *testing.T, uow app.UnitOfWork) {
		mobile := newMobile(t).String()
		o := newOTP(mobile, otp.PurposeLogin, at(0))
		want := append([]byte(nil), o.HashValue()...)
		addOTPs(t, uow, o)
		o.HashValue()[0] ^= 0xff
		got := latestOTP(t, uow, mobile, otp.PurposeLogin)
		got.HashValue()[1] ^= 0xff
		eqBytes(t, "hash", latestOTP(t, uow, mobile, otp.PurposeLogin).HashValue(), want)
	}},
}

func sameOTP(t *testing.T, what string, got, want *otp.OTP) {
	t.Helper()
	eq(t, what+" id", got.ID(), want.ID())
	eq(t, what+" mobile", got.Mobile(), want.Mobile())
	eq(t, what+" purpose", got.Purpose(), want.Purpose())
	eqBytes(t, what+" hash", got.HashValue(), want.HashValue())
	eq(t, what+" state", got.State(), want.State())
	eq(t, what+" attempts", got.Attempts(), want.Attempts())
	eqTime(t, what+" createdAt", got.CreatedAt(), want.CreatedAt())
	eqTime(t, what+" expiresAt", got.ExpiresAt(), want.ExpiresAt())
}
