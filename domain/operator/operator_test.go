package operator_test

import (
	"errors"
	"testing"
	"time"

	"github.com/dompet/wallet/domain/operator"
)

func TestRolePolicy(t *testing.T) {
	t.Parallel()
	all := []operator.Action{operator.DecideKYC, operator.ViewFullNIK, operator.BlockCustomer, operator.ReplayWebhook,
		operator.ManagePartners, operator.ManageOperators}
	may := map[operator.Role][]operator.Action{
		operator.RoleReviewer: {operator.DecideKYC, operator.ViewFullNIK},
		operator.RoleSupport:  {operator.BlockCustomer, operator.ReplayWebhook},
		operator.RoleAdmin:    {operator.DecideKYC, operator.BlockCustomer, operator.ReplayWebhook, operator.ManagePartners, operator.ManageOperators},
	}
	for role, allowed := range may {
		o, err := operator.New("op1", "a@dompet.example", role, "hash", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range all {
			want := false
			for _, x := range allowed {
				want = want || x == a
			}
			err := o.Authorize(a)
			if want != (err == nil) || (err != nil && !errors.Is(err, operator.ErrForbidden)) {
				t.Errorf("%s %s: %v, want allowed=%v", role, a, err, want)
			}
		}
	}
	disabled := operator.Rehydrate(operator.Snapshot{ID: "op2", Role: operator.RoleAdmin, DisabledAt: time.Now()})
	if disabled.Can(operator.ManageOperators) || disabled.Active() {
		t.Error("a disabled ADMIN may still act")
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, email, role, wantEmail string
		ok                           bool
	}{
		{"lower-cases the e-mail", " Rina@Dompet.Example ", "REVIEWER", "rina@dompet.example", true},
		{"role in lower case", "a@b.example", "support", "a@b.example", true},
		{"unknown role", "a@b.example", "ROOT", "", false},
		{"not an e-mail", "rina", "ADMIN", "", false},
		{"display name form", "Rina <rina@dompet.example>", "ADMIN", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r, err := operator.ParseRole(c.role)
			var o *operator.Operator
			if err == nil {
				o, err = operator.New("op1", c.email, r, "hash", time.Now())
			}
			if (err == nil) != c.ok {
				t.Fatalf("error %v, want ok=%v", err, c.ok)
			}
			if c.ok && o.Email() != c.wantEmail {
				t.Fatalf("email %q, want %q", o.Email(), c.wantEmail)
			}
		})
	}
}
