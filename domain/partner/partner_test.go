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
