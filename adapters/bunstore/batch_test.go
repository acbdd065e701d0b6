package bunstore

import (
	"slices"
	"testing"
)

func TestCombine(t *testing.T) {
	t.Parallel()
	ws := []write{
		{sql: "INSERT INTO a (x, y) VALUES ($1, $2)", args: []any{1, 2}, table: "a"},
		{sql: "UPDATE b SET x = $1 WHERE id = $2", args: []any{3, "b1"}, table: "b", updates: true},
		{sql: "INSERT INTO c (x) VALUES ($1)", args: []any{4}, table: "c"},
	}
	want := "WITH w0 AS (INSERT INTO a (x, y) VALUES ($1, $2)), w1 AS (UPDATE b SET x = $3 WHERE id = $4)\nINSERT INTO c (x) VALUES ($5)"
	for range 2 { // built, then remembered
		q, args := combine(ws)
		if q != want {
			t.Fatalf("combined:\n%s\nwant:\n%s", q, want)
		}
		if !slices.Equal(args, []any{1, 2, 3, "b1", 4}) {
			t.Fatalf("args %v", args)
		}
	}
	if q, args := combine(ws[2:]); q != ws[2].sql || len(args) != 1 {
		t.Fatalf("a single statement is sent as it is: %s %v", q, args)
	}
}
