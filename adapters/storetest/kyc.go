package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/kyc"
)

// NIKs of a man and a woman born on 17 August 1990 in Kota Bandung.
const (
	manNIK   = "3273011708900001"
	womanNIK = "3273015708900002"
)

var bornOn = time.Date(1990, 8, 17, 0, 0, 0, 0, time.UTC)

func mustNIK(t *testing.T, s string) kyc.NIK {
	t.Helper()
	n, err := kyc.ParseNIK(s)
	if err != nil {
		t.Fatalf("NIK fixture: %v", err)
	}
	return n
}

// newSubmission returns a pending submission that is not stored yet.
func newSubmission(t *testing.T, customerID string, submittedAt time.Time) *kyc.Submission {
	t.Helper()
	s, err := kyc.Submit(newID("kyc"), customerID, mustNIK(t, manNIK), "Budi Santoso", bornOn, submittedAt)
	if err != nil {
		t.Fatalf("submission fixture: %v", err)
	}
	return s
}

func addSubmissions(t *testing.T, uow app.UnitOfWork, ss ...*kyc.Submission) {
	t.Helper()
	for _, s := range ss {
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.KYC.Add(ctx, s) })
	}
}

func latestSubmission(t *testing.T, uow app.UnitOfWork, customerID string) *kyc.Submission {
	t.Helper()
	var got *kyc.Submission
	do(t, uow, func(ctx context.Context, r app.Repos) (err error) {
		got, err = r.KYC.Latest(ctx, customerID)
		return err
	})
	return got
}

func sameSubmission(t *testing.T, what string, got, want *kyc.Submission) {
	t.Helper()
	eq(t, what+" id", got.ID(), want.ID())
	eq(t, what+" customer", got.CustomerID(), want.CustomerID())
	eq(t, what+" NIK", got.NIK().String(), want.NIK().String())
	eq(t, what+" full name", got.FullName(), want.FullName())
	eqTime(t, what+" birth date", got.BirthDate(), want.BirthDate())
	eq(t, what+" status", got.Status(), want.Status())
	eq(t, what+" reason", got.Reason(), want.Reason())
	eqTime(t, what+" submittedAt", got.SubmittedAt(), want.SubmittedAt())
	if want.DecidedAt().IsZero() {
		if !got.DecidedAt().IsZero() {
			t.Errorf("%s decidedAt = %v, want none", what, got.DecidedAt())
		}
	} else {
		eqTime(t, what+" decidedAt", got.DecidedAt(), want.DecidedAt())
	}
}

