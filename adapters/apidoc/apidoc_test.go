package apidoc_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/dompet/wallet/adapters/apidoc"
)

type amount int64

func (amount) OpenAPISchema() map[string]any {
	return map[string]any{"type": "string", "pattern": "^[0-9]+$"}
}

type sample struct {
	Mobile  string `json:"mobileNumber" validate:"required,max=20"`
	OTP     string `json:"otp" validate:"required,len=6,numeric"`
	Purpose string `json:"purpose" validate:"omitempty,oneof=LOGIN REGISTRATION"`
	Amount  amount `json:"amount" validate:"required"`
	Note    string `json:"-"`
	hidden  string
}

func TestSchemaFromTags(t *testing.T) {
	t.Parallel()
	s, err := apidoc.SchemaOf(reflect.TypeOf(sample{}))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(s)
	for _, want := range []string{
		`"required":["mobileNumber","otp","amount"]`,
		`"mobileNumber":{"maxLength":20,"type":"string"}`,
		`"otp":{"maxLength":6,"minLength":6,"pattern":"^[0-9]*$","type":"string"}`,
		`"purpose":{"enum":["LOGIN","REGISTRATION"],"type":"string"}`,
		`"amount":{"pattern":"^[0-9]+$","type":"string"}`,
	} {
		if !strings.Contains(string(got), want) {
			t.Errorf("schema lacks %s: %s", want, got)
		}
	}
	if strings.Contains(string(got), "Note") || strings.Contains(string(got), "hidden") {
		t.Errorf("schema shows an unserialised field: %s", got)
	}
}

func TestAnOperationDescribedTwiceFails(t *testing.T) {
	t.Parallel()
	op := apidoc.Operation{Method: "GET", Path: "/banks/", ID: "banks", Responses: map[string]string{"200": "Envelope"}}
	if _, err := apidoc.Build(apidoc.Info{}, apidoc.Part{Operations: []apidoc.Operation{op}}, apidoc.Part{Operations: []apidoc.Operation{op}}); err == nil {
		t.Fatal("two parts describing GET /banks/ built a document")
	}
}
