package graph_test

import (
	"net/http"
	"strings"
	"testing"
)

// introspectionQuery is what GraphiQL (graphql-js getIntrospectionQuery)
// sends when the playground opens: it must fit the default limit, or the
// playground and partners' code generators lose the schema.
const introspectionQuery = `query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}`

// TestDefaultComplexityLimit: with the default limit (one point per
// field), a document that multiplies work with aliases or nesting is
// refused before any resolver runs, while the playground's introspection
// and an ordinary screen's query pass.
func TestDefaultComplexityLimit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, noFault)
	p := f.partner("ojek")
	var wide strings.Builder
	wide.WriteString("{")
	for i := range 120 {
		wide.WriteString(" a")
		wide.WriteString(strings.Repeat("x", i%7))
		wide.WriteString(string(rune('a' + i%26)))
		wide.WriteString(string(rune('a' + i/26)))
		wide.WriteString(": banks { code name }")
	}
	wide.WriteString(" }")
	f.post(as{partner: &p}, wide.String(), nil).wantError(t, http.StatusOK, "COMPLEXITY_LIMIT_EXCEEDED", 10)

	if r := f.post(as{partner: &p}, introspectionQuery, nil); len(r.Errors) != 0 || r.status != http.StatusOK {
		t.Fatalf("introspection refused: %s", r.raw)
	}
	if r := f.post(as{partner: &p}, `{ banks { code name } }`, nil); len(r.Errors) != 0 {
		t.Fatalf("banks refused: %s", r.raw)
	}
}
