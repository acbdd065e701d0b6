package httpapi

import (
	"testing"
	"time"
)

func TestFailLimiterWindow(t *testing.T) {
	now := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	f := NewFailLimiter(SignatureLimit{Window: time.Minute, Failures: 2})
	f.now = func() time.Time { return now }
	f.Fail("p a")
	if f.Blocked("p a") != 0 {
		t.Fatal("blocked after one failure")
	}
	f.Fail("p a")
	if got := f.Blocked("p a"); got != time.Minute {
		t.Fatalf("blocked for %v, want 1m", got)
	}
	if f.Blocked("p b") != 0 {
		t.Fatal("another address is blocked")
	}
	now = now.Add(59 * time.Second)
	if got := f.Blocked("p a"); got != time.Second {
		t.Fatalf("blocked for %v, want 1s", got)
	}
	now = now.Add(time.Second)
	if f.Blocked("p a") != 0 {
		t.Fatal("still blocked after the window")
	}
	f.Fail("p a")
	if f.Blocked("p a") != 0 {
		t.Fatal("a new window starts counting from zero")
	}
	if off := NewFailLimiter(SignatureLimit{}); func() bool { off.Fail("x"); return off.Blocked("x") != 0 }() {
		t.Fatal("a zero limit blocks")
	}
	if RetryAfter(1500*time.Millisecond) != 2 || RetryAfter(time.Second) != 1 {
		t.Fatal("Retry-After rounds up to whole seconds")
	}
}
