package qris_test

import (
	"math"
	"testing"

	"github.com/dompet/wallet/domain/qris"
)

func TestFee(t *testing.T) {
	t.Parallel()
	pct := func(bp int64) qris.TipRule { r, _ := qris.PercentFee(bp); return r }
	fixed, _ := qris.FixedFee(2500)
	tests := []struct {
		name   string
		rule   qris.TipRule
		amount int64
		want   int64
	}{
		{"no tip charges nothing", qris.NoTip(), 10000, 0},
		{"zero rule charges nothing", qris.TipRule{}, 10000, 0},
		{"prompted tip charges nothing here", qris.PromptTip(), 10000, 0},
		{"fixed fee ignores the amount", fixed, 1, 2500},
		{"2.5% of 10000 is exact", pct(250), 10000, 250},
		{"2.5% of 10001 rounds 250.025 down", pct(250), 10001, 250},
		{"2.5% of 10019 rounds 250.475 down", pct(250), 10019, 250},
		{"2.5% of 10020 rounds 250.5 up", pct(250), 10020, 251},
		{"0.03% of 1000 rounds 0.3 down", pct(3), 1000, 0},
		{"0.03% of 5000 rounds 1.5 up", pct(3), 5000, 2},
		{"5% of 1 rounds 0.05 down", pct(500), 1, 0},
		{"0% is nothing", pct(0), 10000, 0},
		{"100% is the amount", pct(10000), 12345, 12345},
		{"percentage of zero", pct(500), 0, 0},
		{"percentage of a negative amount", pct(500), -10000, 0},
		{"100% of the largest amount does not overflow", pct(10000), math.MaxInt64, math.MaxInt64},
		{"99.99% of the largest amount does not overflow", pct(9999), math.MaxInt64, 9222449699651090329},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.rule.Fee(tt.amount); got != tt.want {
				t.Fatalf("Fee(%d) = %d, want %d", tt.amount, got, tt.want)
			}
		})
	}
}

func TestTipRuleAccessors(t *testing.T) {
	t.Parallel()
	if r := (qris.TipRule{}); r.Kind() != qris.TipNone || r.FixedAmount() != 0 || r.BasisPoints() != 0 {
		t.Fatalf("zero rule %+v", r)
	}
	r, err := qris.PercentFee(1234)
	if err != nil || r.Kind() != qris.TipPercent || r.BasisPoints() != 1234 || r.FixedAmount() != 0 {
		t.Fatalf("%+v %v", r, err)
	}
	f, err := qris.FixedFee(0)
	if err != nil || f.Kind() != qris.TipFixed || f.Fee(100) != 0 {
		t.Fatalf("%+v %v", f, err)
	}
}
