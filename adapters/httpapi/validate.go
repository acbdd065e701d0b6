package httpapi

import (
	"errors"
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
