package graph_test

import (
	"context"
	"testing"
	"time"

	"github.com/dompet/wallet/app"
)

func TestDisabledPartnerIsRefusedOnEveryGraphQLPath(t *testing.T) {
	t.Parallel()
	f := newFixture(t, noFault)
	p := f.partner("ojek")
	token := f.login(&p, "081234567801")
	inquiry := `{ customer(mobileNumber: "081299999999") { id } }`

	f.post(as{partner: &p, sign: true}, inquiry, nil).wantError(t, 200, "FORBIDDEN", 21)
	if _, err := f.app.SetPartnerDisabled(context.Background(), p.id, true); err != nil {
		t.Fatal(err)
	}
	t.Run("signed partner request is 20", func(t *testing.T) {
		f.post(as{partner: &p, sign: true}, inquiry, nil).wantError(t, 401, "UNAUTHENTICATED", 20)
	})
	t.Run("frontend with only X-PARTNER-ID is 20", func(t *testing.T) {
		f.post(as{partner: &p}, registerMutation, registerInput("081234567802")).wantError(t, 401, "UNAUTHENTICATED", 20)
	})
	t.Run("customer token of the partner is 20", func(t *testing.T) {
		f.post(as{partner: &p, token: token}, meQuery, nil).wantError(t, 401, "UNAUTHENTICATED", 20)
	})

	if _, err := f.app.SetPartnerDisabled(context.Background(), p.id, false); err != nil {
		t.Fatal(err)
	}
	f.post(as{partner: &p, sign: true}, inquiry, nil).wantError(t, 200, "FORBIDDEN", 21)
	var me struct{ Me customerData }
	f.post(as{partner: &p, token: token}, meQuery, nil).decode(t, &me)
}

func TestRotatedSecretKeepsTheOldOneForTheGracePeriod(t *testing.T) {
	t.Parallel()
	f := newFixture(t, noFault)
	old := f.partner("ojek")
	inquiry := `{ customer(mobileNumber: "081299999999") { id } }`

	res, err := f.app.RotatePartnerSecret(context.Background(), old.id, app.DefaultSecretGrace)
	if err != nil {
		t.Fatal(err)
	}
	rotated := testPartner{id: old.id, secret: res.Secret}
	if rotated.secret == old.secret || rotated.secret == "" {
		t.Fatal("rotation did not produce a new secret")
	}
	f.post(as{partner: &rotated, sign: true}, inquiry, nil).wantError(t, 200, "FORBIDDEN", 21)
	f.post(as{partner: &old, sign: true}, inquiry, nil).wantError(t, 200, "FORBIDDEN", 21)

	f.clock.Advance(app.DefaultSecretGrace - time.Second)
	f.post(as{partner: &old, sign: true}, inquiry, nil).wantError(t, 200, "FORBIDDEN", 21)
	f.clock.Advance(time.Second)
	f.post(as{partner: &old, sign: true}, inquiry, nil).wantError(t, 401, "UNAUTHENTICATED", 20)
	f.post(as{partner: &rotated, sign: true}, inquiry, nil).wantError(t, 200, "FORBIDDEN", 21)
}
