package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"

	"github.com/go-playground/validator/v10"

	"github.com/dompet/wallet/domain/fault"
)

// NewValidator is the process's one validator: field errors name the JSON
// field, not the Go one.
func NewValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		if name == "" {
			return f.Name
		}
		return name
	})
	return v
}

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
	return Validate(v, dst)
}

// Validate runs the struct's validate tags.
func Validate(v *validator.Validate, dst any) error {
	err := v.Struct(dst)
	var ves validator.ValidationErrors
	if errors.As(err, &ves) && len(ves) > 0 {
		fe := ves[0]
		return fault.Invalidf(fe.Field(), "%s", describeTag(fe))
	}
	if err != nil {
		return fault.Invalidf("body", "is invalid")
	}
	return nil
}

func describeTag(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		if fe.Kind() == reflect.Int64 && fe.Type().Name() == "Money" {
			// An amount "fails required" when it is 0 as well as when it
			// is missing: say what is wanted (rest.Money, model.Money).
			return "must be a positive whole number of rupiah"
		}
		return "is required"
	case "max":
		return "must be at most " + fe.Param() + " characters"
	case "min":
		return "must be at least " + fe.Param() + " characters"
	case "len":
		return "must be exactly " + fe.Param() + " characters"
	case "numeric":
		return "must contain digits only"
	case "email":
		return "must be an e-mail address"
	case "oneof":
		return "must be one of " + fe.Param()
	}
	return "is invalid (" + fe.Tag() + ")"
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
