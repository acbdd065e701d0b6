package customer_test

import (
	"testing"
	"time"

	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/fault"
)

// Names are shown to partners and other customers: text that is not what
// it looks like (mojibake, direction overrides, invisible characters) is
// refused on every name field, naming the field.
func TestRegisterNames(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name              string
		first, mid, last  string
		field, wantStored string
	}{
		{"plain name is kept", "Budi", "", "Santoso", "", "Budi Santoso"},
		{"runs of space collapse", "  Siti   Aisyah ", "", "", "", "Siti Aisyah"},
		{"invalid UTF-8 in firstName", "Bu\xffdi", "", "", "firstName", ""},
		{"U+FFFD in firstName (what JSON makes of invalid UTF-8)", "Bu\uFFFDdi", "", "", "firstName", ""},
		{"right-to-left override in lastName", "Budi", "", "Santoso\u202Egpj.exe", "lastName", ""},
		{"zero-width space in middleName", "Budi", "\u200B", "Santoso", "middleName", ""},
		{"BOM in firstName", "\uFEFFBudi", "", "", "firstName", ""},
		{"bidi isolate in lastName", "Budi", "", "\u2066Santoso\u2069", "lastName", ""},
		{"Arabic letter mark in firstName", "\u061CBudi", "", "", "firstName", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := customer.Register("c1", customer.Registration{Mobile: "6281234567890",
				FirstName: tt.first, MiddleName: tt.mid, LastName: tt.last}, now)
			if tt.field == "" {
				if err != nil || c.FullName() != tt.wantStored {
					t.Fatalf("Register = %v, %v; want %q", c, err, tt.wantStored)
				}
				return
			}
			f, ok := fault.As(err)
			if !ok || f.Kind != fault.Invalid || f.Field != tt.field {
				t.Fatalf("err = %v, want Invalid naming %s", err, tt.field)
			}
		})
	}
}
