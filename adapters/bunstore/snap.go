package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/dompet/wallet/app"
)

type snapTokenRow struct {
	bun.BaseModel `bun:"table:snap_tokens"`
	TokenHash     []byte    `bun:"token_hash,pk"`
	PartnerID     string    `bun:"partner_id"`
	CreatedAt     time.Time `bun:"created_at"`
	ExpiresAt     time.Time `bun:"expires_at"`
}

type snapTokenRepo struct{ store }

var _ app.SNAPTokenStore = snapTokenRepo{}

func (r snapTokenRepo) Add(ctx context.Context, t app.SNAPToken) error {
	_, err := r.db.NewInsert().Model(&snapTokenRow{TokenHash: t.Hash, PartnerID: t.PartnerID,
		CreatedAt: utc(t.CreatedAt), ExpiresAt: utc(t.ExpiresAt)}).Exec(ctx)
	return err
}

func (r snapTokenRepo) ByHash(ctx context.Context, hash []byte) (app.SNAPToken, error) {
	row := new(snapTokenRow)
	err := r.db.NewSelect().Model(row).Where("token_hash = ?", hash).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return app.SNAPToken{}, app.ErrSNAPTokenNotFound
	}
	if err != nil {
		return app.SNAPToken{}, err
	}
	return app.SNAPToken{Hash: row.TokenHash, PartnerID: row.PartnerID, CreatedAt: row.CreatedAt, ExpiresAt: row.ExpiresAt}, nil
}

func (r snapTokenRepo) DeleteExpired(ctx context.Context, partnerID string, now time.Time) error {
	_, err := r.db.NewDelete().Model((*snapTokenRow)(nil)).
		Where("partner_id = ? AND expires_at < ?", partnerID, utc(now)).Exec(ctx)
	return err
}
