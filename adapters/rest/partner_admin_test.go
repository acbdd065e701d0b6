package rest_test

import (
	"context"
	"testing"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/internal/apptest"
	"github.com/dompet/wallet/internal/testdb"
)

func TestPartnerAdministration(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *bunstore.DB) {
		s := apptest.New(t, db, nil)
		ctx := context.Background()
		c := newClient(s, "PARTNER")
		inquiry := "/customer-account-inquiry/?mobileNumber=081299999999"
		// An unknown number answers as an unbound one (21).
		expect(t, c.get(inquiry), 403, 21)

		t.Run("disabled partner is 20 on GET and POST, enabled again is let in", func(t *testing.T) {
			if _, err := s.App.SetPartnerDisabled(ctx, c.id, true); err != nil {
				t.Fatal(err)
			}
			expect(t, c.get(inquiry), 401, 20)
			expect(t, c.post("/register-customer/", `{"mobileNumber":"081200000401","firstName":"A"}`), 401, 20)
			if _, err := s.App.SetPartnerDisabled(ctx, c.id, false); err != nil {
				t.Fatal(err)
			}
			expect(t, c.get(inquiry), 403, 21)
		})

		t.Run("rotation keeps the old secret during the grace period only", func(t *testing.T) {
			old := &client{s: s, id: c.id, secret: c.secret}
			res, err := s.App.RotatePartnerSecret(ctx, c.id, app.DefaultSecretGrace)
			if err != nil {
				t.Fatal(err)
			}
			first := &client{s: s, id: c.id, secret: res.Secret}
			expect(t, first.get(inquiry), 403, 21)
			expect(t, old.get(inquiry), 403, 21)

			// A second rotation without grace drops both earlier secrets.
			res, err = s.App.RotatePartnerSecret(ctx, c.id, 0)
			if err != nil {
				t.Fatal(err)
			}
			second := &client{s: s, id: c.id, secret: res.Secret}
			expect(t, second.get(inquiry), 403, 21)
			expect(t, first.get(inquiry), 401, 20)
			expect(t, old.get(inquiry), 401, 20)
		})

		t.Run("operators list and show partners whatever their state", func(t *testing.T) {
			other := newClient(s, "CHANNEL")
			if _, err := s.App.SetPartnerDisabled(ctx, other.id, true); err != nil {
				t.Fatal(err)
			}
			ps, err := s.App.Partners(ctx)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, p := range ps {
				seen[p.ID()] = p.Disabled()
			}
			if disabled, ok := seen[other.id]; !ok || !disabled {
				t.Fatalf("list: disabled partner missing or enabled: %v", seen)
			}
			if disabled, ok := seen[c.id]; !ok || disabled {
				t.Fatalf("list: enabled partner missing or disabled: %v", seen)
			}
			p, err := s.App.PartnerForOperator(ctx, other.id)
			if err != nil || !p.Disabled() {
				t.Fatalf("show: %v %v", p, err)
			}
		})
	})
}
