package rest_test

import (
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dompet/wallet/adapters/httpapi"
	"github.com/dompet/wallet/adapters/rest"
	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/fault"
)

type sample struct {
	MobileNumber string `json:"mobileNumber" validate:"required,max=20"`
	FirstName    string `json:"firstName" validate:"required,max=50"`
	Age          int    `json:"age"`
}

func TestDecode(t *testing.T) {
	t.Parallel()
	v := httpapi.NewValidator()
	tests := []struct {
		name, body, field string
	}{
		{"valid object decodes", `{"mobileNumber":"0812","firstName":"A"}`, ""},
		{"unknown fields are ignored", `{"mobileNumber":"0812","firstName":"A","transactionType":"X"}`, ""},
		{"empty body names body", ``, "body"},
		{"null names the first required field", `null`, "mobileNumber"},
		{"string names body", `"x"`, "body"},
		{"number for string names the field", `{"mobileNumber":812,"firstName":"A"}`, "mobileNumber"},
		{"string for number names the field", `{"mobileNumber":"0812","firstName":"A","age":"1"}`, "age"},
		{"missing required names the field", `{"firstName":"A"}`, "mobileNumber"},
		{"too long names the field", `{"mobileNumber":"012345678901234567890","firstName":"A"}`, "mobileNumber"},
		{"truncated JSON names body", `{"mobileNumber":"0812"`, "body"},
		{"two objects names body", `{"mobileNumber":"0812","firstName":"A"}{}`, "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var s sample
			err := rest.Decode(v, []byte(tt.body), &s)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("unexpected %v", err)
				}
				return
			}
			f, ok := fault.As(err)
			if !ok || f.Kind != fault.Invalid || f.Field != tt.field {
				t.Fatalf("err = %#v, want Invalid on %s", err, tt.field)
			}
		})
	}
}

// FuzzDecode: whatever arrives, decoding either succeeds with a valid value
// or fails as a client error (code 10) — never a panic or an internal error.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"mobileNumber":"0812","firstName":"A"}`, `{}`, `[]`, `null`, `{"age":1e400}`, `{"mobileNumber":"\ud800"}`, "\xff", `{"a":{"b":[`} {
		f.Add([]byte(s))
	}
	v := httpapi.NewValidator()
	f.Fuzz(func(t *testing.T, body []byte) {
		var s sample
		err := rest.Decode(v, body, &s)
		if err == nil {
			if s.MobileNumber == "" || s.FirstName == "" {
				t.Fatalf("accepted without required fields: %q", body)
			}
			// The name goes on to the domain, which every door shares:
			// what it keeps is valid UTF-8 without U+FFFD or invisible
			// characters, and what it refuses is code 10 naming the field.
			c, err := customer.Register("c1", customer.Registration{Mobile: "6281234567890", FirstName: s.FirstName}, time.Now())
			if err != nil {
				if f, ok := fault.As(err); !ok || f.Kind != fault.Invalid || f.Field != "firstName" {
					t.Fatalf("name %q refused with %v", s.FirstName, err)
				}
				return
			}
			if !utf8.ValidString(c.FirstName()) || strings.ContainsFunc(c.FirstName(), func(r rune) bool {
				return r == utf8.RuneError || unicode.In(r, unicode.Cc, unicode.Cf)
			}) {
				t.Fatalf("name %q stored as %q", s.FirstName, c.FirstName())
			}
			return
		}
		if fault.KindOf(err) != fault.Invalid {
			t.Fatalf("non-client error %v for %q", err, body)
		}
	})
}
