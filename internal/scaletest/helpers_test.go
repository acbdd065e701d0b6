package scaletest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/dompet/wallet/domain/qris"
	"github.com/dompet/wallet/internal/walletproc"
)

// partnerWithCallback creates a partner whose webhooks go to url.
func partnerWithCallback(t *testing.T, env []string, name, url string) walletproc.Partner {
	t.Helper()
	var p walletproc.Partner
	out := walletproc.CLI(t, env, "partner", "create", "--name", name, "--callback-url", url)
	if err := json.Unmarshal(out, &p); err != nil || p.PartnerID == "" {
		t.Fatalf("partner create: %v %s", err, out)
	}
	return p
}

// mustCode calls and fails the test unless the answer has code want.
func mustCode(t *testing.T, p walletproc.Partner, base, method, path, body, extID string, want int) walletproc.Answer {
	t.Helper()
	a := p.Call(nil, base, method, path, body, extID)
	if a.Code() != want {
		t.Fatalf("%s %s: code %d (want %d) %v %s", method, path, a.Code(), want, a.Err, a.Body)
	}
	return a
}

// registerCustomer registers and activates mobile (08…) through base and
// returns its access token.
func registerCustomer(t *testing.T, shop walletproc.Partner, base, mobile string, servers ...*walletproc.Server) string {
	t.Helper()
	mustCode(t, shop, base, "POST", "/register-customer/", `{"mobileNumber":"`+mobile+`","firstName":"Budi"}`, "reg-"+mobile, 0)
	otp := walletproc.WaitOTP(t, "62"+mobile[1:], servers...)
	a := mustCode(t, shop, base, "POST", "/validate-otp/", `{"mobileNumber":"`+mobile+`","otp":"`+otp+`"}`, "otp-"+mobile, 0)
	return a.Env["data"].(map[string]any)["accessToken"].(string)
}

// qrDynamic is a dynamic QRIS payload of amount.
func qrDynamic(t *testing.T, amount int64) string {
	t.Helper()
	acq, err := qris.NewAcquirer(51, qris.QRISGlobalID, "", "ID1020012345678", "UMI")
	if err != nil {
		t.Fatal(err)
	}
	s, err := qris.NewBuilder().Acquirer(acq).MCC("5812").MerchantName("WARUNG BU SRI").MerchantCity("JAKARTA").
		PostalCode("12345").Initiation(qris.Dynamic).Amount(amount).Encode()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// hook is one webhook the partner endpoint received.
type hook struct {
	EventID    string `json:"eventId"`
	ReffID     string `json:"reffId"`
	Status     string `json:"status"`
	OccurredAt string `json:"occurredAt"`
}

// receiver is the partner's webhook endpoint: it records every delivery
// in arrival order.
type receiver struct {
	srv  *httptest.Server
	mu   sync.Mutex
	got  []hook
	seen map[string]int // eventId → deliveries
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{seen: map[string]int{}}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		var h hook
		_ = json.Unmarshal(body, &h)
		r.mu.Lock()
		r.got = append(r.got, h)
		r.seen[h.EventID]++
		r.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) snapshot() ([]hook, map[string]int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := make(map[string]int, len(r.seen))
	for k, v := range r.seen {
		seen[k] = v
	}
	return append([]hook(nil), r.got...), seen
}

// subscriber is a graphql-transport-ws client of transactionUpdated.
type subscriber struct {
	conn *websocket.Conn
	ctx  context.Context
}

func subscribe(t *testing.T, base, partnerID, token string) *subscriber {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.CloseNow() })
	s := &subscriber{conn: conn, ctx: ctx}
	s.write(t, map[string]any{"type": "connection_init", "payload": map[string]any{"X-PARTNER-ID": partnerID, "Authorization": "Bearer " + token}})
	if m := s.read(t); m["type"] != "connection_ack" {
		t.Fatalf("websocket: %v, want connection_ack", m)
	}
	s.write(t, map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query": "subscription { transactionUpdated { reffId status } }"}})
	return s
}

func (s *subscriber) write(t *testing.T, msg map[string]any) {
	t.Helper()
	b, _ := json.Marshal(msg)
	if err := s.conn.Write(s.ctx, websocket.MessageText, b); err != nil {
		t.Fatal(err)
	}
}

func (s *subscriber) read(t *testing.T) map[string]any {
	t.Helper()
	_, b, err := s.conn.Read(s.ctx)
	if err != nil {
		t.Fatalf("websocket read: %v", err)
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

// waitFor reads messages until one names reffID, within timeout.
func (s *subscriber) waitFor(t *testing.T, reffID string, timeout time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, timeout)
	defer cancel()
	for {
		_, b, err := s.conn.Read(ctx)
		if err != nil {
			t.Fatalf("subscriber saw no event of %s: %v", reffID, err)
		}
		if strings.Contains(string(b), `"reffId":"`+reffID+`"`) {
			return
		}
		if strings.Contains(string(b), `"type":"error"`) {
			t.Fatalf("subscription failed: %s", b)
		}
	}
}

func mobileOf(i int) string { return fmt.Sprintf("0812345%05d", i) }
