package bunstore_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/adapters/phone"
	"github.com/dompet/wallet/adapters/system"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/internal/testdb"
)

// TestClaimOfADeadProcess is the steal rule of ADR 0011 on both stores:
// two stores opened on one database stand for two processes. While the
// claiming process runs, a retry elsewhere waits (and answers 90); once it
// is gone the retry takes the claim over at once, and only one of two
// racing retries does.
func TestClaimOfADeadProcess(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		url := "sqlite:" + filepath.Join(t.TempDir(), "wallet.db")
		deadClaim(t, url)
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		deadClaim(t, testdb.SchemaURL(t))
	})
}

func deadClaim(t *testing.T, url string) {
	ctx := context.Background()
	first, closeFirst := openStore(t, url)
	hash := []byte("POST /bank-transfer\n{}")
	if replay, err := first.BeginIdempotent(ctx, "p1", "k1", hash); err != nil || replay != nil {
		t.Fatalf("first claim: %v %v", replay, err)
	}
	// A second process sees the first alive and waits for its answer
	// (here: until its context ends).
	second, closeSecond := openStore(t, url)
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	_, err := second.BeginIdempotent(short, "p1", "k1", hash)
	cancel()
	if fault.KindOf(err) != fault.Unavailable {
		t.Fatalf("retry while the holder lives: %v, want unavailable", err)
	}
	closeSecond()
	closeFirst() // the process dies: its session, and its lock, end

	retry, _ := openStore(t, url)
	// Two more processes race for the dead claim.
	racer, _ := openStore(t, url)
	type result struct {
		replay *app.StoredResponse
		err    error
	}
	start := time.Now()
	results := make(chan result, 2)
	for _, a := range []*app.App{retry, racer} {
		go func() {
			replay, err := a.BeginIdempotent(ctx, "p1", "k1", hash)
			results <- result{replay, err}
		}()
	}
	// One takes the claim over at once; the other sees a live holder (the
	// winner) and waits for its answer.
	won := <-results
	t.Logf("taken over %v after the first retry started", time.Since(start))
	if won.err != nil || won.replay != nil {
		t.Fatalf("retry after the holder died: %+v", won)
	}
	// The backend of the closed session may outlive the close by a moment,
	// and a loaded machine adds more; the old lease (30 s) is far away.
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("takeover took %v", d)
	}
	// Whichever won stores the answer; the holder is alive (both racers
	// are), so the loser replays it.
	if err := retry.FinishIdempotent(ctx, "p1", "k1", app.StoredResponse{Status: 200, Body: []byte("once")}); err != nil {
		t.Fatal(err)
	}
	select {
	case lost := <-results:
		if lost.err != nil || lost.replay == nil || string(lost.replay.Body) != "once" {
			t.Fatalf("the losing retry: %+v, want the winner's answer replayed", lost)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the losing retry never got the winner's answer")
	}
}

// openStore opens url as one more process would and returns its
// application and a function that closes it (the process's end).
func openStore(t *testing.T, url string) (*app.App, func()) {
	t.Helper()
	ctx := context.Background()
	db, cleanup, err := bunstore.Open(ctx, bunstore.Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx, nil); err != nil {
		cleanup()
		t.Fatal(err)
	}
	closed := false
	close := func() {
		if !closed {
			closed = true
			cleanup()
		}
	}
	t.Cleanup(close)
	cfg := app.DefaultConfig()
	cfg.IdempotencyWait = 10 * time.Second
	a := app.New(bunstore.NewUnitOfWork(db, nil, box(t)), system.Clock{}, system.NewULIDs(), phone.NewNormalizer(), box(t), cfg,
		slog.New(slog.DiscardHandler), app.Gateways{})
	return a, close
}
