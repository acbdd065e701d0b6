package rest

import (
	"testing"
	"time"
)

func TestFailLimiterWindow(t *testing.T) {
	now := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	f := newFailLimiter(SignatureLimit{Window: time.Minute, Failures: 2})
	f.now = func() time.Time { return now }
	f.fail("p a")
	if f.blocked("p a") != 0 {
		t.Fatal("blocked after one failure")
	}
	f.fail("p a")
	if got := f.blocked("p a"); got != time.Minute {
		t.Fatalf("blocked for %v, want 1m", got)
	}
	if f.blocked("p b") != 0 {
		t.Fatal("another address is blocked")
	}
	now = now.Add(59 * time.Second)
	if got := f.blocked("p a"); got != time.Second {
		t.Fatalf("blocked for %v, want 1s", got)
	}
	now = now.Add(time.Second)
	if f.blocked("p a") != 0 {
		t.Fatal("still blocked after the window")
	}
	f.fail("p a")
	if f.blocked("p a") != 0 {
		t.Fatal("a new window starts counting from zero")
	}
	if off := newFailLimiter(SignatureLimit{}); func() bool { off.fail("x"); return off.blocked("x") != 0 }() {
		t.Fatal("a zero limit blocks")
	}
}
