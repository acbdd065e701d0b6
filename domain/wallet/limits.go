package wallet

import "time"

// Limits are the e-money rules of one KYC tier (SPEC §6, Bank Indonesia
// PBI 20/6/PBI/2018 and PADG 24/7/PADG/2022 as defaults).
type Limits struct {
	MaxBalance      int64
	MonthlyIncoming int64
	// CanSendOut allows transfers to banks or other wallets and cash-out.
	CanSendOut bool
}

// Bounds are per-transaction minimum and maximum amounts; Multiple, when
// set, requires amounts in whole multiples of it.
type Bounds struct {
	Min, Max, Multiple int64
}

// Check returns a LimitExceededError when amount is outside the bounds.
func (b Bounds) Check(amount int64) error {
	switch {
	case amount <= 0:
		return ErrInvalidAmount
	case b.Min > 0 && amount < b.Min:
		return &LimitExceededError{Limit: "minimum amount", Allowed: b.Min, Requested: amount}
	case b.Max > 0 && amount > b.Max:
		return &LimitExceededError{Limit: "maximum amount", Allowed: b.Max, Requested: amount}
	case b.Multiple > 0 && amount%b.Multiple != 0:
		return &LimitExceededError{Limit: "multiple", Allowed: amount - amount%b.Multiple, Requested: amount}
	}
	return nil
}

// CheckIncoming enforces the balance cap and the monthly incoming limit for
// amount about to be credited to pocket, given what the customer already
// received this month.
func CheckIncoming(pocket *Account, receivedThisMonth, amount int64, l Limits) error {
	if amount <= 0 {
		return ErrInvalidAmount
	}
	if room := l.MaxBalance - pocket.Balance(); amount > room {
		return &LimitExceededError{Limit: "max balance", Allowed: max(room, 0), Requested: amount}
	}
	if room := l.MonthlyIncoming - receivedThisMonth; amount > room {
		return &LimitExceededError{Limit: "monthly incoming", Allowed: max(room, 0), Requested: amount}
	}
	return nil
}

// Room returns the largest amount CheckIncoming would accept.
func Room(pocket *Account, receivedThisMonth int64, l Limits) int64 {
	return max(min(l.MaxBalance-pocket.Balance(), l.MonthlyIncoming-receivedThisMonth), 0)
}

// WIB is Western Indonesian Time, in which calendar months are counted.
var WIB = time.FixedZone("WIB", 7*3600)

// Month returns the calendar month key ("2026-11") of t in WIB.
func Month(t time.Time) string { return t.In(WIB).Format("2006-01") }
