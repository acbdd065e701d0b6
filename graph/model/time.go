package model

import (
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/wallet"
)

// MarshalTime writes the Time scalar as RFC 3339 in WIB, the same text as
// REST's dates.
func MarshalTime(t time.Time) graphql.Marshaler {
	if t.IsZero() {
		return graphql.Null
	}
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.In(wallet.WIB).Format(time.RFC3339)))
	})
}

// UnmarshalTime accepts RFC 3339 text with a zone offset (fractions of a
// second allowed). Anything else is an Invalid fault; as for Money, the
// error presenter names the field from the GraphQL path.
func UnmarshalTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, &fault.Error{Kind: fault.Invalid, Detail: "must be an RFC 3339 time string"}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, &fault.Error{Kind: fault.Invalid, Detail: "must be an RFC 3339 time with a zone offset, e.g. 2025-07-01T00:00:00+07:00"}
	}
	return t, nil
}
