package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/dompet/wallet/domain/kyc"
)

type kycRow struct {
	bun.BaseModel `bun:"table:kyc_submissions"`
	ID            string       `bun:"id,pk"`
	CustomerID    string       `bun:"customer_id"`
	NIKSealed     []byte       `bun:"nik_sealed"`
	NIKLast4      string       `bun:"nik_last4"`
	FullName      string       `bun:"full_name"`
	BirthDate     time.Time    `bun:"birth_date"`
	Status        string       `bun:"status"`
	Reason        string       `bun:"reason"`
	SubmittedAt   time.Time    `bun:"submitted_at"`
	DecidedAt     sql.NullTime `bun:"decided_at"`
}

type kycRepo struct{ store }

var _ kyc.Repository = kycRepo{}

func (r kycRepo) Add(ctx context.Context, s *kyc.Submission) error {
	if r.box == nil {
		return errors.New("bunstore: KYC needs a secret box")
	}
	nik := s.NIK().String()
	sealed, err := r.box.Seal([]byte(nik))
	if err != nil {
		return err
	}
	row := &kycRow{ID: s.ID(), CustomerID: s.CustomerID(), NIKSealed: sealed, NIKLast4: nik[len(nik)-4:],
		FullName: s.FullName(), BirthDate: utc(s.BirthDate()), Status: string(s.Status()), Reason: s.Reason(),
		SubmittedAt: utc(s.SubmittedAt())}
	if !s.DecidedAt().IsZero() {
		row.DecidedAt = sql.NullTime{Time: utc(s.DecidedAt()), Valid: true}
	}
	_, err = r.db.NewInsert().Model(row).Exec(ctx)
	return err
}

func (r kycRepo) Latest(ctx context.Context, customerID string) (*kyc.Submission, error) {
	row := new(kycRow)
	err := r.db.NewSelect().Model(row).Where("customer_id = ?", customerID).
		Order("submitted_at DESC", "id DESC").Limit(1).Scan(ctx)
	if err != nil {
		return nil, one(err, kyc.ErrNotFound)
	}
	return r.toDomain(row)
}

// toDomain opens the sealed NIK.
func (r kycRepo) toDomain(row *kycRow) (*kyc.Submission, error) {
	if r.box == nil {
		return nil, errors.New("bunstore: KYC needs a secret box")
	}
	nik, err := r.box.Open(row.NIKSealed)
	if err != nil {
		return nil, fmt.Errorf("open NIK of KYC submission %s: %w", row.ID, err)
	}
	var decided time.Time
	if row.DecidedAt.Valid {
		decided = row.DecidedAt.Time
	}
	return kyc.Rehydrate(kyc.Snapshot{ID: row.ID, CustomerID: row.CustomerID, NIK: string(nik), FullName: row.FullName,
		Reason: row.Reason, BirthDate: row.BirthDate, Status: kyc.Status(row.Status), SubmittedAt: row.SubmittedAt,
		DecidedAt: decided}), nil
}

func (r kycRepo) Update(ctx context.Context, s *kyc.Submission) error {
	var decided sql.NullTime
	if !s.DecidedAt().IsZero() {
		decided = sql.NullTime{Time: utc(s.DecidedAt()), Valid: true}
	}
	res, err := r.db.NewUpdate().Model((*kycRow)(nil)).Set("status = ?", string(s.Status())).Set("reason = ?", s.Reason()).
		Set("decided_at = ?", decided).Where("id = ? AND status = ?", s.ID(), string(kyc.StatusPending)).Exec(ctx)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	exists, err := r.db.NewSelect().Model((*kycRow)(nil)).Where("id = ?", s.ID()).Exists(ctx)
	if err != nil {
		return err
	}
	if exists {
		return kyc.ErrAlreadyDecided
	}
	return kyc.ErrNotFound
}
