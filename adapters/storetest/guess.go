package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/dompet/wallet/app"
)

func countGuesses(t *testing.T, uow app.UnitOfWork, partnerID, source string, since time.Time) (byPartner, bySource int) {
	t.Helper()
	do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
		byPartner, bySource, err = r.Guesses.Count(ctx, partnerID, source, since)
		return err
	})
	return byPartner, bySource
}

var guessCases = []testCase{
	{"wrong codes count per partner and per source since a moment", func(t *testing.T, uow app.UnitOfWork) {
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			for _, g := range []struct {
				p, s string
				d    time.Duration
			}{{"p1", "10.0.0.1", -time.Hour}, {"p1", "10.0.0.1", 0}, {"p1", "10.0.0.2", time.Second}, {"p2", "10.0.0.1", 2 * time.Second}, {"p2", "", 3 * time.Second}} {
				if err := r.Guesses.Add(ctx, g.p, g.s, at(g.d)); err != nil {
					return err
				}
			}
			return nil
		})
		p, s := countGuesses(t, uow, "p1", "10.0.0.1", at(0))
		eq(t, "p1 since 0", p, 2)
		eq(t, "10.0.0.1 since 0", s, 2)
		p, s = countGuesses(t, uow, "p2", "", at(0))
		eq(t, "p2 since 0", p, 2)
		eq(t, "empty source", s, 0)
		p, s = countGuesses(t, uow, "p1", "10.0.0.1", at(-2*time.Hour))
		eq(t, "p1 since -2h", p, 3)
		eq(t, "10.0.0.1 since -2h", s, 3)
	}},
	{"purge deletes only records older than the cut", func(t *testing.T, uow app.UnitOfWork) {
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			for _, d := range []time.Duration{-2 * time.Hour, -time.Hour, 0} {
				if err := r.Guesses.Add(ctx, "p", "s", at(d)); err != nil {
					return err
				}
			}
			return nil
		})
		var n int
		do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
			n, err = r.Guesses.Purge(ctx, at(-30*time.Minute))
			return err
		})
		eq(t, "purged", n, 2)
		p, _ := countGuesses(t, uow, "p", "s", at(-3*time.Hour))
		eq(t, "left", p, 1)
	}},
}
