// Package fault is the small, closed set of error kinds the product promises
// to its callers (SPEC §2). Domain packages build their sentinels from it and
// each transport maps a Kind to its own wire form exactly once.
package fault

import (
	"errors"
	"fmt"
)

// Kind classifies an error for callers. The zero value is Internal so that an
// unclassified error can never be mistaken for a client mistake.
type Kind int

// The kinds, in the order of the SPEC §2 table.
const (
	Internal Kind = iota
	Invalid
	InvalidMobile
	TooLarge
	Unauthenticated
	Forbidden
	NotFound
	AlreadyRegistered
	AccountNotActive
	OTPInvalid
	OTPExpired
	OTPTooManyAttempts
	OTPTooFrequent
	InsufficientBalance
	LimitExceeded
	KYCLevel
	IdempotencyConflict
	BankAccountInvalid
	QRISInvalid
	DestinationRejected
	Unavailable
)

// Error is a classified error. Field names the offending request field for
// Invalid errors; Detail is a safe, client-facing English explanation.
type Error struct {
	Kind   Kind
	Field  string
	Detail string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Detail)
	}
	return e.Detail
}

// New returns a classified error; domain packages use it for sentinels.
func New(kind Kind, detail string) *Error {
	return &Error{Kind: kind, Detail: detail}
}

// Invalidf reports a bad request field.
func Invalidf(field, format string, args ...any) *Error {
	return &Error{Kind: Invalid, Field: field, Detail: fmt.Sprintf(format, args...)}
}

// KindOf returns the kind of the first classified error in err's chain, or
// Internal when there is none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// As returns the classified error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
