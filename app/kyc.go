package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/kyc"
	"github.com/dompet/wallet/domain/operator"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/wallet"
)

// SubmitKYC is a customer's request to be verified, through a partner
// (REST, signed) or a customer session (GraphQL).
type SubmitKYC struct {
	Partner      *partner.Partner // partner level: with MobileNumber
	MobileNumber string
	Session      *CustomerSession // customer level: instead of the two above
	NIK          string
	FullName     string
	BirthDate    string // YYYY-MM-DD
}

// SubmitKYC stores a submission (PENDING), marks the customer's KYC pending
// and queues the e-KYC check.
// Errors: Forbidden, InvalidMobile, Invalid (NIK, name, birth date, KYC
// already pending or verified), NotFound, AccountNotActive.
func (a *App) SubmitKYC(ctx context.Context, cmd SubmitKYC) (_ *kyc.Submission, retErr error) {
	ctx, end := a.span(ctx, "SubmitKYC")
	defer func() { end(retErr) }()
	nik, err := kyc.ParseNIK(strings.Join(strings.Fields(cmd.NIK), ""))
	if err != nil {
		return nil, err
	}
	birth, err := time.Parse(time.DateOnly, cmd.BirthDate)
	if err != nil {
		return nil, fault.Invalidf("birthDate", "must be a date as YYYY-MM-DD")
	}
	var mobile customer.MobileNumber
	if cmd.Session == nil {
		if err := cmd.Partner.RequireRole(partner.RolePartner); err != nil {
			return nil, err
		}
		if mobile, err = a.phones.Normalize(cmd.MobileNumber); err != nil {
			return nil, err
		}
	}
	var out *kyc.Submission
	err = a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		var c *customer.Customer
		var err error
		if cmd.Session != nil {
			c, err = r.Customers.ByID(ctx, cmd.Session.CustomerID)
		} else {
			c, err = r.Customers.ByMobile(ctx, mobile, true)
			err = unboundIfMissing(err)
		}
		if err != nil {
			return err
		}
		if cmd.Session == nil {
			if err := requireBinding(ctx, r, cmd.Partner.ID(), c.ID()); err != nil {
				return err
			}
		}
		now := a.now().In(wallet.WIB)
		if err := c.StartKYC(now); err != nil {
			return err
		}
		s, err := kyc.Submit(a.ids.New(), c.ID(), nik, cmd.FullName, birth, now)
		if err != nil {
			return err
		}
		if err := r.KYC.Add(ctx, s); err != nil {
			return err
		}
		if err := r.Customers.Update(ctx, c); err != nil {
			return err
		}
		out = s
		return r.Jobs.CheckKYC(ctx, c.ID(), s.ID())
	})
	if err != nil {
		return nil, fmt.Errorf("submit kyc: %w", err)
	}
	return out, nil
}

// DecideKYC is an operator approving or rejecting a customer's pending
// submission (the CLI; the console calls it through Backoffice.DecideKYCAs).
// Errors: InvalidMobile, NotFound, Invalid (nothing pending, no reason).
// The decision is written to the operator audit log as done by the CLI.
func (a *App) DecideKYC(ctx context.Context, mobile string, approve bool, reason string) (*customer.Customer, error) {
	return a.decideKYC(ctx, mobile, approve, reason, func(ctx context.Context, r Repos, c *customer.Customer) error {
		return r.Operators.Record(ctx, a.auditEntry(nil, kycAction(approve), c.Mobile().String(), reason, operator.OutcomeDone))
	})
}

func kycAction(approve bool) string {
	if approve {
		return "kyc.approve"
	}
	return "kyc.reject"
}

// decideKYC runs the decision; also, when set, runs in the same transaction
// (the audit line).
func (a *App) decideKYC(ctx context.Context, mobile string, approve bool, reason string,
	also func(ctx context.Context, r Repos, c *customer.Customer) error) (*customer.Customer, error) {
	m, err := a.phones.Normalize(mobile)
	if err != nil {
		return nil, err
	}
	var out *customer.Customer
	err = a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		c, err := r.Customers.ByMobile(ctx, m, true)
		if err != nil {
			return err
		}
		s, err := r.KYC.Latest(ctx, c.ID())
		if err != nil {
			return err
		}
		if err := decide(ctx, r, c, s, approve, reason, a.now()); err != nil {
			return err
		}
		out = c
		if also != nil {
			return also(ctx, r, c)
		}
		return nil
	})
	return out, err
}

func decide(ctx context.Context, r Repos, c *customer.Customer, s *kyc.Submission, approve bool, reason string, now time.Time) error {
	if approve {
		if err := s.Approve(now); err != nil {
			return err
		}
		c.VerifyKYC(now)
	} else {
		if err := s.Reject(reason, now); err != nil {
			return err
		}
		c.RejectKYC(now)
	}
	if err := r.KYC.Update(ctx, s); err != nil {
		return err
	}
	return r.Customers.Update(ctx, c)
}

// EKYCRequest is what the identity provider checks.
type EKYCRequest struct {
	SubmissionID string
	NIK          kyc.NIK
	FullName     string
	BirthDate    time.Time
}

// EKYCDecision is the provider's answer.
type EKYCDecision struct {
	Approved bool
	Reason   string // why it was rejected
}

// EKYC verifies identities against the civil registry (Dukcapil) through a
// provider. Any error is transient: the check is retried.
type EKYC interface {
	Verify(ctx context.Context, req EKYCRequest) (EKYCDecision, error)
}

// KYCReviewer runs queued e-KYC checks.
type KYCReviewer struct {
	uow   UnitOfWork
	ekyc  EKYC
	clock Clock
	log   *slog.Logger
}

// NewKYCReviewer wires the reviewer.
func NewKYCReviewer(uow UnitOfWork, ekyc EKYC, clock Clock, log *slog.Logger) *KYCReviewer {
	return &KYCReviewer{uow: uow, ekyc: ekyc, clock: clock, log: log}
}

// Review asks the provider about a pending submission and records the
// answer. It is a no-op when the submission was decided meanwhile (an
// operator was faster) or superseded.
func (k *KYCReviewer) Review(ctx context.Context, customerID, submissionID string) error {
	var s *kyc.Submission
	err := k.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		var err error
		s, err = r.KYC.Latest(ctx, customerID)
		return err
	})
	if errors.Is(err, kyc.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if s.ID() != submissionID || s.Status() != kyc.StatusPending {
		return nil
	}
	d, err := k.ekyc.Verify(ctx, EKYCRequest{SubmissionID: s.ID(), NIK: s.NIK(), FullName: s.FullName(), BirthDate: s.BirthDate()})
	if err != nil {
		return fmt.Errorf("e-KYC: %w", err)
	}
	reason := d.Reason
	if !d.Approved && reason == "" {
		reason = "rejected by e-KYC"
	}
	err = k.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		c, err := r.Customers.ByID(ctx, customerID)
		if err != nil {
			return err
		}
		latest, err := r.KYC.Latest(ctx, customerID)
		if err != nil {
			return err
		}
		if latest.ID() != submissionID || latest.Status() != kyc.StatusPending {
			return nil
		}
		return decide(ctx, r, c, latest, d.Approved, reason, k.clock.Now())
	})
	if err == nil {
		k.log.InfoContext(ctx, "e-KYC decided", "customer", customerID, "submission", submissionID, "approved", d.Approved)
	}
	return err
}
