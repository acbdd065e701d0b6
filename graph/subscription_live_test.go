package graph

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	coderws "github.com/coder/websocket"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/adapters/httpapi"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/session"
	"github.com/dompet/wallet/internal/logcheck"
)

// liveDeadline bounds each notification-driven message: they take
// milliseconds; the rest is slack for a loaded CI machine.
const liveDeadline = 5 * time.Second

// TestLiveSubscriptionFollowsNotifications runs transactionUpdated over a
// websocket on PostgreSQL with the change listener, and with polling and
// token rechecks turned down to once an hour: every message and every end
// below comes from a database notification.
func TestLiveSubscriptionFollowsNotifications(t *testing.T) {
	t.Parallel()
	s := newPGStack(t)
	h := NewHandler(s.app, httpapi.NewValidator(), s.log, WithWakeups(s.listener(t)),
		WithSubscriptionPoll(time.Hour), WithSessionRecheck(time.Hour))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	subscribe := func(t *testing.T) (*liveWS, string) {
		token := s.session(t)
		ws := dialLive(t, srv.URL, map[string]any{"X-PARTNER-ID": s.shop.ID(), "Authorization": "Bearer " + token})
		before := s.queries.n.Load()
		ws.write(map[string]any{"id": "1", "type": "subscribe",
			"payload": map[string]any{"query": `subscription { transactionUpdated { reffId status } }`}})
		// The feed reads its starting point after it watches; a top-up
		// committed after that read is the subscriber's.
		for s.queries.n.Load() == before {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(100 * time.Millisecond)
		return ws, token
	}

	t.Run("a committed top-up reaches the subscriber", func(t *testing.T) {
		ws, _ := subscribe(t)
		reffID := s.topUp(t, "LIVE-1")
		msg := ws.read()
		if msg["type"] != "next" || !strings.Contains(ws.raw, reffID) {
			t.Fatalf("got %s, want the top-up %s", ws.raw, reffID)
		}
	})

	t.Run("logout ends the subscription", func(t *testing.T) {
		ws, token := subscribe(t)
		if err := s.app.Logout(context.Background(), s.shop.ID(), token); err != nil {
			t.Fatal(err)
		}
		ws.wantEnd(t, "Authorization")
	})

	t.Run("disabling the partner ends the subscription", func(t *testing.T) {
		ws, _ := subscribe(t)
		// Another process's change: this process's cache still holds the
		// partner until the notification evicts it.
		if _, err := s.db.SQL().Exec(`UPDATE partners SET disabled = true WHERE id = $1`, s.shop.ID()); err != nil {
			t.Fatal(err)
		}
		ws.wantEnd(t, "X-PARTNER-ID")
	})
}

// session starts a customer session for the stack's customer and returns
// its token, as an OTP login would.
func (s *pgStack) session(t *testing.T) string {
	t.Helper()
	token, err := session.NewToken(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	logcheck.Secret("access token", token)
	err = bunstore.NewUnitOfWork(s.db, nil, s.box).Do(context.Background(), func(ctx context.Context, r app.Repos) error {
		return r.Sessions.Add(ctx, session.Start("S-"+t.Name(), token, s.shop.ID(), s.customer, time.Now(), time.Hour))
	})
	if err != nil {
		t.Fatal(err)
	}
	return token
}

type liveWS struct {
	t    *testing.T
	ctx  context.Context
	conn *coderws.Conn
	raw  string
}

func dialLive(t *testing.T, base string, init map[string]any) *liveWS {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	conn, _, err := coderws.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+Endpoint,
		&coderws.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.CloseNow() })
	ws := &liveWS{t: t, ctx: ctx, conn: conn}
	ws.write(map[string]any{"type": "connection_init", "payload": init})
	if msg := ws.read(); msg["type"] != "connection_ack" {
		t.Fatalf("got %s, want connection_ack", ws.raw)
	}
	return ws
}

func (w *liveWS) write(v any) {
	w.t.Helper()
	b, _ := json.Marshal(v)
	if err := w.conn.Write(w.ctx, coderws.MessageText, b); err != nil {
		w.t.Fatal(err)
	}
}

// read returns the next message other than a keep-alive, within
// liveDeadline.
func (w *liveWS) read() map[string]any {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(w.ctx, liveDeadline)
	defer cancel()
	for {
		_, data, err := w.conn.Read(ctx)
		if err != nil {
			w.t.Fatalf("no message within %v: %v", liveDeadline, err)
		}
		var msg map[string]any
		if err := json.Unmarshal(data, &msg); err != nil {
			w.t.Fatal(err)
		}
		if msg["type"] == "ping" || msg["type"] == "pong" || msg["type"] == "ka" {
			continue
		}
		w.raw = string(data)
		return msg
	}
}

// wantEnd reads until the subscription ends with UNAUTHENTICATED naming
// field.
func (w *liveWS) wantEnd(t *testing.T, field string) {
	t.Helper()
	for {
		msg := w.read()
		switch msg["type"] {
		case "next", "error":
			if strings.Contains(w.raw, "UNAUTHENTICATED") && strings.Contains(w.raw, field) {
				return
			}
			t.Fatalf("got %s, want UNAUTHENTICATED about %s", w.raw, field)
		case "complete":
			t.Fatalf("completed without an error")
		}
	}
}
