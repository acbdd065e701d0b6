package model_test

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"testing"

	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/graph/model"
)

func TestMoneyMarshalsAsDigitString(t *testing.T) {
	t.Parallel()
	for _, m := range []model.Money{0, 1, 150000, math.MaxInt64} {
		var buf bytes.Buffer
		m.MarshalGQL(&buf)
		want := strconv.Quote(strconv.FormatInt(int64(m), 10))
		if buf.String() != want {
			t.Errorf("MarshalGQL(%d) = %s, want %s", int64(m), buf.String(), want)
		}
		if !json.Valid(buf.Bytes()) {
			t.Errorf("MarshalGQL(%d) is not JSON: %s", int64(m), buf.String())
		}
	}
}

func TestMoneyUnmarshal(t *testing.T) {
	t.Parallel()
	accepted := []struct {
		name string
		in   any
		want model.Money
	}{
		{"digit string", "150000", 150000},
		{"zero string", "0", 0},
		{"leading zeros", "007", 7},
		{"max int64 string", "9223372036854775807", math.MaxInt64},
		{"int literal", int64(150000), 150000},
		{"go int", 25, 25},
		{"int32", int32(10), 10},
		{"json number", json.Number("2500"), 2500},
		{"uint64", uint64(42), 42},
	}
	for _, tc := range accepted {
		t.Run("accepts "+tc.name, func(t *testing.T) {
			t.Parallel()
			var m model.Money
			if err := m.UnmarshalGQL(tc.in); err != nil {
				t.Fatalf("UnmarshalGQL(%#v): %v", tc.in, err)
			}
			if m != tc.want {
				t.Fatalf("UnmarshalGQL(%#v) = %d, want %d", tc.in, int64(m), int64(tc.want))
			}
		})
	}

	rejected := []struct {
		name string
		in   any
	}{
		{"fraction string", "1500.50"},
		{"whole fraction string", "1500.0"},
		{"negative string", "-1"},
		{"plus sign", "+1"},
		{"exponent string", "1e5"},
		{"empty string", ""},
		{"spaces", " 100"},
		{"thousands separator", "150.000"},
		{"overflow string", "9223372036854775808"},
		{"negative int", int64(-1)},
		{"negative go int", -5},
		{"float literal", 1500.5},
		{"whole float literal", float64(1500)},
		{"json fraction", json.Number("1.5")},
		{"json exponent", json.Number("1e5")},
		{"json negative", json.Number("-10")},
		{"uint64 overflow", uint64(math.MaxUint64)},
		{"bool", true},
		{"null", nil},
		{"object", map[string]any{"amount": "1"}},
	}
	for _, tc := range rejected {
		t.Run("rejects "+tc.name, func(t *testing.T) {
			t.Parallel()
			m := model.Money(99)
			err := m.UnmarshalGQL(tc.in)
			if err == nil {
				t.Fatalf("UnmarshalGQL(%#v) = %d, want an error", tc.in, int64(m))
			}
			if k := fault.KindOf(err); k != fault.Invalid {
				t.Fatalf("UnmarshalGQL(%#v) error kind = %v, want Invalid", tc.in, k)
			}
			if m != 99 {
				t.Fatalf("UnmarshalGQL(%#v) changed the value to %d on error", tc.in, int64(m))
			}
		})
	}
}
