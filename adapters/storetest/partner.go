package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/partner"
)

func getPartner(t *testing.T, uow app.UnitOfWork, id string) *partner.Partner {
	t.Helper()
	var got *partner.Partner
	do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
		got, err = r.Partners.ByID(ctx, id)
		return err
	})
	return got
}

var partnerCases = []testCase{
	{"add then get returns every field", func(t *testing.T, uow app.UnitOfWork) {
		for _, role := range []partner.Role{partner.RolePartner, partner.RoleChannel} {
			want := partner.Rehydrate(newID("ptn"), "PT Dompet Sejahtera Indonesia", role,
				[]byte{0x00, 0x9f, 0xff, 's', 'e', 'a', 'l', 'e', 'd'}, at(-time.Hour))
			do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Partners.Add(ctx, want) })
			got := getPartner(t, uow, want.ID())
			eq(t, "id", got.ID(), want.ID())
			eq(t, "name", got.Name(), want.Name())
			eq(t, "role", got.Role(), want.Role())
			eqBytes(t, "sealed secret", got.SealedSecret(), want.SealedSecret())
			eqTime(t, "createdAt", got.CreatedAt(), want.CreatedAt())
		}
	}},
	{"unknown id is not found", func(t *testing.T, uow app.UnitOfWork) {
		addPartner(t, uow)
		err := try(t, uow, func(ctx context.Context, r app.Repos) error {
			_, err := r.Partners.ByID(ctx, newID("ptn"))
			return err
		})
		wantErr(t, "ByID", err, partner.ErrNotFound)
	}},
	{"duplicate id is rejected", func(t *testing.T, uow app.UnitOfWork) {
		p := addPartner(t, uow)
		dup := partner.Rehydrate(p.ID(), "Another Name", partner.RoleChannel, []byte("other"), at(0))
		if err := try(t, uow, func(ctx context.Context, r app.Repos) error { return r.Partners.Add(ctx, dup) }); err == nil {
			t.Fatal("Add of a duplicate id succeeded")
		}
		eq(t, "name", getPartner(t, uow, p.ID()).Name(), p.Name())
	}},
	{"fee override round-trips and update sets or clears it", func(t *testing.T, uow app.UnitOfWork) {
		p := partner.Rehydrate(newID("ptn"), "Toko Fee", partner.RolePartner, []byte("s"), at(0))
		p.SetBankTransferFee(1000)
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Partners.Add(ctx, p) })
		fee, ok := getPartner(t, uow, p.ID()).BankTransferFee()
		if !ok || fee != 1000 {
			t.Fatalf("fee = %d, %v after add", fee, ok)
		}
		p.SetBankTransferFee(0)
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Partners.Update(ctx, p) })
		if fee, ok := getPartner(t, uow, p.ID()).BankTransferFee(); !ok || fee != 0 {
			t.Fatalf("fee = %d, %v after update to 0", fee, ok)
		}
		p.SetBankTransferFee(-1)
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Partners.Update(ctx, p) })
		if _, ok := getPartner(t, uow, p.ID()).BankTransferFee(); ok {
			t.Fatal("override still set after clearing")
		}
		missing := partner.Rehydrate(newID("ptn"), "Ghost", partner.RolePartner, []byte("s"), at(0))
		err := try(t, uow, func(ctx context.Context, r app.Repos) error { return r.Partners.Update(ctx, missing) })
		wantErr(t, "Update", err, partner.ErrNotFound)
	}},
	{"callback URL round-trips and update changes or clears it", func(t *testing.T, uow app.UnitOfWork) {
		none := partner.Rehydrate(newID("ptn"), "Toko Tanpa Webhook", partner.RolePartner, []byte("s"), at(0))
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Partners.Add(ctx, none) })
		eq(t, "callback URL without one", getPartner(t, uow, none.ID()).CallbackURL(), "")

		p := partner.Rehydrate(newID("ptn"), "Toko Webhook", partner.RolePartner, []byte("s"), at(0))
		p.SetBankTransferFee(2500)
		setCallbackURL(t, p, "https://partner.example.co.id/hooks/wallet?v=1")
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Partners.Add(ctx, p) })
		eq(t, "callback URL after add", getPartner(t, uow, p.ID()).CallbackURL(), p.CallbackURL())

		setCallbackURL(t, p, "http://10.0.0.7:8080/callback")
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Partners.Update(ctx, p) })
		got := getPartner(t, uow, p.ID())
		eq(t, "callback URL after update", got.CallbackURL(), "http://10.0.0.7:8080/callback")
		if fee, ok := got.BankTransferFee(); !ok || fee != 2500 {
			t.Errorf("fee = %d, %v after changing the callback URL", fee, ok)
		}

		setCallbackURL(t, p, "")
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Partners.Update(ctx, p) })
		eq(t, "callback URL after clearing", getPartner(t, uow, p.ID()).CallbackURL(), "")

		setCallbackURL(t, none, "https://late.example.com/webhook")
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Partners.Update(ctx, none) })
		eq(t, "callback URL set by update", getPartner(t, uow, none.ID()).CallbackURL(), "https://late.example.com/webhook")
	}},
	{"disabled flag and rotated secrets round-trip through update", func(t *testing.T, uow app.UnitOfWork) {
		p := addPartner(t, uow)
		eq(t, "disabled after add", getPartner(t, uow, p.ID()).Disabled(), false)
		p.Disable()
		if err := p.RotateSecret([]byte("new\x00sealed"), at(0), 24*time.Hour); err != nil {
			t.Fatal(err)
		}
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Partners.Update(ctx, p) })
		got := getPartner(t, uow, p.ID())
		eq(t, "disabled after update", got.Disabled(), true)
		eqBytes(t, "sealed secret after rotation", got.SealedSecret(), []byte("new\x00sealed"))
		retired, until := got.RetiredSecret()
		eqBytes(t, "retired secret", retired, []byte("sealed\x00secret\xff"))
		eqTime(t, "retired until", until, at(24*time.Hour))

		p.Enable()
		if err := p.RotateSecret([]byte("newest"), at(time.Hour), 0); err != nil {
			t.Fatal(err)
		}
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Partners.Update(ctx, p) })
		got = getPartner(t, uow, p.ID())
		eq(t, "disabled after enable", got.Disabled(), false)
		if retired, _ := got.RetiredSecret(); retired != nil {
			t.Fatalf("retired secret %q after a rotation without grace", retired)
		}
	}},
	{"the bank gateway flag round-trips through add and update", func(t *testing.T, uow app.UnitOfWork) {
		gw, err := partner.New(newID("ptn"), "Bank gateway", partner.RoleChannel, []byte("sealed"), at(0))
		if err != nil {
			t.Fatal(err)
		}
		if err := gw.SetBankGateway(true); err != nil {
			t.Fatal(err)
		}
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Partners.Add(ctx, gw) })
		eq(t, "gateway after add", getPartner(t, uow, gw.ID()).BankGateway(), true)
		eq(t, "ordinary partner", getPartner(t, uow, addPartner(t, uow).ID()).BankGateway(), false)
		if err := gw.SetBankGateway(false); err != nil {
			t.Fatal(err)
		}
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Partners.Update(ctx, gw) })
		eq(t, "gateway after update", getPartner(t, uow, gw.ID()).BankGateway(), false)
	}},
	{"list returns every partner in id order", func(t *testing.T, uow app.UnitOfWork) {
		a, b := addPartner(t, uow), addPartner(t, uow)
		b.Disable()
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Partners.Update(ctx, b) })
		var ps []*partner.Partner
		do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
			ps, err = r.Partners.List(ctx)
			return err
		})
		pos := map[string]int{}
		for i, p := range ps {
			if i > 0 && ps[i-1].ID() >= p.ID() {
				t.Fatalf("list not in id order at %d", i)
			}
			pos[p.ID()] = i
			if p.ID() == b.ID() && !p.Disabled() {
				t.Error("listed partner lost its disabled flag")
			}
		}
		if _, ok := pos[a.ID()]; !ok {
			t.Errorf("partner %s missing from list", a.ID())
		}
		if _, ok := pos[b.ID()]; !ok {
			t.Errorf("partner %s missing from list", b.ID())
		}
	}},
	{"changing a sealed secret after add changes nothing", func(t *testing.T, uow app.UnitOfWork) {
		secret := []byte("sealed-secret")
		p := partner.Rehydrate(newID("ptn"), "Toko Maju", partner.RolePartner, secret, at(0))
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Partners.Add(ctx, p) })
		secret[0] = 'X'
		getPartner(t, uow, p.ID()).SealedSecret()[1] = 'X'
		eqBytes(t, "sealed secret", getPartner(t, uow, p.ID()).SealedSecret(), []byte("sealed-secret"))
	}},
}