var kycCases = []testCase{
	{"decided submission comes back with every field", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		want := kyc.Rehydrate(kyc.Snapshot{
			ID: newID("kyc"), CustomerID: c.ID(), NIK: womanNIK, FullName: "Drs. Siti Nur’aini-Ma'ruf, S.Kom.",
			Reason: "foto KTP buram — mohon ulangi", BirthDate: bornOn, Status: kyc.StatusRejected,
			SubmittedAt: at(-2 * time.Hour), DecidedAt: at(-time.Hour),
		})
		addSubmissions(t, uow, want)
		got := latestSubmission(t, uow, c.ID())
		sameSubmission(t, "Latest", got, want)
		if !got.NIK().Female() || !got.NIK().MatchesBirthDate(got.BirthDate()) {
			t.Error("stored NIK lost its meaning")
		}
	}},
	{"pending submission comes back pending without a decision", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		want := newSubmission(t, c.ID(), at(0))
		addSubmissions(t, uow, want)
		got := latestSubmission(t, uow, c.ID())
		sameSubmission(t, "Latest", got, want)
		eq(t, "NIK", got.NIK(), mustNIK(t, manNIK))
	}},
	{"latest is the newest submission of the customer", func(t *testing.T, uow app.UnitOfWork) {
		c, other := addCustomer(t, uow), addCustomer(t, uow)
		oldest, newest, middle := newSubmission(t, c.ID(), at(0)), newSubmission(t, c.ID(), at(2*time.Hour)), newSubmission(t, c.ID(), at(time.Hour))
		addSubmissions(t, uow, oldest, newest, middle, newSubmission(t, other.ID(), at(3*time.Hour)))
		eq(t, "Latest id", latestSubmission(t, uow, c.ID()).ID(), newest.ID())
	}},
	{"latest of submissions at the same time is the last added", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		first, second := newSubmission(t, c.ID(), at(0)), newSubmission(t, c.ID(), at(0))
		addSubmissions(t, uow, first, second)
		eq(t, "Latest id", latestSubmission(t, uow, c.ID()).ID(), second.ID())
	}},
	{"customer without submissions is not found", func(t *testing.T, uow app.UnitOfWork) {
		addSubmissions(t, uow, newSubmission(t, addCustomer(t, uow).ID(), at(0)))
		c := addCustomer(t, uow)
		err := try(t, uow, func(ctx context.Context, r app.Repos) error {
			_, err := r.KYC.Latest(ctx, c.ID())
			return err
		})
		wantErr(t, "Latest", err, kyc.ErrNotFound)
	}},
	{"update saves an approval", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		s := newSubmission(t, c.ID(), at(0))
		addSubmissions(t, uow, s)
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			got, err := r.KYC.Latest(ctx, c.ID())
			if err != nil {
				return err
			}
			if err := got.Approve(at(time.Hour)); err != nil {
				return err
			}
			return r.KYC.Update(ctx, got)
		})
		got := latestSubmission(t, uow, c.ID())
		eq(t, "status", got.Status(), kyc.StatusApproved)
		eq(t, "reason", got.Reason(), "")
		eqTime(t, "decidedAt", got.DecidedAt(), at(time.Hour))
		eqTime(t, "submittedAt", got.SubmittedAt(), at(0))
	}},
	{"update saves a rejection with its reason", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		s := newSubmission(t, c.ID(), at(0))
		addSubmissions(t, uow, s)
		if err := s.Reject("  NIK tidak  cocok ", at(time.Hour)); err != nil {
			t.Fatal(err)
		}
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.KYC.Update(ctx, s) })
		sameSubmission(t, "after Update", latestSubmission(t, uow, c.ID()), s)
		eq(t, "reason", latestSubmission(t, uow, c.ID()).Reason(), "NIK tidak cocok")
	}},
	{"update saves the decision only", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		want := newSubmission(t, c.ID(), at(0))
		addSubmissions(t, uow, want)
		changed := kyc.Rehydrate(kyc.Snapshot{
			ID: want.ID(), CustomerID: c.ID(), NIK: womanNIK, FullName: "Someone Else", Reason: "blurred",
			BirthDate: bornOn.AddDate(1, 0, 0), Status: kyc.StatusRejected, SubmittedAt: at(time.Hour), DecidedAt: at(2 * time.Hour),
		})
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.KYC.Update(ctx, changed) })
		sameSubmission(t, "after Update", latestSubmission(t, uow, c.ID()), kyc.Rehydrate(kyc.Snapshot{
			ID: want.ID(), CustomerID: c.ID(), NIK: manNIK, FullName: want.FullName(), Reason: "blurred",
			BirthDate: bornOn, Status: kyc.StatusRejected, SubmittedAt: at(0), DecidedAt: at(2 * time.Hour),
		}))
	}},
	{"update of a missing submission is not found", func(t *testing.T, uow app.UnitOfWork) {
		s := newSubmission(t, addCustomer(t, uow).ID(), at(0))
		if err := s.Approve(at(time.Minute)); err != nil {
			t.Fatal(err)
		}
		err := try(t, uow, func(ctx context.Context, r app.Repos) error { return r.KYC.Update(ctx, s) })
		wantErr(t, "Update", err, kyc.ErrNotFound)
	}},
	{"update of a submission decided meanwhile is already decided", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		addSubmissions(t, uow, newSubmission(t, c.ID(), at(0)))
		// Two deciders load the pending submission; the first one saves.
		first, second := latestSubmission(t, uow, c.ID()), latestSubmission(t, uow, c.ID())
		if err := first.Approve(at(time.Minute)); err != nil {
			t.Fatal(err)
		}
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.KYC.Update(ctx, first) })
		if err := second.Reject("blurred", at(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		err := try(t, uow, func(ctx context.Context, r app.Repos) error { return r.KYC.Update(ctx, second) })
		wantErr(t, "Update", err, kyc.ErrAlreadyDecided)
		sameSubmission(t, "after both", latestSubmission(t, uow, c.ID()), first)
	}},
	{"duplicate id is rejected", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		first := newSubmission(t, c.ID(), at(0))
		addSubmissions(t, uow, first)
		dup, err := kyc.Submit(first.ID(), c.ID(), mustNIK(t, womanNIK), "Siti Aminah", bornOn, at(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if err := try(t, uow, func(ctx context.Context, r app.Repos) error { return r.KYC.Add(ctx, dup) }); err == nil {
			t.Fatal("Add of a duplicate id succeeded")
		}
		sameSubmission(t, "Latest", latestSubmission(t, uow, c.ID()), first)
	}},
	{"submission added in a failed transaction is not found", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		s := newSubmission(t, c.ID(), at(0))
		err := try(t, uow, func(ctx context.Context, r app.Repos) error {
			if err := r.KYC.Add(ctx, s); err != nil {
				return err
			}
			return errAbort
		})
		wantErr(t, "Do", err, errAbort)
		err = try(t, uow, func(ctx context.Context, r app.Repos) error {
			_, err := r.KYC.Latest(ctx, c.ID())
			return err
		})
		wantErr(t, "Latest after rollback", err, kyc.ErrNotFound)
	}},
}
