package rest

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"time"

	"github.com/dompet/wallet/domain/wallet"
)

// Money is an amount of integer rupiah in a request: a string of digits
// ("150000") or a JSON integer (150000). Fractions, signs, exponents and
// anything else are refused, so no float ever touches an amount.
type Money int64

var moneyType = reflect.TypeOf(Money(0))

// UnmarshalJSON implements json.Unmarshaler.
func (m *Money) UnmarshalJSON(b []byte) error {
	s := b
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		s = b[1 : len(b)-1]
	}
	if len(s) == 0 || len(s) > 15 || bytes.ContainsFunc(s, func(r rune) bool { return r < '0' || r > '9' }) {
		return &json.UnmarshalTypeError{Value: string(b), Type: moneyType}
	}
	v, err := strconv.ParseInt(string(s), 10, 64)
	if err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: moneyType}
	}
	*m = Money(v)
	return nil
}

// Amount formats money for responses: a string of digits.
func Amount(v int64) string { return strconv.FormatInt(v, 10) }

// Date formats a time for responses: RFC 3339 in WIB.
func Date(t time.Time) string { return t.In(wallet.WIB).Format(time.RFC3339) }
