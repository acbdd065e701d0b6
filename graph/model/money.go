// Package model holds the GraphQL models. gqlgen generates most of them
// (models_gen.go); the resolvers convert application results into them
// explicitly, so no domain type ever reaches the schema.
package model

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/dompet/wallet/domain/fault"
)

// Money is an amount of rupiah as a whole number (SPEC §1). On the wire it
// is a string of digits; inputs also accept an integer.
type Money int64

// MarshalGQL writes the amount as a JSON string of digits.
func (m Money) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.Quote(strconv.FormatInt(int64(m), 10)))
}

// UnmarshalGQL accepts a string of digits or an integer. Fractions,
// negatives, exponents, signs and values beyond int64 are an Invalid fault;
// the field is left empty for the error presenter to fill in from the
// GraphQL path.
func (m *Money) UnmarshalGQL(v any) error {
	n, err := parseMoney(v)
	if err != nil {
		return err
	}
	*m = n
	return nil
}

func parseMoney(v any) (Money, error) {
	switch v := v.(type) {
	case string:
		return moneyDigits(v)
	case json.Number:
		// Variables are decoded with UseNumber: the literal text is kept, so
		// "1e5", "1.0" and "-1" are seen as written.
		return moneyDigits(string(v))
	case int:
		return moneyInt(int64(v))
	case int32:
		return moneyInt(int64(v))
	case int64:
		return moneyInt(v)
	case uint64:
		if v > math.MaxInt64 {
			return 0, errMoney("is too large")
		}
		return Money(v), nil
	case float32, float64:
		return 0, errMoney("must be a whole number of rupiah, written as digits")
	case nil:
		return 0, errMoney("is required")
	}
	return 0, errMoney("must be a string of digits or an integer")
}

func moneyInt(n int64) (Money, error) {
	if n < 0 {
		return 0, errMoney("must not be negative")
	}
	return Money(n), nil
}

func moneyDigits(s string) (Money, error) {
	if s == "" {
		return 0, errMoney("must be a string of digits")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errMoney("must be a whole, non-negative number of rupiah, written as digits")
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errMoney("is too large")
	}
	return Money(n), nil
}

func errMoney(detail string) error {
	return &fault.Error{Kind: fault.Invalid, Detail: detail}
}

// String is for logs and tests.
func (m Money) String() string { return fmt.Sprintf("Rp%d", int64(m)) }
