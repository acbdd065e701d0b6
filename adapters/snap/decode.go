package snap

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/go-playground/validator/v10"

	"github.com/dompet/wallet/domain/fault"
)

// decode parses a JSON object body into dst and validates its tags: a
// missing required field is 400xx02 naming it, anything else wrong 400xx01
// naming it, a body that is no JSON object 400xx00. An empty body is an
// empty object, so that the missing fields are named.
func decode(v *validator.Validate, body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return fault.Invalidf(te.Field, "has the wrong type")
		}
		return errBadRequest
	}
	if _, err := dec.Token(); err != io.EOF {
		return errBadRequest
	}
	if err := v.Struct(dst); err != nil {
		var ve validator.ValidationErrors
		if !errors.As(err, &ve) || len(ve) == 0 {
			return errBadRequest
		}
		fe := ve[0]
		// The namespace starts with the Go type name; the rest is the
		// JSON path.
		_, field, _ := strings.Cut(fe.Namespace(), ".")
		if fe.Tag() == "required" {
			return mandatory(field)
		}
		return fault.Invalidf(field, "is not valid (%s)", fe.Tag())
	}
	return nil
}
