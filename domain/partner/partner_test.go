package partner_test

import (
	"testing"
	"time"

	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/partner"
)

// A partner's name is the counterparty customers see on payments.
func TestNewRefusesInvisibleName(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"Toko\u202EAman", "Ojek\xffOnline", "Ojek\u200BOnline"} {
		_, err := partner.New("p1", name, partner.RolePartner, []byte("sealed"), time.Now())
		if f, ok := fault.As(err); !ok || f.Kind != fault.Invalid || f.Field != "name" {
			t.Errorf("New(%q) err = %v, want Invalid naming name", name, err)
		}
	}
	if _, err := partner.New("p1", "Ojek Online", partner.RolePartner, []byte("sealed"), time.Now()); err != nil {
		t.Fatal(err)
	}
}

func TestOnlyAChannelCanBeTheBankGateway(t *testing.T) {
	for _, tc := range []struct {
		role partner.Role
		ok   bool
	}{{partner.RoleChannel, true}, {partner.RolePartner, false}} {
		p, err := partner.New("p1", "Bank", tc.role, []byte("sealed"), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := p.SetBankGateway(true); (err == nil) != tc.ok || p.BankGateway() != tc.ok {
			t.Errorf("%s: SetBankGateway(true) = %v, gateway %v", tc.role, err, p.BankGateway())
		}
	}
}
