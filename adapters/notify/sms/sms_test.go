package sms_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dompet/wallet/adapters/notify/sms"
	"github.com/dompet/wallet/app"
)

const (
	apiKey = "sk_live_secret"
	text   = "Kode OTP Dompet Anda 482913. Jangan berikan kepada siapa pun."
)

var note = app.Notification{ID: "01JDQ3V5X6Z7", To: "6281234567890", Text: text, OTP: "482913"}

func newSender(url string) *sms.Sender {
	return sms.New(sms.Config{URL: url, APIKey: apiKey, SenderID: "DOMPET"})
}

func TestSendTextRequest(t *testing.T) {
	t.Parallel()
	type seen struct {
		method, path, auth, contentType, idem string
		body                                  map[string]any
	}
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := seen{r.Method, r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), r.Header.Get("Idempotency-Key"), nil}
		if err := json.NewDecoder(r.Body).Decode(&s.body); err != nil {
			t.Errorf("request body: %v", err)
		}
		got <- s
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"messageId":"gw-7f3a"}`)
	}))
	t.Cleanup(srv.Close)

	id, err := newSender(srv.URL+"/v1/sms").SendText(context.Background(), note)
	if err != nil {
		t.Fatalf("SendText: %v", err)
	}
	if id != "gw-7f3a" {
		t.Errorf("id = %q, want gw-7f3a", id)
	}
	s := <-got
	if s.method != http.MethodPost || s.path != "/v1/sms" {
		t.Errorf("request = %s %s, want POST /v1/sms", s.method, s.path)
	}
	if s.auth != "Bearer "+apiKey {
		t.Errorf("Authorization = %q", s.auth)
	}
	if s.contentType != "application/json" {
		t.Errorf("Content-Type = %q", s.contentType)
	}
	if s.idem != note.ID {
		t.Errorf("Idempotency-Key = %q, want %q", s.idem, note.ID)
	}
	want := map[string]any{"to": "6281234567890", "from": "DOMPET", "text": text, "reference": note.ID}
	if len(s.body) != len(want) {
		t.Errorf("body = %v, want exactly %v", s.body, want)
	}
	for k, v := range want {
		if s.body[k] != v {
			t.Errorf("body[%q] = %v, want %v", k, s.body[k], v)
		}
	}
}

func TestSendTextResponses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name              string
		status            int
		body              string
		wantID            string
		wantErr           bool
		wantUndeliverable bool
	}{
		{name: "200 with id", status: 200, body: `{"messageId":"gw-1"}`, wantID: "gw-1"},
		{name: "202 with id", status: 202, body: `{"messageId":"gw-2","status":"queued"}`, wantID: "gw-2"},
		{name: "200 empty body", status: 200, body: ``},
		{name: "204 no content", status: 204},
		{name: "200 json without id", status: 200, body: `{}`},
		{name: "200 html from a proxy", status: 200, body: `<html>login</html>`, wantErr: true},
		{name: "400 bad number", status: 400, body: `{"error":"invalid destination 6281234567890: ` + text + `"}`, wantErr: true, wantUndeliverable: true},
		{name: "422 rejected", status: 422, body: `{"error":"blacklisted"}`, wantErr: true, wantUndeliverable: true},
		{name: "401 bad key", status: 401, body: `{"error":"invalid key ` + apiKey + `"}`, wantErr: true},
		{name: "403 sender id not approved", status: 403, wantErr: true},
		{name: "404 wrong url", status: 404, wantErr: true},
		{name: "409 same key in flight", status: 409, wantErr: true},
		{name: "429 throttled", status: 429, wantErr: true},
		{name: "500", status: 500, body: text, wantErr: true},
		{name: "503", status: 503, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			t.Cleanup(srv.Close)
			id, err := newSender(srv.URL).SendText(context.Background(), note)
			if (err != nil) != tt.wantErr {
				t.Fatalf("SendText = %q, %v; want error %v", id, err, tt.wantErr)
			}
			if id != tt.wantID {
				t.Errorf("id = %q, want %q", id, tt.wantID)
			}
			if err == nil {
				return
			}
			if got := errors.Is(err, app.ErrUndeliverable); got != tt.wantUndeliverable {
				t.Errorf("errors.Is(%v, ErrUndeliverable) = %v, want %v", err, got, tt.wantUndeliverable)
			}
			assertNoSecrets(t, err)
			if !strings.Contains(err.Error(), note.ID) {
				t.Errorf("error %q does not name the notification", err)
			}
		})
	}
}

func assertNoSecrets(t *testing.T, err error) {
	t.Helper()
	for _, s := range []string{apiKey, note.Text, note.OTP} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error %q leaks %q", err, s)
		}
	}
}

func TestSendTextTransport(t *testing.T) {
	t.Parallel()
	t.Run("context deadline", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// The server notices the client hanging up only once the body is read.
			io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
		}))
		t.Cleanup(srv.Close)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := newSender(srv.URL).SendText(ctx, note)
		if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, app.ErrUndeliverable) {
			t.Errorf("err = %v, want transient DeadlineExceeded", err)
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		_, err := newSender(srv.URL).SendText(context.Background(), note)
		if err == nil || errors.Is(err, app.ErrUndeliverable) {
			t.Errorf("err = %v, want transient error", err)
		}
	})
}

// TestSendTextOutage plays the caller's retry loop against a gateway that is
// down for a while: every failure must be transient, the retry must carry the
// same Idempotency-Key, and the message goes out once the gateway is back.
func TestSendTextOutage(t *testing.T) {
	t.Parallel()
	const outage = 3
	var calls atomic.Int32
	keys := make(chan string, outage+1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		keys <- r.Header.Get("Idempotency-Key")
		if calls.Add(1) <= outage {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, `{"messageId":"gw-after-outage"}`)
	}))
	t.Cleanup(srv.Close)
	s := newSender(srv.URL)

	var id string
	for attempt := 1; ; attempt++ {
		var err error
		id, err = s.SendText(context.Background(), note)
		if err == nil {
			break
		}
		if errors.Is(err, app.ErrUndeliverable) {
			t.Fatalf("attempt %d: outage reported as undeliverable: %v", attempt, err)
		}
		if attempt > outage {
			t.Fatalf("attempt %d still failing: %v", attempt, err)
		}
	}
	if id != "gw-after-outage" {
		t.Errorf("id = %q", id)
	}
	if n := calls.Load(); n != outage+1 {
		t.Errorf("gateway saw %d requests, want %d", n, outage+1)
	}
	close(keys)
	for k := range keys {
		if k != note.ID {
			t.Errorf("Idempotency-Key = %q, want %q on every attempt", k, note.ID)
		}
	}
}
