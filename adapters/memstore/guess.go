package memstore

import (
	"context"
	"time"

	"github.com/dompet/wallet/app"
)

type guess struct {
	partnerID, source string
	at                time.Time
}

var _ app.GuessStore = guessRepo{}

type guessRepo struct{ *tx }

func (r guessRepo) Add(ctx context.Context, partnerID, source string, at time.Time) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	r.st.guesses = append(r.st.guesses, guess{partnerID: partnerID, source: source, at: at})
	return nil
}

func (r guessRepo) Count(ctx context.Context, partnerID, source string, since time.Time) (byPartner, bySource int, err error) {
	if err := r.check(ctx); err != nil {
		return 0, 0, err
	}
	for _, g := range r.st.guesses {
		if g.at.Before(since) {
			continue
		}
		if g.partnerID == partnerID {
			byPartner++
		}
		if source != "" && g.source == source {
			bySource++
		}
	}
	return byPartner, bySource, nil
}

func (r guessRepo) Purge(ctx context.Context, before time.Time) (int, error) {
	if err := r.check(ctx); err != nil {
		return 0, err
	}
	kept := r.st.guesses[:0]
	for _, g := range r.st.guesses {
		if !g.at.Before(before) {
			kept = append(kept, g)
		}
	}
	n := len(r.st.guesses) - len(kept)
	r.st.guesses = kept
	return n, nil
}
