package main

import (
	"github.com/dompet/wallet/adapters/apidoc"
	"github.com/dompet/wallet/adapters/rest"
	"github.com/dompet/wallet/adapters/snap"
)

// apiDocument is the OpenAPI document served at /openapi.json.
type apiDocument []byte

// provideAPIDocument puts together the OpenAPI parts of the HTTP doors.
// A new door adds its part here.
func provideAPIDocument() (apiDocument, error) {
	return apidoc.Build(apidoc.Info{
		Title:   "Wallet platform",
		Version: "1",
		Description: "The partner REST door (SPEC §2–§4). Every POST needs X-EXTERNAL-ID; every call is signed " +
			"(X-PARTNER-ID, X-TIMESTAMP, X-SIGNATURE). Trailing slashes are optional. GraphQL is at /graphql (playground: /playground). " +
			"The SNAP BI door is under /snap/v1.0 (tag SNAP).",
	}, rest.OpenAPI(), snap.OpenAPI())
}
