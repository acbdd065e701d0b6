package metrics

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// GraphQL returns the gqlgen extension counting operations by root field.
// The client's operation name is not used: it is free text, unbounded and
// the client's to choose; root fields are the schema's.
func (m *Metrics) GraphQL() graphql.HandlerExtension { return gqlExtension{m} }

type gqlExtension struct{ m *Metrics }

func (gqlExtension) ExtensionName() string                   { return "WalletMetrics" }
func (gqlExtension) Validate(graphql.ExecutableSchema) error { return nil }

func (e gqlExtension) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if !graphql.HasOperationContext(ctx) {
		return resp
	}
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil {
		return resp
	}
	outcome := "ok"
	if resp != nil && len(resp.Errors) > 0 {
		outcome = "error"
	}
	for _, sel := range oc.Operation.SelectionSet {
		// Only fields the schema defines: an invalid query's names are
		// whatever the client wrote.
		if f, ok := sel.(*ast.Field); ok && f.Definition != nil {
			e.m.graphql.WithLabelValues(f.Name, string(oc.Operation.Operation), outcome).Inc()
		}
	}
	return resp
}
