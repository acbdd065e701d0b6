package qris

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxAmount is the largest amount that fits EMVCo's 13-character field.
const maxAmount = 9_999_999_999_999

// TipKind says how a payload asks for a tip or convenience fee (tag 55).
type TipKind string

// Tip kinds; the values are the wire names transports use.
const (
	TipNone    TipKind = "NONE"    // tag 55 absent
	TipPrompt  TipKind = "PROMPT"  // 55 = 01: ask the payer for a tip
	TipFixed   TipKind = "FIXED"   // 55 = 02: fixed fee in tag 56
	TipPercent TipKind = "PERCENT" // 55 = 03: percentage fee in tag 57
)

// TipRule is a payload's tip or convenience fee rule. The zero value is
// TipNone.
type TipRule struct {
	kind        TipKind
	fixed       int64
	basisPoints int64
}

// NoTip returns the rule of a payload without tag 55.
func NoTip() TipRule { return TipRule{kind: TipNone} }

// PromptTip returns the rule that asks the payer to enter a tip.
func PromptTip() TipRule { return TipRule{kind: TipPrompt} }

// FixedFee returns a fixed convenience fee in whole rupiah.
func FixedFee(rupiah int64) (TipRule, error) {
	if rupiah < 0 || rupiah > maxAmount {
		return TipRule{}, invalidf("tag 56: convenience fee %d is outside 0 to %d", rupiah, int64(maxAmount))
	}
	return TipRule{kind: TipFixed, fixed: rupiah}, nil
}

// PercentFee returns a percentage convenience fee in basis points
// (250 = 2.5%), 0 to 10000.
func PercentFee(basisPoints int64) (TipRule, error) {
	if basisPoints < 0 || basisPoints > 10000 {
		return TipRule{}, invalidf("tag 57: percentage of %d basis points is outside 0 to 100%%", basisPoints)
	}
	return TipRule{kind: TipPercent, basisPoints: basisPoints}, nil
}

// Kind says which rule applies.
func (r TipRule) Kind() TipKind {
	if r.kind == "" {
		return TipNone
	}
	return r.kind
}

// FixedAmount is the fixed fee in rupiah for TipFixed, else 0.
func (r TipRule) FixedAmount() int64 { return r.fixed }

// BasisPoints is the percentage in basis points for TipPercent, else 0.
func (r TipRule) BasisPoints() int64 { return r.basisPoints }

// Fee is the convenience fee on amount rupiah: the fixed fee, or the
// percentage rounded half up to whole rupiah. It is 0 for TipNone and
// TipPrompt (a prompted tip is whatever the payer enters), and for a
// percentage of a non-positive amount.
func (r TipRule) Fee(amount int64) int64 {
	switch r.Kind() {
	case TipFixed:
		return r.fixed
	case TipPercent:
		if amount <= 0 {
			return 0
		}
		// Split amount so amount*bp cannot overflow: q*bp <= amount and
		// the remainder term stays below 1e8.
		q, rem := amount/10000, amount%10000
		return q*r.basisPoints + (rem*r.basisPoints+5000)/10000
	}
	return 0
}

// parseTip reads tags 55–57; value55, value56, value57 are "" when absent.
func parseTip(value55, value56, value57 string) (TipRule, error) {
	stray := func(tag, indicator string) error {
		return invalidf("tag %s: present but tip indicator (tag 55) is not %s", tag, indicator)
	}
	switch value55 {
	case "":
		if value56 != "" {
			return TipRule{}, stray("56", "02")
		}
		if value57 != "" {
			return TipRule{}, stray("57", "03")
		}
		return NoTip(), nil
	case "01":
		if value56 != "" {
			return TipRule{}, stray("56", "02")
		}
		if value57 != "" {
			return TipRule{}, stray("57", "03")
		}
		return PromptTip(), nil
	case "02":
		if value57 != "" {
			return TipRule{}, stray("57", "03")
		}
		if value56 == "" {
			return TipRule{}, invalidf("tip indicator 02 without a fixed fee (tag 56)")
		}
		fee, err := parseRupiah("tag 56", value56)
		if err != nil {
			return TipRule{}, err
		}
		return FixedFee(fee)
	case "03":
		if value56 != "" {
			return TipRule{}, stray("56", "02")
		}
		if value57 == "" {
			return TipRule{}, invalidf("tip indicator 03 without a percentage (tag 57)")
		}
		bp, err := parsePercent(value57)
		if err != nil {
			return TipRule{}, err
		}
		return PercentFee(bp)
	}
	return TipRule{}, invalidf("tag 55: tip indicator %q is not 01, 02 or 03", value55)
}

// parseRupiah reads a whole-rupiah amount: digits, optionally "." and one
// or two zeros. name prefixes error details ("tag 54").
func parseRupiah(name, v string) (int64, error) {
	if n := utf8.RuneCountInString(v); n > 13 {
		return 0, invalidf("%s: amount is %d characters, at most 13", name, n)
	}
	whole, frac, dot := strings.Cut(v, ".")
	if !isDigits(whole) || dot && !isDigits(frac) {
		return 0, invalidf("%s: amount %q is not a number", name, v)
	}
	if len(frac) > 2 {
		return 0, invalidf("%s: amount %q has more than two decimals", name, v)
	}
	if strings.Trim(frac, "0") != "" {
		return 0, invalidf("%s: amount %q has a fraction of a rupiah", name, v)
	}
	return atoi(whole), nil
}

// parsePercent reads tag 57 into basis points.
func parsePercent(v string) (int64, error) {
	whole, frac, dot := strings.Cut(v, ".")
	if !isDigits(whole) || dot && !isDigits(frac) {
		return 0, invalidf("tag 57: percentage %q is not a number", v)
	}
	if len(frac) > 2 {
		return 0, invalidf("tag 57: percentage %q has more than two decimals", v)
	}
	if len(strings.TrimLeft(whole, "0")) > 3 {
		return 0, invalidf("tag 57: percentage %q is above 100", v)
	}
	bp := atoi(whole)*100 + atoi((frac + "00")[:2])
	if bp > 10000 {
		return 0, invalidf("tag 57: percentage %q is above 100", v)
	}
	return bp, nil
}

// formatPercent writes basis points the shortest way: 500 "5", 250 "2.5",
// 3 "0.03".
func formatPercent(bp int64) string {
	whole, frac := bp/100, bp%100
	s := strconv.FormatInt(whole, 10)
	switch {
	case frac == 0:
		return s
	case frac%10 == 0:
		return s + "." + strconv.FormatInt(frac/10, 10)
	}
	return s + "." + string([]byte{byte('0' + frac/10), byte('0' + frac%10)})
}
