package graph

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/dompet/wallet/graph/model"
)

// No schema input takes Money yet, so the scalar's error is checked at the
// presenter: the field comes from the GraphQL path.
func TestPresenterNamesTheFieldOfAScalarError(t *testing.T) {
	t.Parallel()
	var m model.Money
	err := m.UnmarshalGQL("1.5")
	if err == nil {
		t.Fatal("UnmarshalGQL accepted a fraction")
	}
	path := ast.Path{ast.PathName("walletPayment"), ast.PathName("input"), ast.PathName("amount")}
	present := presenter(slog.New(slog.NewTextHandler(io.Discard, nil)))

	for _, tc := range []struct {
		name string
		ctx  context.Context
		want string
	}{
		{"english", context.Background(), "Invalid request: amount must be a whole, non-negative number of rupiah, written as digits"},
		{"indonesian", withIndonesian(context.Background(), true), "Permintaan tidak valid: amount must be a whole, non-negative number of rupiah, written as digits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := present(tc.ctx, gqlerror.WrapPath(path, err))
			if got.Message != tc.want {
				t.Errorf("message = %q, want %q", got.Message, tc.want)
			}
			if got.Extensions["code"] != "INVALID_REQUEST" || got.Extensions["legacyCode"] != 10 {
				t.Errorf("extensions = %v", got.Extensions)
			}
			if got.Path.String() != path.String() {
				t.Errorf("path = %s, want %s", got.Path, path)
			}
		})
	}
}

func TestPresenterHidesUnclassifiedErrors(t *testing.T) {
	t.Parallel()
	present := presenter(slog.New(slog.NewTextHandler(io.Discard, nil)))
	got := present(context.Background(), errors.New("pq: relation \"secret_table\" does not exist"))
	if got.Message != "Internal error" || got.Extensions["code"] != "INTERNAL" || got.Extensions["legacyCode"] != 99 || got.Err != nil {
		t.Fatalf("presented %+v", got)
	}
}
