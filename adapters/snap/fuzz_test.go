package snap

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/go-playground/validator/v10"

	"github.com/dompet/wallet/domain/fault"
)

func testValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		return name
	})
	return v
}

// FuzzDecode feeds arbitrary bodies to the SNAP body decoder and the
// amount object: every outcome is a value or a client error (400xx00,
// 01 or 02) naming what is wrong, never a panic or an internal error, and
// an accepted amount renders back to the same value.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"partnerReferenceNo":"R1","customerNumber":"081234567890","amount":{"value":"10000.00","currency":"IDR"}}`,
		`{"partnerReferenceNo":"R1","customerNumber":"081234567890","amount":{"value":"10000.50","currency":"IDR"}}`,
		`{"partnerReferenceNo":"R1","customerNumber":"0812","amount":{"value":"-1.00","currency":"IDR"},"feeAmount":{"value":"2500.00","currency":"IDR"}}`,
		`{"amount":{"value":10000,"currency":"USD"}}`,
		`{"amount":null}`, `[]`, `{}`, ``, `{"a":1} {"b":2}`,
		`{"partnerReferenceNo":"R","customerNumber":"x","amount":{"value":"999999999999999.00","currency":"IDR"}}`,
		`{"partnerReferenceNo":"R","customerNumber":"x","amount":{"value":"9999999999999999.00","currency":"IDR"}}`,
	} {
		f.Add([]byte(s))
	}
	v := testValidator()
	svc := &service{code: "38", customerField: "customerNumber"}
	f.Fuzz(func(t *testing.T, body []byte) {
		var req topUpRequest
		err := decode(v, body, &req)
		if err == nil {
			var amount int64
			amount, err = rupiah(req.Amount, "amount")
			if err == nil {
				whole := strings.TrimLeft(strings.TrimSuffix(req.Amount.Value, ".00"), "0")
				if whole == "" {
					whole = "0"
				}
				if amount < 0 || idr(amount).Value != whole+".00" {
					t.Fatalf("amount %q parsed as %d", req.Amount.Value, amount)
				}
				if back, err := rupiah(&Amount{Value: idr(amount).Value, Currency: "IDR"}, "amount"); err != nil || back != amount {
					t.Fatalf("%d does not round-trip: %d %v", amount, back, err)
				}
				_, err = optionalRupiah(req.FeeAmount, "feeAmount")
			}
		}
		if err == nil {
			return
		}
		code, msg, status := describe(err, svc)
		if status != 400 || !strings.HasPrefix(code, "40038") || msg == "" {
			t.Fatalf("body %q: %s %q (%v)", body, code, msg, err)
		}
		if f, ok := fault.As(err); !ok || (f.Field == "" && !errors.Is(err, errBadRequest) && f.Kind != fault.Invalid) {
			t.Fatalf("body %q: unclassified %v", body, err)
		}
	})
}
