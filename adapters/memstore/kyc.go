package memstore

import (
	"context"
	"fmt"
	"time"

	"github.com/dompet/wallet/domain/kyc"
)

var _ kyc.Repository = kycRepo{}

// kycRepo does not check that the customer exists.
type kycRepo struct{ *tx }

func (r kycRepo) Add(ctx context.Context, s *kyc.Submission) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	if r.find(s.ID()) >= 0 {
		return fmt.Errorf("memstore: KYC submission %q already exists", s.ID())
	}
	r.st.kyc = append(r.st.kyc, copySubmission(s, s.Status(), s.Reason(), s.DecidedAt()))
	return nil
}

// Latest breaks ties in submission time in favour of the last added one.
func (r kycRepo) Latest(ctx context.Context, customerID string) (*kyc.Submission, error) {
	if err := r.check(ctx); err != nil {
		return nil, err
	}
	var latest *kyc.Submission
	for _, s := range r.st.kyc {
		if s.CustomerID() == customerID && (latest == nil || !s.SubmittedAt().Before(latest.SubmittedAt())) {
			latest = s
		}
	}
	if latest == nil {
		return nil, kyc.ErrNotFound
	}
	return copySubmission(latest, latest.Status(), latest.Reason(), latest.DecidedAt()), nil
}

// Update saves status, reason and decision time only, and only while the
// stored submission is pending: kyc.ErrAlreadyDecided otherwise.
func (r kycRepo) Update(ctx context.Context, s *kyc.Submission) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	i := r.find(s.ID())
	if i < 0 {
		return kyc.ErrNotFound
	}
	old := r.st.kyc[i]
	if old.Status() != kyc.StatusPending {
		return kyc.ErrAlreadyDecided
	}
	r.st.kyc[i] = copySubmission(old, s.Status(), s.Reason(), s.DecidedAt())
	return nil
}

func (r kycRepo) find(id string) int {
	for i, s := range r.st.kyc {
		if s.ID() == id {
			return i
		}
	}
	return -1
}

func copySubmission(s *kyc.Submission, status kyc.Status, reason string, decidedAt time.Time) *kyc.Submission {
	return kyc.Rehydrate(kyc.Snapshot{
		ID: s.ID(), CustomerID: s.CustomerID(), NIK: s.NIK().String(), FullName: s.FullName(), Reason: reason,
		BirthDate: s.BirthDate(), Status: status, SubmittedAt: s.SubmittedAt(), DecidedAt: decidedAt,
	})
}
