package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/session"
)

// addSession commits a session of a new partner and customer.
func addSession(t *testing.T, uow app.UnitOfWork, token string) *session.Session {
	t.Helper()
	p, c := addPartner(t, uow), addCustomer(t, uow)
	s := session.Start(newID("ses"), token, p.ID(), c.ID(), at(0), 24*time.Hour)
	do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Sessions.Add(ctx, s) })
	return s
}

func sessionByToken(t *testing.T, uow app.UnitOfWork, token string) *session.Session {
	t.Helper()
	var got *session.Session
	do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
		got, err = r.Sessions.ByTokenHash(ctx, session.HashToken(token))
		return err
	})
	return got
}

var sessionCases = []testCase{
	{"add then find by token hash returns every field", func(t *testing.T, uow app.UnitOfWork) {
		token := newID("token-")
		want := addSession(t, uow, token)
		got := sessionByToken(t, uow, token)
		eq(t, "id", got.ID(), want.ID())
		eqBytes(t, "token hash", got.TokenHash(), session.HashToken(token))
		eq(t, "partner id", got.PartnerID(), want.PartnerID())
		eq(t, "customer id", got.CustomerID(), want.CustomerID())
		eqTime(t, "createdAt", got.CreatedAt(), want.CreatedAt())
		eqTime(t, "expiresAt", got.ExpiresAt(), want.ExpiresAt())
		if !got.RevokedAt().IsZero() {
			t.Errorf("revokedAt = %v, want zero", got.RevokedAt())
		}
	}},
	{"unknown token hash is not found", func(t *testing.T, uow app.UnitOfWork) {
		addSession(t, uow, newID("token-"))
		err := try(t, uow, func(ctx context.Context, r app.Repos) error {
			_, err := r.Sessions.ByTokenHash(ctx, session.HashToken(newID("token-")))
			return err
		})
		wantErr(t, "ByTokenHash", err, session.ErrNotFound)
	}},
	{"revocation is persisted", func(t *testing.T, uow app.UnitOfWork) {
		token := newID("token-")
		want := addSession(t, uow, token)
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			s, err := r.Sessions.ByTokenHash(ctx, session.HashToken(token))
			if err != nil {
				return err
			}
			s.Revoke(at(time.Hour))
			return r.Sessions.Update(ctx, s)
		})
		got := sessionByToken(t, uow, token)
		eqTime(t, "revokedAt", got.RevokedAt(), at(time.Hour))
		eq(t, "id", got.ID(), want.ID())
		eqTime(t, "expiresAt", got.ExpiresAt(), want.ExpiresAt())
		if err := got.Check(want.PartnerID(), at(2*time.Hour)); err == nil {
			t.Error("revoked session passes Check")
		}
	}},
	{"revoking a session without update changes nothing", func(t *testing.T, uow app.UnitOfWork) {
		token := newID("token-")
		s := addSession(t, uow, token)
		s.Revoke(at(time.Minute))
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			got, err := r.Sessions.ByTokenHash(ctx, session.HashToken(token))
			if err != nil {
				return err
			}
			got.Revoke(at(time.Minute))
			return nil
		})
		if got := sessionByToken(t, uow, token).RevokedAt(); !got.IsZero() {
			t.Errorf("revokedAt = %v, want zero", got)
		}
	}},
	{"update of a missing session is not found", func(t *testing.T, uow app.UnitOfWork) {
		addSession(t, uow, newID("token-"))
		s := session.Start(newID("ses"), newID("token-"), newID("ptn"), newID("cus"), at(0), time.Hour)
		s.Revoke(at(time.Minute))
		err := try(t, uow, func(ctx context.Context, r app.Repos) error { return r.Sessions.Update(ctx, s) })
		wantErr(t, "Update", err, session.ErrNotFound)
	}},
	{"duplicate id is rejected", func(t *testing.T, uow app.UnitOfWork) {
		s := addSession(t, uow, newID("token-"))
		dup := session.Start(s.ID(), newID("token-"), s.PartnerID(), s.CustomerID(), at(0), time.Hour)
		if err := try(t, uow, func(ctx context.Context, r app.Repos) error { return r.Sessions.Add(ctx, dup) }); err == nil {
			t.Fatal("Add of a duplicate id succeeded")
		}
	}},
}
