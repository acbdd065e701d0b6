package httpapi_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/dompet/wallet/adapters/httpapi"
	"github.com/dompet/wallet/domain/fault"
)

func TestDescribe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		err        error
		indonesian bool
		legacy     int
		msg        string
	}{
		{"field errors name the field", fault.Invalidf("amount", "must be digits"), false, 10, "Invalid request: amount must be digits"},
		{"Indonesian on request", fault.New(fault.NotFound, "customer 0812 missing"), true, 30, "Data tidak ditemukan"},
		{"internal text never leaks", errors.New("pq: relation does not exist"), false, 99, "Internal error"},
		{"unavailable text never leaks", fault.New(fault.Unavailable, "dial tcp 10.0.0.1"), false, 90, "Service temporarily unavailable, retry with the same X-EXTERNAL-ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, msg := httpapi.Describe(tt.err, tt.indonesian)
			if code.Legacy != tt.legacy || msg != tt.msg {
				t.Fatalf("Describe = %d %q, want %d %q", code.Legacy, msg, tt.legacy, tt.msg)
			}
		})
	}
}

func TestReadBody(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		size int
		kind fault.Kind
		ok   bool
	}{{"at the limit is read", httpapi.MaxBody, 0, true}, {"one byte over is too large", httpapi.MaxBody + 1, fault.TooLarge, false}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := httpapi.ReadBody(httptest.NewRequest("POST", "/", strings.NewReader(strings.Repeat("x", tt.size))))
			if tt.ok != (err == nil) || (tt.ok && len(b) != tt.size) {
				t.Fatalf("ReadBody: %d bytes, %v", len(b), err)
			}
			if f, ok := fault.As(err); !tt.ok && (!ok || f.Kind != tt.kind) {
				t.Fatalf("error %v, want kind %v", err, tt.kind)
			}
		})
	}
}

func TestOutcomeKeepsTheFirstError(t *testing.T) {
	t.Parallel()
	ctx, out := httpapi.WithOutcome(context.Background())
	httpapi.SetCode(ctx, "0")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { httpapi.SetCodeIfOK(ctx, "50") })
	}
	wg.Wait()
	httpapi.SetCodeIfOK(ctx, "30")
	if out.Code() != "50" {
		t.Fatalf("code %q, want the first error's 50", out.Code())
	}
	httpapi.SetCode(context.Background(), "99") // no observer: nothing happens
}
