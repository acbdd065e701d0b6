package snap

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/dompet/wallet/adapters/apidoc"
)

// TestOpenAPIListsEveryService: the document's SNAP paths are the
// router's, one operation each, and the part builds into a document.
func TestOpenAPIListsEveryService(t *testing.T) {
	t.Parallel()
	part := OpenAPI()
	var s Server
	want := map[string]bool{Prefix + "/access-token/b2b": true}
	for _, svc := range s.services() {
		want[Prefix+"/"+svc.path] = true
	}
	got := map[string]bool{}
	for _, op := range part.Operations {
		if op.Method != "POST" {
			t.Errorf("%s %s: SNAP services are POST", op.Method, op.Path)
		}
		got[op.Path] = true
	}
	for p := range want {
		if !got[p] {
			t.Errorf("%s is served but not documented", p)
		}
	}
	for p := range got {
		if !want[p] {
			t.Errorf("%s is documented but not served", p)
		}
	}
	doc, err := apidoc.Build(apidoc.Info{Title: "t", Version: "1"}, part)
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := openapi3.NewLoader().LoadFromData(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := loaded.Validate(context.Background()); err != nil {
		t.Fatalf("the SNAP part is not valid OpenAPI: %v", err)
	}
	var d struct {
		Paths map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(doc, &d); err != nil || len(d.Paths) != len(want) {
		t.Fatalf("paths in document: %d, want %d (err %v)", len(d.Paths), len(want), err)
	}
}
