package snap

import (
	"strconv"
	"strings"

	"github.com/dompet/wallet/domain/fault"
)

// Amount is SNAP's money object: value is a string with exactly two
// decimals, currency is IDR. The platform keeps whole rupiah, so the
// decimals must be "00".
type Amount struct {
	Value    string `json:"value"`
	Currency string `json:"currency"`
}

// idr renders whole rupiah.
func idr(v int64) Amount { return Amount{Value: strconv.FormatInt(v, 10) + ".00", Currency: "IDR"} }

// maxDigits bounds the integer part: 15 digits stay far inside int64.
const maxDigits = 15

// rupiah parses a mandatory amount; field is its JSON name (errors name
// field.value or field.currency).
func rupiah(a *Amount, field string) (int64, error) {
	if a == nil {
		return 0, mandatory(field)
	}
	return a.rupiah(field)
}

// optionalRupiah parses an amount that may be absent (0 then).
func optionalRupiah(a *Amount, field string) (int64, error) {
	if a == nil || (a.Value == "" && a.Currency == "") {
		return 0, nil
	}
	return a.rupiah(field)
}

func (a *Amount) rupiah(field string) (int64, error) {
	if a.Value == "" {
		return 0, mandatory(field + ".value")
	}
	if a.Currency == "" {
		return 0, mandatory(field + ".currency")
	}
	if a.Currency != "IDR" {
		return 0, fault.Invalidf(field+".currency", "must be IDR")
	}
	whole, frac, ok := strings.Cut(a.Value, ".")
	if !ok || len(frac) != 2 || !digits(frac) || whole == "" || len(whole) > maxDigits || !digits(whole) {
		return 0, fault.Invalidf(field+".value", "must be a non-negative number with exactly two decimals, e.g. 10000.00")
	}
	if frac != "00" {
		return 0, fault.Invalidf(field+".value", "must be whole rupiah (decimals .00)")
	}
	return strconv.ParseInt(whole, 10, 64)
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
