package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dompet/wallet/app"
)

func TestIdempotency(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	hash := []byte("request-1")

	t.Run("first claims, repeat replays, other body conflicts", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		replay, err := f.app.BeginIdempotent(ctx, "p1", "k1", hash)
		if err != nil || replay != nil {
			t.Fatalf("first: %v, %v", replay, err)
		}
		if err := f.app.FinishIdempotent(ctx, "p1", "k1", app.StoredResponse{Status: 200, Body: []byte(`{"responseId":"r1"}`)}); err != nil {
			t.Fatal(err)
		}
		replay, err = f.app.BeginIdempotent(ctx, "p1", "k1", hash)
		if err != nil || replay == nil || replay.Status != 200 || string(replay.Body) != `{"responseId":"r1"}` {
			t.Fatalf("repeat: %+v, %v", replay, err)
		}
		if _, err := f.app.BeginIdempotent(ctx, "p1", "k1", []byte("other")); !errors.Is(err, app.ErrIdempotencyConflict) {
			t.Fatalf("other body: %v", err)
		}
		if replay, err := f.app.BeginIdempotent(ctx, "p2", "k1", []byte("other")); err != nil || replay != nil {
			t.Fatalf("same key, other partner: %v, %v", replay, err)
		}
	})
	t.Run("duplicate in flight waits then answers still processing", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		if _, err := f.app.BeginIdempotent(ctx, "p1", "k1", hash); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if _, err := f.app.BeginIdempotent(ctx, "p1", "k1", hash); !errors.Is(err, app.ErrStillProcessing) {
			t.Fatalf("in flight: %v", err)
		}
		if time.Since(start) < 150*time.Millisecond {
			t.Fatal("did not wait for the first request")
		}
	})
	t.Run("duplicate in flight gets the first answer when it lands", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		if _, err := f.app.BeginIdempotent(ctx, "p1", "k1", hash); err != nil {
			t.Fatal(err)
		}
		go func() {
			time.Sleep(30 * time.Millisecond)
			_ = f.app.FinishIdempotent(ctx, "p1", "k1", app.StoredResponse{Status: 200, Body: []byte("x")})
		}()
		replay, err := f.app.BeginIdempotent(ctx, "p1", "k1", hash)
		if err != nil || replay == nil || string(replay.Body) != "x" {
			t.Fatalf("%+v, %v", replay, err)
		}
	})
	t.Run("server error releases the key for a retry", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		if _, err := f.app.BeginIdempotent(ctx, "p1", "k1", hash); err != nil {
			t.Fatal(err)
		}
		if err := f.app.FinishIdempotent(ctx, "p1", "k1", app.StoredResponse{Status: 503, Body: []byte("busy")}); err != nil {
			t.Fatal(err)
		}
		if replay, err := f.app.BeginIdempotent(ctx, "p1", "k1", hash); err != nil || replay != nil {
			t.Fatalf("retry after 503: %+v, %v", replay, err)
		}
	})
	t.Run("a live holder keeps its claim past the lease", func(t *testing.T) {
		// ADR 0011: only a dead holder's claim is taken over (the store
		// tells; adapters/bunstore TestClaimOfADeadProcess), never a slow
		// live one's.
		t.Parallel()
		f := newFixture(t)
		if _, err := f.app.BeginIdempotent(ctx, "p1", "k1", hash); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(f.cfg.IdempotencyLease)
		short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		if replay, err := f.app.BeginIdempotent(short, "p1", "k1", hash); err == nil {
			t.Fatalf("retry past the lease took the live claim over (replay %+v)", replay)
		}
	})
}
