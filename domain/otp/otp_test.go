package otp_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/dompet/wallet/domain/otp"
)

var (
	key = []byte("test-key")
	t0  = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
)

func issue(code string) *otp.OTP {
	return otp.Issue("o1", "6281234567890", otp.PurposeLogin, otp.Hash(key, "6281234567890", otp.PurposeLogin, code), t0, otp.DefaultPolicy())
}

func TestVerify(t *testing.T) {
	t.Parallel()
	p := otp.DefaultPolicy()
	right := otp.Hash(key, "6281234567890", otp.PurposeLogin, "123456")
	wrong := otp.Hash(key, "6281234567890", otp.PurposeLogin, "654321")
	tests := []struct {
		name    string
		prepare func(o *otp.OTP)
		cand    []byte
		at      time.Time
		want    error
		state   otp.State
	}{
		{"right code succeeds once", nil, right, t0.Add(time.Minute), nil, otp.StateUsed},
		{"wrong code is invalid", nil, wrong, t0.Add(time.Minute), otp.ErrInvalid, otp.StateActive},
		{"expired at exactly the TTL", nil, right, t0.Add(p.TTL), otp.ErrExpired, otp.StateActive},
		{"used code is expired", func(o *otp.OTP) { _ = o.Verify(right, t0, p) }, right, t0.Add(time.Second), otp.ErrExpired, otp.StateUsed},
		{"invalidated code is expired", func(o *otp.OTP) { o.Invalidate() }, right, t0, otp.ErrExpired, otp.StateInvalidated},
		{"fifth wrong attempt locks", func(o *otp.OTP) {
			for range 4 {
				_ = o.Verify(wrong, t0, p)
			}
		}, wrong, t0, otp.ErrTooManyAttempts, otp.StateLocked},
		{"locked code refuses the right code", func(o *otp.OTP) {
			for range 5 {
				_ = o.Verify(wrong, t0, p)
			}
		}, right, t0, otp.ErrTooManyAttempts, otp.StateLocked},
		{"hash for another purpose is invalid", nil, otp.Hash(key, "6281234567890", otp.PurposeRegistration, "123456"), t0, otp.ErrInvalid, otp.StateActive},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := issue("123456")
			if tt.prepare != nil {
				tt.prepare(o)
			}
			if err := o.Verify(tt.cand, tt.at, p); !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
			if o.State() != tt.state {
				t.Fatalf("state = %s, want %s", o.State(), tt.state)
			}
		})
	}
}

func TestCheckIssue(t *testing.T) {
	t.Parallel()
	p := otp.DefaultPolicy()
	mins := func(ms ...int) []time.Time {
		var out []time.Time
		for _, m := range ms {
			out = append(out, t0.Add(-time.Duration(m)*time.Minute))
		}
		return out
	}
	tests := []struct {
		name   string
		recent []time.Time
		want   error
	}{
		{"first code is allowed", nil, nil},
		{"within cooldown is refused", []time.Time{t0.Add(-59 * time.Second)}, otp.ErrTooFrequent},
		{"after cooldown is allowed", []time.Time{t0.Add(-60 * time.Second)}, nil},
		{"four in the hour is allowed", mins(2, 10, 20, 30), nil},
		{"five in the hour is refused", mins(2, 10, 20, 30, 40), otp.ErrTooFrequent},
		{"older than an hour does not count", mins(2, 10, 20, 30, 61), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := otp.CheckIssue(tt.recent, t0, p); !errors.Is(err, tt.want) {
				t.Fatalf("CheckIssue = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestGenerateCode(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 200 {
		c, err := otp.GenerateCode(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if len(c) != otp.CodeLength {
			t.Fatalf("code %q has %d digits", c, len(c))
		}
		for _, r := range c {
			if r < '0' || r > '9' {
				t.Fatalf("code %q is not numeric", c)
			}
		}
		seen[c] = true
	}
	if len(seen) < 190 {
		t.Fatalf("only %d distinct codes in 200 draws", len(seen))
	}
	// Bytes that decode above 999999 are rejected, not folded by modulo.
	src := bytes.NewReader([]byte{0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x2A})
	c, err := otp.GenerateCode(src)
	if err != nil || c != "000042" {
		t.Fatalf("GenerateCode = %q, %v; want 000042", c, err)
	}
}

func TestParsePurpose(t *testing.T) {
	t.Parallel()
	if _, err := otp.ParsePurpose("LOGIN"); err != nil {
		t.Fatal(err)
	}
	if _, err := otp.ParsePurpose("login"); err == nil {
		t.Fatal("lower case purpose accepted")
	}
}
