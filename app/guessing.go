package app

import (
	"context"
	"time"

	"github.com/dompet/wallet/domain/fault"
)

// GuessLimits bound wrong OTP codes across numbers. The per-number limit
// (otp.Policy.MaxAttempts, 5) stops guessing one customer's code; these stop
// a partner or an address from spreading guesses over many numbers. Wrong
// guesses live in the database, so every `wallet serve` process sharing it
// shares the count. A zero limit disables that bound.
type GuessLimits struct {
	Window     time.Duration // sliding window the counts cover
	PerPartner int           // wrong codes a partner may send in Window
	PerSource  int           // wrong codes one source address may send in Window
}

// DefaultGuessLimits: a partner with many customers mistyping codes stays far
// below 200 in 15 minutes; one address trying 20 wrong codes on different
// numbers is guessing.
func DefaultGuessLimits() GuessLimits {
	return GuessLimits{Window: 15 * time.Minute, PerPartner: 200, PerSource: 20}
}

// GuessStore records wrong OTP codes.
type GuessStore interface {
	// Add records one wrong code from partnerID sent from source ("" when the
	// door does not know it).
	Add(ctx context.Context, partnerID, source string, at time.Time) error
	// Count returns the wrong codes since a moment from partnerID and from
	// source (0 for an empty source).
	Count(ctx context.Context, partnerID, source string, since time.Time) (byPartner, bySource int, err error)
	// Purge deletes the records older than before (retention).
	Purge(ctx context.Context, before time.Time) (int, error)
}

// ErrTooManyGuesses refuses an OTP validation from a partner or address that
// sent too many wrong codes across numbers (SPEC §2 code 42, HTTP 429). The
// customer's own OTP is left untouched.
var ErrTooManyGuesses = fault.New(fault.OTPTooManyAttempts, "too many wrong OTP codes from this partner or address; try again later")

// checkGuesses refuses when partnerID or source is over its limit.
func (a *App) checkGuesses(ctx context.Context, r Repos, partnerID, source string, now time.Time) error {
	l := a.cfg.Guessing
	if l.PerPartner <= 0 && l.PerSource <= 0 {
		return nil
	}
	byPartner, bySource, err := r.Guesses.Count(ctx, partnerID, source, now.Add(-l.Window))
	if err != nil {
		return err
	}
	if l.PerPartner > 0 && byPartner >= l.PerPartner || l.PerSource > 0 && source != "" && bySource >= l.PerSource {
		return ErrTooManyGuesses
	}
	return nil
}
