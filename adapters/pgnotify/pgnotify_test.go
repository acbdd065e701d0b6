package pgnotify_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/adapters/jobs"
	"github.com/dompet/wallet/adapters/pgnotify"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/internal/testdb"
)

// wait bounds every notification in these tests: they arrive in
// milliseconds; the rest is slack for a loaded CI machine.
const wait = 5 * time.Second

// migrated returns the URL of a fresh migrated schema and a pool on it.
func migrated(t *testing.T) (string, *bunstore.DB) {
	t.Helper()
	url := testdb.SchemaURL(t)
	ctx := context.Background()
	db, cleanup, err := bunstore.Open(ctx, bunstore.Config{URL: url, MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cleanup)
	if err := db.Migrate(ctx, func(ctx context.Context) error { return jobs.Migrate(ctx, db) }); err != nil {
		t.Fatal(err)
	}
	return url, db
}

func exec(t *testing.T, db *bunstore.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.SQL().ExecContext(context.Background(), query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// start runs l until the test ends and waits for it to listen.
func start(t *testing.T, l *pgnotify.Listener) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { l.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	waitFor(t, "the listener to connect", func() bool { return l.Connections() > 0 })
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func received(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(wait):
		t.Fatalf("no wakeup: %s", what)
	}
}

func silent(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
		t.Fatalf("unexpected wakeup: %s", what)
	case <-time.After(50 * time.Millisecond):
	}
}

func drain(c <-chan struct{}) {
	select {
	case <-c:
	default:
	}
}

func TestCommittedChangesReachTheListener(t *testing.T) {
	t.Parallel()
	url, db := migrated(t)
	changed := make(chan string, 10)
	resyncs := make(chan struct{}, 10)
	l := pgnotify.New(pgnotify.Config{URL: url, Poll: time.Hour}, quiet())
	l.OnPartner(func(id string) { changed <- id })
	l.OnResync(func() { resyncs <- struct{}{} })
	events, auth, stop := l.Watch("P1", "C1")
	defer stop()
	otherEvents, _, stopOther := l.Watch("P2", "C2")
	defer stopOther()
	start(t, l)
	received(t, resyncs, "resync after connecting")
	drain(events)
	drain(auth)
	drain(otherEvents)

	t.Run("partner", func(t *testing.T) {
		exec(t, db, `INSERT INTO partners (id, name, role, sealed_secret, created_at) VALUES ('P1', 'Shop', 'PARTNER', '\x00', now())`)
		exec(t, db, `UPDATE partners SET disabled = true WHERE id = 'P1'`)
		for range 2 {
			select {
			case id := <-changed:
				if id != "P1" {
					t.Fatalf("changed partner %q, want P1", id)
				}
			case <-time.After(wait):
				t.Fatal("partner change not notified")
			}
		}
		received(t, auth, "the subscriber's partner changed")
	})

	t.Run("rolled back change", func(t *testing.T) {
		tx, err := db.SQL().Begin()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(`UPDATE partners SET disabled = false WHERE id = 'P1'`); err != nil {
			t.Fatal(err)
		}
		_ = tx.Rollback()
		select {
		case id := <-changed:
			t.Fatalf("rolled-back change of %s notified", id)
		case <-time.After(100 * time.Millisecond):
		}
	})

	t.Run("event", func(t *testing.T) {
		drain(auth)
		// Through the store, which notifies after the commit.
		err := bunstore.NewUnitOfWork(db, nil, nil).Do(context.Background(), func(ctx context.Context, r app.Repos) error {
			return r.Events.Add(ctx, app.Event{ID: "E1", PartnerID: "P1", CustomerID: "C9", CounterpartyID: "C1", ReffID: "R1",
				Type: app.EventTransactionUpdated, Payload: []byte("{}"), Status: app.EventPending, CreatedAt: time.Now()})
		})
		if err != nil {
			t.Fatal(err)
		}
		received(t, events, "event of which the subscriber is the counterparty")
		silent(t, otherEvents, "event of another customer")
		silent(t, auth, "an event is no auth change")
	})

	t.Run("session revoked", func(t *testing.T) {
		exec(t, db, `INSERT INTO customers (id, mobile, first_name, status, account_type, kyc_status, created_at, updated_at)
			VALUES ('C1', '+6281200000001', 'Budi', 'ACTIVE', 'BASIC', 'NONE', now(), now())`)
		exec(t, db, `INSERT INTO sessions (id, token_hash, partner_id, customer_id, created_at, expires_at)
			VALUES ('S1', '\x01', 'P1', 'C1', now(), now() + interval '1 hour')`)
		silent(t, auth, "a new session is no revocation")
		exec(t, db, `UPDATE sessions SET revoked_at = now() WHERE id = 'S1'`)
		received(t, auth, "the customer's session was revoked")
	})

	t.Run("reconnect resyncs", func(t *testing.T) {
		drain(events)
		// The listener's backend: its last statement names this schema's
		// channel, so other tests' listeners are left alone.
		waitFor(t, "a reconnection", func() bool {
			if l.Connections() > 1 {
				return true
			}
			exec(t, db, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
				WHERE pid <> pg_backend_pid() AND query = 'LISTEN "wallet:' || current_schema() || '"'`)
			time.Sleep(50 * time.Millisecond)
			return false
		})
		received(t, resyncs, "resync after the reconnection")
		received(t, events, "catch-up read after the reconnection")
	})
}

func TestWatchersPollWhileTheDatabaseIsUnreachable(t *testing.T) {
	t.Parallel()
	l := pgnotify.New(pgnotify.Config{URL: "postgres://postgres@127.0.0.1:1/none?connect_timeout=1", Poll: 20 * time.Millisecond,
		Recheck: time.Hour}, quiet())
	events, auth, stop := l.Watch("P1", "C1")
	defer stop()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { l.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	for range 3 {
		received(t, events, "a polling wakeup")
	}
	silent(t, auth, "no token check before Recheck")
	if l.Live() {
		t.Fatal("live without a database")
	}
}
