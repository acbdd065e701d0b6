package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"

	"github.com/go-playground/validator/v10"

	"github.com/dompet/wallet/adapters/httpapi"
	"github.com/dompet/wallet/domain/fault"
)

// Decode parses a JSON object body into dst and validates it. Every failure
// is a fault.Invalid naming the offending field where there is one.
func Decode(v *validator.Validate, body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return fault.Invalidf("body", "is empty; a JSON object is required")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(dst); err != nil {
		var typeErr *json.UnmarshalTypeError
		var syntaxErr *json.SyntaxError
		switch {
		case errors.As(err, &typeErr) && typeErr.Field != "" && typeErr.Type == moneyType:
			return fault.Invalidf(typeErr.Field, "must be a whole number of rupiah: digits or a JSON integer")
		case errors.As(err, &typeErr) && typeErr.Field != "":
			return fault.Invalidf(typeErr.Field, "must be a %s", jsonType(typeErr.Type))
		case errors.As(err, &typeErr):
			return fault.Invalidf("body", "must be a JSON object")
		case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
			return fault.Invalidf("body", "is not valid JSON")
		default:
			return fault.Invalidf("body", "is not valid JSON")
		}
	}
	if _, err := dec.Token(); err != io.EOF {
		return fault.Invalidf("body", "has data after the JSON object")
	}
	return httpapi.Validate(v, dst)
}

func jsonType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice, reflect.Array:
		return "array"
	}
	return "object"
}
