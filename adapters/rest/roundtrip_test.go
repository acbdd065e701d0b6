package rest_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/internal/apptest"
	"github.com/dompet/wallet/internal/testdb"
)

// statements records the round trips a store makes to PostgreSQL
// (bunstore.DB.TraceStatements). River's own polling shares the pool and
// is left out.
type statements struct {
	mu  sync.Mutex
	on  bool
	sql []string
}

func (s *statements) add(query string) {
	if strings.HasPrefix(query, "SELECT pg_notify(") {
		// The change notification of the committed event (ADR 0013):
		// sent after the commit, on another connection, batched.
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.on && !strings.Contains(query, "river_") {
		s.sql = append(s.sql, query)
	}
}

// TestPaymentRoundTrips pins the round trips of a payment on PostgreSQL
// (ADR 0009, 0016): BEGIN with the one read that locks the pocket, then
// the one statement of writes (postings, balances, shard, transaction,
// event, stored answer) with COMMIT. It counts; it does not time anything.
func TestPaymentRoundTrips(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *bunstore.DB) {
		if db.Dialect != bunstore.Postgres {
			t.Skip("round trips matter on PostgreSQL only")
		}
		s := apptest.New(t, db, nil)
		c := newClient(s, "PARTNER")
		bank := newClient(s, "CHANNEL")
		register(t, c, "081300000095")
		expect(t, topUpVA(t, bank, "081300000095", 100000, "RT-1"), 200, 0)
		rec := &statements{}
		db.TraceStatements(rec.add)
		rec.mu.Lock()
		rec.on = true
		rec.mu.Unlock()
		expect(t, c.post("/wallet-payment/", `{"mobileNumber":"081300000095","amount":"1000","orderId":"RT-ORDER"}`), 200, 0)
		rec.mu.Lock()
		rec.on = false
		got := rec.sql
		rec.mu.Unlock()
		var statements int
		for _, q := range got {
			t.Logf("round trip: %.100s", strings.ReplaceAll(q, "\n", " "))
			statements += strings.Count(q, ";\n") + strings.Count(q, " AS (INSERT") + strings.Count(q, " AS (UPDATE") + 1
		}
		t.Logf("a payment: %d round trips, %d SQL statements, one transaction", len(got), statements)
		if len(got) != 2 || !strings.HasPrefix(got[0], "begin;\n") || !strings.Contains(got[0], "FOR UPDATE OF a") ||
			!strings.HasSuffix(got[1], ";\ncommit") {
			t.Fatalf("a payment took %d round trips, want 2: BEGIN with the locking read, the writes with COMMIT", len(got))
		}
	})
}
