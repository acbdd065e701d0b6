// Package kyc models identity verification (SPEC §6): a customer submits a
// NIK, full name and birth date, and an operator or the e-KYC provider
// approves or rejects the submission. It knows nothing about storage or
// transport.
package kyc

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dompet/wallet/domain/fault"
)

// Status is the state of a KYC submission.
type Status string

// Submission statuses.
const (
	StatusPending  Status = "PENDING"
	StatusApproved Status = "APPROVED"
	StatusRejected Status = "REJECTED"
)

// Domain errors.
var (
	ErrNotFound       = fault.New(fault.NotFound, "KYC submission not found")
	ErrAlreadyDecided = fault.New(fault.Invalid, "KYC submission already decided")
)

const (
	minNameLen   = 2
	maxNameLen   = 100
	maxReasonLen = 500
	// MinAge is the age from which a KTP-el is issued (UU 24/2013 on
	// Administrasi Kependudukan, art. 63), so the youngest a NIK holder can
	// be to present one. The same article also issues it to anyone married
	// below that age; since UU 16/2019 set the marriage age at 19 that
	// exception no longer produces new under-17 holders, and it is not
	// modelled.
	MinAge = 17
)

// Submission is the aggregate root: one attempt by a customer to verify
// their identity.
type Submission struct {
	id          string
	customerID  string
	nik         NIK
	fullName    string
	birthDate   time.Time
	status      Status
	reason      string
	submittedAt time.Time
	decidedAt   time.Time
}

// Submit records a pending submission after checking the full name, that
// the customer was born at least MinAge years before now's calendar date,
// and that the birth date is the one embedded in the NIK. birthDate counts
// only as a calendar date (in its own location) and is kept as midnight UTC;
// now is read in its own location, so pass it in the customer's time zone.
func Submit(id, customerID string, nik NIK, fullName string, birthDate time.Time, now time.Time) (*Submission, error) {
	if id == "" {
		return nil, fault.New(fault.Internal, "KYC submission id is empty")
	}
	if customerID == "" {
		return nil, fault.New(fault.Internal, "KYC submission customer id is empty")
	}
	if nik.IsZero() {
		return nil, fault.Invalidf("nik", "is required")
	}
	name, err := cleanFullName(fullName)
	if err != nil {
		return nil, err
	}
	born := dateOf(birthDate)
	today := dateOf(now)
	if born.After(today) {
		return nil, fault.Invalidf("birthDate", "must not be in the future")
	}
	// time.Date normalises 29 February in a common year to 1 March, which is
	// when someone born on a leap day comes of age.
	if today.Before(time.Date(born.Year()+MinAge, born.Month(), born.Day(), 0, 0, 0, 0, time.UTC)) {
		return nil, fault.Invalidf("birthDate", "must be at least %d years ago", MinAge)
	}
	if !nik.MatchesBirthDate(born) {
		return nil, fault.Invalidf("birthDate", "does not match the NIK")
	}
	return &Submission{
		id: id, customerID: customerID, nik: nik, fullName: name, birthDate: born,
		status: StatusPending, submittedAt: now,
	}, nil
}

func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// cleanFullName collapses runs of white space and accepts letters of any
// script (with their combining marks), spaces and the punctuation found in
// Indonesian names and titles: apostrophe (also typographic ’), dot, hyphen
// and comma ("Ma'ruf", "Drs. H. Abdul", "Siti-Aisyah", "Budi, S.Kom.").
// Single-word names are common and allowed.
func cleanFullName(s string) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "", fault.Invalidf("fullName", "is required")
	}
	n := utf8.RuneCountInString(s)
	if n < minNameLen || n > maxNameLen {
		return "", fault.Invalidf("fullName", "must be %d to %d characters long", minNameLen, maxNameLen)
	}
	letters := 0
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			letters++
		case unicode.Is(unicode.Mn, r), unicode.Is(unicode.Mc, r),
			strings.ContainsRune(" '’.-,", r):
		default:
			return "", fault.Invalidf("fullName", "may contain only letters, spaces, apostrophes, dots, hyphens and commas")
		}
	}
	if letters == 0 {
		return "", fault.Invalidf("fullName", "must contain a letter")
	}
	return s, nil
}

// Approve accepts a pending submission; ErrAlreadyDecided otherwise.
func (s *Submission) Approve(now time.Time) error {
	if s.status != StatusPending {
		return ErrAlreadyDecided
	}
	s.status = StatusApproved
	s.decidedAt = now
	return nil
}

// Reject refuses a pending submission with a reason the customer may be
// shown (required, white space collapsed, at most 500 characters);
// ErrAlreadyDecided when it is no longer pending.
func (s *Submission) Reject(reason string, now time.Time) error {
	if s.status != StatusPending {
		return ErrAlreadyDecided
	}
	reason = strings.Join(strings.Fields(reason), " ")
	if reason == "" {
		return fault.Invalidf("reason", "is required")
	}
	if utf8.RuneCountInString(reason) > maxReasonLen {
		return fault.Invalidf("reason", "is longer than %d characters", maxReasonLen)
	}
	s.status = StatusRejected
	s.reason = reason
	s.decidedAt = now
	return nil
}

// ID returns the submission's identifier.
func (s *Submission) ID() string { return s.id }

// CustomerID returns the submitting customer's identifier.
func (s *Submission) CustomerID() string { return s.customerID }

// NIK returns the submitted national identity number.
func (s *Submission) NIK() NIK { return s.nik }

// FullName returns the name as submitted, white space collapsed.
func (s *Submission) FullName() string { return s.fullName }

// BirthDate returns the birth date at midnight UTC.
func (s *Submission) BirthDate() time.Time { return s.birthDate }

// Status returns the decision state.
func (s *Submission) Status() Status { return s.status }

// Reason returns why the submission was rejected, empty otherwise.
func (s *Submission) Reason() string { return s.reason }

// SubmittedAt returns when the customer submitted.
func (s *Submission) SubmittedAt() time.Time { return s.submittedAt }

// DecidedAt returns when the submission was approved or rejected; the zero
// time while pending.
func (s *Submission) DecidedAt() time.Time { return s.decidedAt }

// Snapshot carries stored state back into the domain. NIK holds the 16
// digits as NIK.String returned them.
type Snapshot struct {
	ID, CustomerID, NIK, FullName, Reason string
	BirthDate                             time.Time
	Status                                Status
	SubmittedAt, DecidedAt                time.Time
}

// Rehydrate rebuilds a submission from storage without re-validating input
// rules (name characters, province list, age) that may have changed since it
// was stored.
func Rehydrate(s Snapshot) *Submission {
	return &Submission{
		id: s.ID, customerID: s.CustomerID, nik: NIK{digits: s.NIK}, fullName: s.FullName,
		birthDate: s.BirthDate, status: s.Status, reason: s.Reason,
		submittedAt: s.SubmittedAt, decidedAt: s.DecidedAt,
	}
}

// Repository stores KYC submissions. A customer may have several over time
// (a rejected customer submits again); the latest one is authoritative.
type Repository interface {
	// Add stores a new submission. Any failure is a storage error
	// (fault.Internal); the caller is expected to have checked Latest.
	Add(ctx context.Context, s *Submission) error
	// Latest returns the customer's most recently submitted submission, or
	// ErrNotFound when the customer has never submitted one.
	Latest(ctx context.Context, customerID string) (*Submission, error)
	// Update saves the decision (status, reason, decidedAt); ErrNotFound when
	// the submission is gone, ErrAlreadyDecided when the stored submission
	// is no longer pending because a concurrent decision was saved first.
	Update(ctx context.Context, s *Submission) error
}
