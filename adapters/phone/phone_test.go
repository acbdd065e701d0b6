package phone_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/dompet/wallet/adapters/phone"
	"github.com/dompet/wallet/domain/customer"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"local 08 form is canonicalised", "081234567890", "6281234567890"},
		{"628 form is kept", "6281234567890", "6281234567890"},
		{"+628 form loses the plus", "+6281234567890", "6281234567890"},
		{"surrounding spaces are ignored", " 081234567890 ", "6281234567890"},
		{"Telkomsel 0811 is mobile", "08111234567", "628111234567"},
		{"XL 0817 is mobile", "0817123456789", "62817123456789"},
		{"Smartfren 0881 is mobile", "0881234567890", "62881234567890"},
		{"Jakarta landline is refused", "0215551234", ""},
		{"+62 landline is refused", "+62215551234", ""},
		{"too short is refused", "08123", ""},
		{"too long is refused", "0812345678901234", ""},
		{"foreign number is refused", "+6591234567", ""},
		{"letters are refused", "08123456789a", ""},
		{"dashes are refused", "0812-3456-7890", ""},
		{"empty is refused", "", ""},
		{"0062 prefix is refused", "006281234567890", ""},
		{"+0 is refused", "+081234567890", ""},
	}
	n := phone.NewNormalizer()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := n.Normalize(tt.in)
			if tt.want == "" {
				if !errors.Is(err, customer.ErrInvalidMobile) {
					t.Fatalf("Normalize(%q) = %q, %v; want ErrInvalidMobile", tt.in, got, err)
				}
				return
			}
			if err != nil || got.String() != tt.want {
				t.Fatalf("Normalize(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"081234567890", "6281234567890", "+6281234567890", "0215551234", "+", "0", "628", "+62", "08\x00"} {
		f.Add(s)
	}
	n := phone.NewNormalizer()
	f.Fuzz(func(t *testing.T, in string) {
		got, err := n.Normalize(in)
		if err != nil {
			if !errors.Is(err, customer.ErrInvalidMobile) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		s := got.String()
		if !strings.HasPrefix(s, "628") {
			t.Fatalf("canonical %q does not start with 628", s)
		}
		again, err := n.Normalize(s)
		if err != nil || again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q, %v", in, s, again, err)
		}
		if alt, err := n.Normalize("0" + s[2:]); err != nil || alt != got {
			t.Fatalf("08 form of %q -> %q, %v", s, alt, err)
		}
	})
}
