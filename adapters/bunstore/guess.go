package bunstore

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/dompet/wallet/app"
)

type guessRow struct {
	bun.BaseModel `bun:"table:otp_guesses"`
	ID            int64     `bun:"id,pk,autoincrement"`
	PartnerID     string    `bun:"partner_id"`
	Source        string    `bun:"source"`
	At            time.Time `bun:"at"`
}

type guessRepo struct{ store }

var _ app.GuessStore = guessRepo{}

func (r guessRepo) Add(ctx context.Context, partnerID, source string, at time.Time) error {
	_, err := r.db.NewInsert().Model(&guessRow{PartnerID: partnerID, Source: source, At: utc(at)}).Exec(ctx)
	return err
}

func (r guessRepo) Count(ctx context.Context, partnerID, source string, since time.Time) (byPartner, bySource int, err error) {
	p, err := r.db.NewSelect().Model((*guessRow)(nil)).
		Where("partner_id = ? AND at >= ?", partnerID, utc(since)).Count(ctx)
	if err != nil || source == "" {
		return int(p), 0, err
	}
	s, err := r.db.NewSelect().Model((*guessRow)(nil)).
		Where("source = ? AND at >= ?", source, utc(since)).Count(ctx)
	return int(p), int(s), err
}

func (r guessRepo) Purge(ctx context.Context, before time.Time) (int, error) {
	res, err := r.db.NewDelete().Model((*guessRow)(nil)).Where("at < ?", utc(before)).Exec(ctx)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