func setCallbackURL(t *testing.T, p *partner.Partner, u string) {
	t.Helper()
	if err := p.SetCallbackURL(u); err != nil {
		t.Fatalf("SetCallbackURL(%q): %v", u, err)
	}
}

func isBound(t *testing.T, uow app.UnitOfWork, partnerID, customerID string) bool {
	t.Helper()
	var bound bool
	do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
		bound, err = r.Bindings.IsBound(ctx, partnerID, customerID)
		return err
	})
	return bound
}

var bindingCases = []testCase{
	{"by mobile for a partner tells whether it is bound", func(t *testing.T, uow app.UnitOfWork) {
		p, other, c := addPartner(t, uow), addPartner(t, uow), addCustomer(t, uow)
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Bindings.Bind(ctx, p.ID(), c.ID(), at(0)) })
		for _, tt := range []struct {
			partnerID string
			bound     bool
		}{{p.ID(), true}, {other.ID(), false}} {
			do(t, uow, func(ctx context.Context, r app.Repos) error {
				got, bound, err := r.Customers.ByMobileFor(ctx, c.Mobile(), tt.partnerID)
				if err != nil {
					return err
				}
				eq(t, "id", got.ID(), c.ID())
				eq(t, "bound", bound, tt.bound)
				return nil
			})
		}
		err := try(t, uow, func(ctx context.Context, r app.Repos) error {
			_, _, err := r.Customers.ByMobileFor(ctx, "6289999999999", p.ID())
			return err
		})
		wantErr(t, "ByMobileFor", err, customer.ErrNotFound)
	}},
	{"unbound pair is not bound", func(t *testing.T, uow app.UnitOfWork) {
		p, c := addPartner(t, uow), addCustomer(t, uow)
		if isBound(t, uow, p.ID(), c.ID()) {
			t.Error("IsBound = true before Bind")
		}
	}},
	{"bind makes the pair bound and binding twice is fine", func(t *testing.T, uow app.UnitOfWork) {
		p, c := addPartner(t, uow), addCustomer(t, uow)
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Bindings.Bind(ctx, p.ID(), c.ID(), at(0)) })
		if !isBound(t, uow, p.ID(), c.ID()) {
			t.Error("IsBound = false after Bind")
		}
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			if err := r.Bindings.Bind(ctx, p.ID(), c.ID(), at(time.Minute)); err != nil {
				return err
			}
			return r.Bindings.Bind(ctx, p.ID(), c.ID(), at(2*time.Minute))
		})
		if !isBound(t, uow, p.ID(), c.ID()) {
			t.Error("IsBound = false after binding again")
		}
	}},
	{"binding is per partner and customer", func(t *testing.T, uow app.UnitOfWork) {
		p1, p2 := addPartner(t, uow), addPartner(t, uow)
		c1, c2 := addCustomer(t, uow), addCustomer(t, uow)
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Bindings.Bind(ctx, p1.ID(), c1.ID(), at(0)) })
		if isBound(t, uow, p2.ID(), c1.ID()) {
			t.Error("customer bound to another partner is bound")
		}
		if isBound(t, uow, p1.ID(), c2.ID()) {
			t.Error("another customer of the partner is bound")
		}
	}},
}
