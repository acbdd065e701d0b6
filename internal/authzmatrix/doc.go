// Package authzmatrix holds the authorization matrix test (issue 9, item
// 3): every route of the legacy REST door and the SNAP door, read from
// their routers, and every GraphQL root field, read from the schema, has a
// row saying who may call it and what a second partner gets when it names
// another partner's customer, transaction, order or cash-out. The package
// has no code of its own; see matrix_test.go.
package authzmatrix
