package storetest

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/partner"
)

func snapToken(partnerID, name string, expires time.Time) app.SNAPToken {
	h := sha256.Sum256([]byte(newID(name)))
	return app.SNAPToken{Hash: h[:], PartnerID: partnerID, CreatedAt: at(0), ExpiresAt: expires}
}

func tokenByHash(t *testing.T, uow app.UnitOfWork, hash []byte) (app.SNAPToken, error) {
	t.Helper()
	var got app.SNAPToken
	err := try(t, uow, func(ctx context.Context, r app.Repos) (err error) {
		got, err = r.SNAPTokens.ByHash(ctx, hash)
		return err
	})
	return got, err
}

var snapCases = []testCase{
	{"token add then get returns every field", func(t *testing.T, uow app.UnitOfWork) {
		p := addPartner(t, uow)
		want := snapToken(p.ID(), "tok", at(900*time.Second))
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.SNAPTokens.Add(ctx, want) })
		got, err := tokenByHash(t, uow, want.Hash)
		if err != nil {
			t.Fatal(err)
		}
		eqBytes(t, "hash", got.Hash, want.Hash)
		eq(t, "partner", got.PartnerID, want.PartnerID)
		eqTime(t, "createdAt", got.CreatedAt, want.CreatedAt)
		eqTime(t, "expiresAt", got.ExpiresAt, want.ExpiresAt)
	}},
	{"unknown token is not found", func(t *testing.T, uow app.UnitOfWork) {
		_, err := tokenByHash(t, uow, []byte("no such hash"))
		wantErr(t, "ByHash", err, app.ErrSNAPTokenNotFound)
	}},
	{"delete expired forgets only the partner's expired tokens", func(t *testing.T, uow app.UnitOfWork) {
		p, other := addPartner(t, uow), addPartner(t, uow)
		old := snapToken(p.ID(), "old", at(-time.Second))
		live := snapToken(p.ID(), "live", at(time.Minute))
		foreign := snapToken(other.ID(), "foreign", at(-time.Second))
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			for _, tok := range []app.SNAPToken{old, live, foreign} {
				if err := r.SNAPTokens.Add(ctx, tok); err != nil {
					return err
				}
			}
			return r.SNAPTokens.DeleteExpired(ctx, p.ID(), at(0))
		})
		if _, err := tokenByHash(t, uow, old.Hash); err == nil {
			t.Error("expired token still stored")
		}
		for _, tok := range []app.SNAPToken{live, foreign} {
			if _, err := tokenByHash(t, uow, tok.Hash); err != nil {
				t.Errorf("token of %s expiring %v: %v", tok.PartnerID, tok.ExpiresAt, err)
			}
		}
	}},
	{"partner SNAP key round-trips and update rotates or clears it", func(t *testing.T, uow app.UnitOfWork) {
		p := partner.Rehydrate(newID("ptn"), "Bank SNAP", partner.RoleChannel, []byte("s"), at(0))
		eqBytes(t, "key of a new partner", p.SNAPPublicKey(), nil)
		p.SetSNAPPublicKey([]byte{0x30, 0x82, 0x01, 0x22, 0x00, 0xff})
		setCallbackURL(t, p, "https://bank.example.co.id/snap")
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Partners.Add(ctx, p) })
		eqBytes(t, "key after add", getPartner(t, uow, p.ID()).SNAPPublicKey(), p.SNAPPublicKey())

		p.SetSNAPPublicKey([]byte{0x30, 0x82, 0x02})
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Partners.Update(ctx, p) })
		got := getPartner(t, uow, p.ID())
		eqBytes(t, "key after rotation", got.SNAPPublicKey(), []byte{0x30, 0x82, 0x02})
		eq(t, "callback URL after rotation", got.CallbackURL(), "https://bank.example.co.id/snap")

		p.SetSNAPPublicKey(nil)
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Partners.Update(ctx, p) })
		if k := getPartner(t, uow, p.ID()).SNAPPublicKey(); len(k) != 0 {
			t.Errorf("key after clearing = %x", k)
		}
	}},
}
