package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/dompet/wallet/adapters/httpapi"
)

// TestDeadline: requests get a deadline, websocket upgrades do not, and a
// deadline that ran out unclassified is described as code 90, not 99.
func TestDeadline(t *testing.T) {
	var has bool
	h := httpapi.Deadline(time.Second, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		_, has = r.Context().Deadline()
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/wallet-payment/", nil))
	if !has {
		t.Error("a request without a deadline")
	}
	ws := httptest.NewRequest("GET", "/graphql", nil)
	ws.Header.Set("Upgrade", "websocket")
	h.ServeHTTP(httptest.NewRecorder(), ws)
	if has {
		t.Error("a websocket upgrade got a deadline: it would end the subscription")
	}
	code, _ := httpapi.Describe(fmt.Errorf("read: %w", context.DeadlineExceeded), false)
	if code.Legacy != 90 || code.HTTP != 503 {
		t.Errorf("deadline exceeded described as %d/%d, want 90/503", code.Legacy, code.HTTP)
	}
}
