package main

import (
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dompet/wallet/domain/partner"
)

// The lean client sends requests the server's own verification accepts:
// every one signed, every one with its own X-EXTERNAL-ID and orderId, and
// it reads answers of either framing and leaves a connection the server
// closes.
func TestPayClientSignsAndChecks(t *testing.T) {
	p := &partnerCred{ID: "P1", Secret: "s3cret"}
	var mu sync.Mutex
	ids := map[string]bool{}
	answer := `{"code":0,"message":"ok","data":{"code":"x"}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := partner.Verify([]byte(p.Secret), r.Method, r.URL.RequestURI(), body, r.Header.Get("X-TIMESTAMP"),
			r.Header.Get("X-SIGNATURE"), time.Now()); err != nil || r.Header.Get("X-PARTNER-ID") != p.ID {
			w.WriteHeader(401)
			io.WriteString(w, `{"code":40,"message":"bad signature"}`)
			return
		}
		id := r.Header.Get("X-EXTERNAL-ID")
		mu.Lock()
		dup := ids[id] || !strings.Contains(string(body), `"orderId":"`+id+`"`)
		ids[id] = true
		mu.Unlock()
		if dup {
			w.WriteHeader(409)
			return
		}
		if strings.Contains(string(body), "081200000002") {
			w.Header().Set("Connection", "close") // the next request needs a new connection
			w.(http.Flusher).Flush()              // chunked
		}
		io.WriteString(w, answer)
	}))
	defer srv.Close()
	c := newClient(srv.URL, 4)
	set := []customer{{mobile: "081200000001", merchant: p}, {mobile: "081200000002", merchant: p}}
	pay := c.payOp(set, 1000)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		if err := pay(context.Background(), rng); err != nil {
			t.Fatal(err)
		}
	}
	if len(ids) != 50 {
		t.Fatalf("%d distinct X-EXTERNAL-IDs, want 50", len(ids))
	}
	answer = `{"code":51,"message":"insufficient balance"}`
	if err := pay(context.Background(), rng); err == nil || !strings.Contains(err.Error(), "code 51") {
		t.Fatalf("a refusal is an error: %v", err)
	}
}
