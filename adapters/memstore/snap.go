package memstore

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/dompet/wallet/app"
)

var _ app.SNAPTokenStore = snapTokenRepo{}

type snapTokenRepo struct{ *tx }

func (r snapTokenRepo) Add(ctx context.Context, t app.SNAPToken) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	if _, ok := r.st.snapTokens[string(t.Hash)]; ok {
		return fmt.Errorf("memstore: snap token already stored")
	}
	t.Hash = bytes.Clone(t.Hash)
	r.st.snapTokens[string(t.Hash)] = t
	return nil
}

func (r snapTokenRepo) ByHash(ctx context.Context, hash []byte) (app.SNAPToken, error) {
	if err := r.check(ctx); err != nil {
		return app.SNAPToken{}, err
	}
	t, ok := r.st.snapTokens[string(hash)]
	if !ok {
		return app.SNAPToken{}, app.ErrSNAPTokenNotFound
	}
	t.Hash = bytes.Clone(t.Hash)
	return t, nil
}

func (r snapTokenRepo) DeleteExpired(ctx context.Context, partnerID string, now time.Time) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	for k, t := range r.st.snapTokens {
		if t.PartnerID == partnerID && t.ExpiresAt.Before(now) {
			delete(r.st.snapTokens, k)
		}
	}
	return nil
}
