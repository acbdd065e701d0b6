package storetest

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/partner"
)

// newClaim returns an unfinished claim of a new key.
func newClaim(partnerID string) app.IdempotencyRecord {
	key := newID("ext-")
	hash := sha256.Sum256([]byte("POST /v1/transfers " + key))
	return app.IdempotencyRecord{
		PartnerID: partnerID, Key: key, RequestHash: hash[:],
		LockedUntil: at(30 * time.Second), CreatedAt: at(0),
	}
}

func claim(t *testing.T, uow app.UnitOfWork, rec app.IdempotencyRecord) *app.IdempotencyRecord {
	t.Helper()
	var existing *app.IdempotencyRecord
	do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
		existing, err = r.Idempotency.Claim(ctx, rec)
		return err
	})
	return existing
}

func steal(t *testing.T, uow app.UnitOfWork, partnerID, key, holder string, lockedUntil, newLease time.Time) bool {
	t.Helper()
	var ok bool
	do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
		ok, err = r.Idempotency.Steal(ctx, partnerID, key, holder, lockedUntil, newLease)
		return err
	})
	return ok
}

var idempotencyCases = []testCase{
	{"first claim wins and the second gets the stored record", func(t *testing.T, uow app.UnitOfWork) {
		p := addPartner(t, uow)
		rec := newClaim(p.ID())
		if existing := claim(t, uow, rec); existing != nil {
			t.Fatalf("first Claim = %+v, want nil", existing)
		}
		again := rec
		again.RequestHash = []byte("another request")
		again.LockedUntil, again.CreatedAt = at(time.Hour), at(time.Minute)
		got := claim(t, uow, again)
		if got == nil {
			t.Fatal("second Claim = nil, want the first record")
		}
		sameIdempotency(t, "second Claim", got, &rec)
	}},
	{"keys are per partner", func(t *testing.T, uow app.UnitOfWork) {
		p1, p2 := addPartner(t, uow), addPartner(t, uow)
		rec1 := newClaim(p1.ID())
		rec2 := rec1
		rec2.PartnerID = p2.ID()
		if existing := claim(t, uow, rec1); existing != nil {
			t.Fatalf("Claim of first partner = %+v, want nil", existing)
		}
		if existing := claim(t, uow, rec2); existing != nil {
			t.Fatalf("Claim of second partner = %+v, want nil", existing)
		}
	}},
	{"steal succeeds only with the current lease", func(t *testing.T, uow app.UnitOfWork) {
		p := addPartner(t, uow)
		rec := newClaim(p.ID())
		claim(t, uow, rec)
		h := claim(t, uow, rec).Holder
		if h == "" {
			t.Fatal("Claim stamped no holder")
		}
		if steal(t, uow, p.ID(), rec.Key, h, rec.LockedUntil.Add(time.Microsecond), at(time.Hour)) {
			t.Fatal("Steal with a stale lease succeeded")
		}
		if steal(t, uow, p.ID(), rec.Key, h+"-other", rec.LockedUntil, at(time.Hour)) {
			t.Fatal("Steal from another holder succeeded")
		}
		if !steal(t, uow, p.ID(), rec.Key, h, rec.LockedUntil, at(time.Hour)) {
			t.Fatal("Steal with the current lease failed")
		}
		if steal(t, uow, p.ID(), rec.Key, h, rec.LockedUntil, at(2*time.Hour)) {
			t.Fatal("second Steal with the old lease succeeded")
		}
		want := rec
		want.LockedUntil = at(time.Hour)
		sameIdempotency(t, "Claim after Steal", claim(t, uow, rec), &want)
	}},
	{"steal of a missing key reports false", func(t *testing.T, uow app.UnitOfWork) {
		p := addPartner(t, uow)
		if steal(t, uow, p.ID(), newID("ext-"), "", at(0), at(time.Hour)) {
			t.Fatal("Steal of a missing key succeeded")
		}
	}},
	{"the claiming process is alive, an unknown holder is not", func(t *testing.T, uow app.UnitOfWork) {
		p := addPartner(t, uow)
		rec := newClaim(p.ID())
		claim(t, uow, rec)
		h := claim(t, uow, rec).Holder
		for _, c := range []struct {
			holder string
			want   bool
		}{{h, true}, {"", false}, {"pg:1", false}, {"sqlite:00", false}} {
			var alive bool
			do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
				alive, err = r.Idempotency.HolderAlive(ctx, c.holder)
				return err
			})
			if alive != c.want {
				t.Errorf("HolderAlive(%q) = %v, want %v", c.holder, alive, c.want)
			}
		}
	}},
	{"complete stores the response exactly", func(t *testing.T, uow app.UnitOfWork) {
		p := addPartner(t, uow)
		rec := newClaim(p.ID())
		claim(t, uow, rec)
		body := []byte("{\"responseCode\":\"00\",\"message\":\"Transfer berhasil — Rp1.250.000\",\"data\":{ \"amount\": 1250000 }}\n")
		resp := app.StoredResponse{Status: 201, Body: append([]byte(nil), body...)}
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			return r.Idempotency.Complete(ctx, p.ID(), rec.Key, resp)
		})
		resp.Body[0] = 'X'
		want := rec
		want.Done, want.Response = true, app.StoredResponse{Status: 201, Body: body}
		sameIdempotency(t, "Claim after Complete", claim(t, uow, rec), &want)
	}},
	{"release forgets the claim so that the next claim wins", func(t *testing.T, uow app.UnitOfWork) {
		p := addPartner(t, uow)
		rec := newClaim(p.ID())
		claim(t, uow, rec)
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Idempotency.Release(ctx, p.ID(), rec.Key) })
		if existing := claim(t, uow, rec); existing != nil {
			t.Fatalf("Claim after Release = %+v, want nil", existing)
		}
	}},
	{"put stores a finished record and refuses a taken key, with its transaction", func(t *testing.T, uow app.UnitOfWork) {
		p := addPartner(t, uow)
		rec := newClaim(p.ID())
		rec.Done, rec.Response = true, app.StoredResponse{Status: 200, Body: []byte("{\"code\":0}\n")}
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Idempotency.Put(ctx, rec) })
		sameIdempotency(t, "Claim after Put", claim(t, uow, rec), &rec)
		// A second Put fails the transaction (stores may tell only at
		// commit), and nothing else of that transaction stays.
		other, err := partner.New(newID("ptn"), "Toko Lain", partner.RolePartner, []byte("sealed"), at(0))
		if err != nil {
			t.Fatal(err)
		}
		second := rec
		second.Response = app.StoredResponse{Status: 422, Body: []byte("other")}
		err = try(t, uow, func(ctx context.Context, r app.Repos) error {
			if err := r.Partners.Add(ctx, other); err != nil {
				return err
			}
			return r.Idempotency.Put(ctx, second)
		})
		wantErr(t, "second Put", err, app.ErrIdempotencyKeyTaken)
		sameIdempotency(t, "Claim after the second Put", claim(t, uow, rec), &rec)
		err = try(t, uow, func(ctx context.Context, r app.Repos) error {
			_, err := r.Partners.ByID(ctx, other.ID())
			return err
		})
		wantErr(t, "partner added beside the second Put", err, partner.ErrNotFound)
	}},
	{"claim in a failed transaction is forgotten", func(t *testing.T, uow app.UnitOfWork) {
		p := addPartner(t, uow)
		rec := newClaim(p.ID())
		err := try(t, uow, func(ctx context.Context, r app.Repos) error {
			if _, err := r.Idempotency.Claim(ctx, rec); err != nil {
				return err
			}
			return errAbort
		})
		wantErr(t, "Do", err, errAbort)
		if existing := claim(t, uow, rec); existing != nil {
			t.Fatalf("Claim after rollback = %+v, want nil", existing)
		}
	}},
}

func sameIdempotency(t *testing.T, what string, got, want *app.IdempotencyRecord) {
	t.Helper()
	if got == nil {
		t.Fatalf("%s = nil, want a record", what)
	}
	eq(t, what+" partner id", got.PartnerID, want.PartnerID)
	eq(t, what+" key", got.Key, want.Key)
	eqBytes(t, what+" request hash", got.RequestHash, want.RequestHash)
	eq(t, what+" done", got.Done, want.Done)
	eqTime(t, what+" lockedUntil", got.LockedUntil, want.LockedUntil)
	eq(t, what+" status", got.Response.Status, want.Response.Status)
	eqBytes(t, what+" body", got.Response.Body, want.Response.Body)
	eqTime(t, what+" createdAt", got.CreatedAt, want.CreatedAt)
}
