// Package otp implements one-time passwords as SPEC §5 defines them: six
// digits from a CSPRNG, kept only as a keyed hash, short-lived, single use,
// a bounded number of attempts, and throttled issuing.
package otp

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"io"
	"time"

	"github.com/dompet/wallet/domain/fault"
)

// Purpose says what a code may be used for; codes never cross purposes.
type Purpose string

// Purposes.
const (
	PurposeLogin        Purpose = "LOGIN"
	PurposeRegistration Purpose = "REGISTRATION"
	PurposeTransaction  Purpose = "TRANSACTION"
)

// ParsePurpose validates a purpose name.
func ParsePurpose(s string) (Purpose, error) {
	switch p := Purpose(s); p {
	case PurposeLogin, PurposeRegistration, PurposeTransaction:
		return p, nil
	}
	return "", fault.Invalidf("purpose", "must be LOGIN, REGISTRATION or TRANSACTION")
}

// State of an issued code.
type State string

// States. Only Active codes can be verified.
const (
	StateActive      State = "ACTIVE"
	StateUsed        State = "USED"
	StateInvalidated State = "INVALIDATED" // replaced by a newer code
	StateLocked      State = "LOCKED"      // too many wrong attempts
)

// Errors.
var (
	ErrInvalid         = fault.New(fault.OTPInvalid, "OTP is invalid")
	ErrExpired         = fault.New(fault.OTPExpired, "OTP has expired or was already used")
	ErrTooManyAttempts = fault.New(fault.OTPTooManyAttempts, "too many wrong OTP attempts; request a new OTP")
	ErrTooFrequent     = fault.New(fault.OTPTooFrequent, "OTP requested too often; try again later")
	ErrNotFound        = fault.New(fault.NotFound, "OTP not found")
)

// Policy holds the tunable rules. DefaultPolicy is SPEC §5.
type Policy struct {
	TTL         time.Duration
	MaxAttempts int
	Cooldown    time.Duration
	HourlyCap   int
}

// DefaultPolicy returns the SPEC §5 rules.
func DefaultPolicy() Policy {
	return Policy{TTL: 300 * time.Second, MaxAttempts: 5, Cooldown: 60 * time.Second, HourlyCap: 5}
}

// CodeLength is the number of digits in a code.
const CodeLength = 6

// GenerateCode draws a uniformly distributed six-digit code from r, which
// must be a CSPRNG (crypto/rand.Reader) outside tests.
func GenerateCode(r io.Reader) (string, error) {
	const n = 1_000_000
	// Rejection sampling over 20 bits avoids the bias of a plain modulo.
	var b [3]byte
	for {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return "", fmt.Errorf("otp: random source: %w", err)
		}
		v := (uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2])) & 0xFFFFF
		if v < n {
			return fmt.Sprintf("%06d", v), nil
		}
	}
}

// Hash is the keyed hash stored instead of the code. Binding the mobile
// number and purpose into it means a leaked table cannot be replayed across
// customers or purposes, and the key means it cannot be brute-forced offline.
func Hash(key []byte, mobile string, purpose Purpose, code string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(mobile))
	m.Write([]byte{0})
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(code))
	return m.Sum(nil)
}

// OTP is one issued code.
type OTP struct {
	id        string
	mobile    string
	purpose   Purpose
	hash      []byte
	state     State
	attempts  int
	createdAt time.Time
	expiresAt time.Time
}

// CheckIssue enforces the resend cooldown and hourly cap given the issue
// times of the codes sent to this number in the last hour.
func CheckIssue(recent []time.Time, now time.Time, p Policy) error {
	count := 0
	for _, t := range recent {
		if now.Sub(t) < p.Cooldown {
			return ErrTooFrequent
		}
		if now.Sub(t) < time.Hour {
			count++
		}
	}
	if count >= p.HourlyCap {
		return ErrTooFrequent
	}
	return nil
}

// Issue creates a new active code. Callers must first check CheckIssue and
// invalidate the previous active code of the same purpose.
func Issue(id, mobile string, purpose Purpose, hash []byte, now time.Time, p Policy) *OTP {
	return &OTP{
		id: id, mobile: mobile, purpose: purpose, hash: hash, state: StateActive,
		createdAt: now, expiresAt: now.Add(p.TTL),
	}
}

// Verify checks a candidate hash. Whatever the outcome, the caller must
// persist the OTP afterwards: attempts and state changes are the point.
func (o *OTP) Verify(candidate []byte, now time.Time, p Policy) error {
	switch o.state {
	case StateUsed, StateInvalidated:
		return ErrExpired
	case StateLocked:
		return ErrTooManyAttempts
	}
	if !now.Before(o.expiresAt) {
		return ErrExpired
	}
	if !hmac.Equal(o.hash, candidate) {
		o.attempts++
		if o.attempts >= p.MaxAttempts {
			o.state = StateLocked
			return ErrTooManyAttempts
		}
		return ErrInvalid
	}
	o.state = StateUsed
	return nil
}

// Invalidate retires an active code because a newer one replaced it.
func (o *OTP) Invalidate() {
	if o.state == StateActive {
		o.state = StateInvalidated
	}
}

// ExpiresIn returns the whole seconds left, never negative.
func (o *OTP) ExpiresIn(now time.Time) int {
	d := o.expiresAt.Sub(now)
	if d < 0 {
		return 0
	}
	return int(d / time.Second)
}

// ID returns the code's identifier.
func (o *OTP) ID() string { return o.id }

// Mobile returns the canonical number the code was sent to.
func (o *OTP) Mobile() string { return o.mobile }

// Purpose returns what the code is for.
func (o *OTP) Purpose() Purpose { return o.purpose }

// HashValue returns the stored keyed hash.
func (o *OTP) HashValue() []byte { return o.hash }

// State returns the life cycle state.
func (o *OTP) State() State { return o.state }

// Attempts returns the number of wrong attempts so far.
func (o *OTP) Attempts() int { return o.attempts }

// CreatedAt returns the issue time.
func (o *OTP) CreatedAt() time.Time { return o.createdAt }

// ExpiresAt returns the expiry time.
func (o *OTP) ExpiresAt() time.Time { return o.expiresAt }

// Snapshot carries stored state back into the domain.
type Snapshot struct {
	ID, Mobile           string
	Purpose              Purpose
	Hash                 []byte
	State                State
	Attempts             int
	CreatedAt, ExpiresAt time.Time
}

// Rehydrate rebuilds an OTP from storage.
func Rehydrate(s Snapshot) *OTP {
	return &OTP{id: s.ID, mobile: s.Mobile, purpose: s.Purpose, hash: s.Hash, state: s.State,
		attempts: s.Attempts, createdAt: s.CreatedAt, expiresAt: s.ExpiresAt}
}

// Repository stores codes. Callers serialise access per mobile number (they
// hold the customer's row lock), so methods need no locking of their own.
type Repository interface {
	// Add stores a new code.
	Add(ctx context.Context, o *OTP) error
	// Update saves state and attempts; ErrNotFound when missing.
	Update(ctx context.Context, o *OTP) error
	// Latest returns the newest code for the number and purpose, or
	// ErrNotFound.
	Latest(ctx context.Context, mobile string, purpose Purpose) (*OTP, error)
	// IssuedSince returns the issue times of all codes for the number, of
	// any purpose, created at or after since.
	IssuedSince(ctx context.Context, mobile string, since time.Time) ([]time.Time, error)
}
