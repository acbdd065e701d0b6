package graph_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	coderws "github.com/coder/websocket"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/graph"
)

// ---- subscription and webhooks ----

const (
	transactionUpdatedSubscription = `subscription { transactionUpdated { ` + transactionFields + ` } }`
	setCallbackURLMutation         = `mutation($url: String!) { setCallbackUrl(url: $url) { partnerId name role callbackUrl } }`
	webhookDeliveriesQuery         = `query($status: WebhookStatus, $first: Int) {
	webhookDeliveries(status: $status, first: $first) { eventId reffId status attempts lastError createdAt deliveredAt payload }
}`
)

type partnerData struct {
	PartnerID   string  `json:"partnerId"`
	Name        string  `json:"name"`
	Role        string  `json:"role"`
	CallbackURL *string `json:"callbackUrl"`
}

type deliveryData struct {
	EventID     string  `json:"eventId"`
	ReffID      string  `json:"reffId"`
	Status      string  `json:"status"`
	Attempts    int     `json:"attempts"`
	LastError   *string `json:"lastError"`
	CreatedAt   string  `json:"createdAt"`
	DeliveredAt *string `json:"deliveredAt"`
	Payload     string  `json:"payload"`
}

// wsClient is one graphql-transport-ws connection to a test server.
type wsClient struct {
	t    *testing.T
	ctx  context.Context
	conn *coderws.Conn
}

// dialWS opens a websocket to the handler and sends connection_init with
// payload; it fails the test unless the server acknowledges.
func dialWS(t *testing.T, handler http.Handler, payload map[string]any) *wsClient {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	conn, _, err := coderws.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+graph.Endpoint,
		&coderws.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.CloseNow() })
	c := &wsClient{t: t, ctx: ctx, conn: conn}
	writeWS(ctx, t, conn, map[string]any{"type": "connection_init", "payload": payload})
	if msg := c.read(); msg["type"] != "connection_ack" {
		t.Fatalf("got %v, want connection_ack", msg)
	}
	return c
}

func (c *wsClient) subscribe(id, query string) {
	c.t.Helper()
	writeWS(c.ctx, c.t, c.conn, map[string]any{"id": id, "type": "subscribe", "payload": map[string]any{"query": query}})
}

func (c *wsClient) read() map[string]any {
	c.t.Helper()
	return readWS(c.ctx, c.t, c.conn)
}

// next reads the next message of operation id, which must be a result
// without errors, into dst (the data object).
func (c *wsClient) next(id string, dst any) {
	c.t.Helper()
	msg := c.read()
	b, _ := json.Marshal(msg)
	if msg["type"] != "next" || msg["id"] != id {
		c.t.Fatalf("got %s, want next for %s", b, id)
	}
	var payload struct {
		Data   json.RawMessage `json:"data"`
		Errors []gqlError      `json:"errors"`
	}
	raw, _ := json.Marshal(msg["payload"])
	if err := json.Unmarshal(raw, &payload); err != nil || len(payload.Errors) > 0 {
		c.t.Fatalf("next for %s: %s", id, b)
	}
	if err := json.Unmarshal(payload.Data, dst); err != nil {
		c.t.Fatalf("decode %s: %v", b, err)
	}
}

// operationErrors reads messages until operation id fails or completes,
// returning its errors.
func (c *wsClient) operationErrors(id string) []gqlError {
	c.t.Helper()
	var errs []gqlError
	for {
		msg := c.read()
		if msg["id"] != id {
			continue
		}
		raw, _ := json.Marshal(msg["payload"])
		switch msg["type"] {
		case "error":
			var e []gqlError
			if err := json.Unmarshal(raw, &e); err != nil {
				c.t.Fatalf("error payload %s: %v", raw, err)
			}
			return append(errs, e...)
		case "next":
			var p struct {
				Errors []gqlError `json:"errors"`
			}
			_ = json.Unmarshal(raw, &p)
			if len(p.Errors) == 0 {
				c.t.Fatalf("operation %s answered without an error: %s", id, raw)
			}
			errs = append(errs, p.Errors...)
		case "complete":
			return errs
		}
	}
}

// waitFeedReads waits until the subscription feed has been read at least
// n times: a subscription has then taken its starting point.
func (f *fixture) waitFeedReads(n int64) {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for f.feedReads.Load() < n {
		if time.Now().After(deadline) {
			f.t.Fatalf("subscription feed read %d times, want %d", f.feedReads.Load(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestTransactionUpdatedFollowsAQrisPaymentLive(t *testing.T) {
	t.Parallel()
	f := newFixture(t, noFault, graph.WithSubscriptionPoll(20*time.Millisecond))
	p := f.partner("ojek")
	bca := f.partnerAs("BCA", "CHANNEL")
	const mobile, other = "081234567870", "081234567871"
	token := f.login(&p, mobile)
	f.login(&p, other)
	// History before subscribing is not replayed.
	f.topUp(&bca, mobile, "100000", "BCA-S1")

	ws := dialWS(t, f.handler, map[string]any{"X-PARTNER-ID": p.id, "Authorization": "Bearer " + token})
	reads := f.feedReads.Load()
	ws.subscribe("1", transactionUpdatedSubscription)
	f.waitFeedReads(reads + 2) // the starting point, then a first poll

	// Another customer's transaction is not this subscriber's.
	f.topUp(&bca, other, "50000", "BCA-S2")

	ctx := context.Background()
	payer, err := f.app.Partner(ctx, p.id)
	if err != nil {
		t.Fatal(err)
	}
	f.syncClock(500 * time.Millisecond) // the switch answers only after the test sleeps
	paid, err := f.app.PayQRIS(ctx, app.PayQRIS{Partner: payer, MobileNumber: mobile, QRContent: qrPayload(t, 25000, nil)})
	if err != nil {
		t.Fatal(err)
	}
	reffID := paid.Transaction.ID()

	var got struct {
		TransactionUpdated transactionData `json:"transactionUpdated"`
	}
	ws.next("1", &got)
	tx := got.TransactionUpdated
	if tx.ReffID != reffID || tx.Type != "QRIS_PAYMENT" || tx.Status != "PENDING" || tx.TotalAmount != "25000" ||
		deref(tx.Direction) != "OUT" || deref(tx.Counterparty) != "WARUNG BU SRI" {
		t.Fatalf("first message = %+v, want the QRIS payment PENDING (%s)", tx, reffID)
	}
	wantWIB(t, tx.Date)

	// The switch answers; the settlement job (another process, in
	// production) marks it paid: the subscriber sees SUCCESS.
	f.settleAfterSwitch(reffID)
	ws.next("1", &got)
	if tx := got.TransactionUpdated; tx.ReffID != reffID || tx.Status != "SUCCESS" {
		t.Fatalf("second message = %+v, want %s SUCCESS", tx, reffID)
	}

	// Another server's slower database transaction commits an event whose
	// id is below one already read: the feed still sends it.
	events, err := f.app.Deliveries(ctx, p.id, "", 10)
	if err != nil || len(events) != 2 || events[1].ReffID != reffID {
		t.Fatalf("partner events = %+v (%v), want the payment's PENDING and SUCCESS", events, err)
	}
	late := events[1] // PENDING; events[0] is SUCCESS, with a larger id
	late.ID += "0"    // between the two
	if err := f.store.Do(ctx, func(ctx context.Context, r app.Repos) error { return r.Events.Add(ctx, late) }); err != nil {
		t.Fatal(err)
	}
	ws.next("1", &got)
	if tx := got.TransactionUpdated; tx.ReffID != reffID || tx.Status != "SUCCESS" {
		t.Fatalf("late event message = %+v, want %s as it stands (SUCCESS)", tx, reffID)
	}

	// complete stops the feed: no more reads of the outbox.
	writeWS(ws.ctx, t, ws.conn, map[string]any{"id": "1", "type": "complete"})
	time.Sleep(100 * time.Millisecond)
	before := f.feedReads.Load()
	time.Sleep(200 * time.Millisecond)
	if after := f.feedReads.Load(); after != before {
		t.Fatalf("feed still read after complete: %d reads, then %d", before, after)
	}
}

func TestTransactionUpdatedNeedsACustomerOnAWebsocket(t *testing.T) {
	t.Parallel()
	f := newFixture(t, noFault, graph.WithSubscriptionPoll(20*time.Millisecond))
	p := f.partner("ojek")
	token := f.login(&p, "081234567872")

	t.Run("no token in connection_init", func(t *testing.T) {
		t.Parallel()
		ws := dialWS(t, f.handler, map[string]any{"X-PARTNER-ID": p.id})
		ws.subscribe("1", transactionUpdatedSubscription)
		errs := ws.operationErrors("1")
		if len(errs) != 1 || errs[0].Extensions.Code != "UNAUTHENTICATED" || errs[0].Extensions.LegacyCode != 20 {
			t.Fatalf("errors = %+v, want one UNAUTHENTICATED (20)", errs)
		}
	})

	t.Run("a bad token is refused at connection_init", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(f.handler)
		t.Cleanup(srv.Close)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		t.Cleanup(cancel)
		conn, _, err := coderws.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+graph.Endpoint,
			&coderws.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = conn.CloseNow() })
		writeWS(ctx, t, conn, map[string]any{"type": "connection_init", "payload": map[string]any{
			"X-PARTNER-ID": p.id, "Authorization": "Bearer not-a-token"}})
		for {
			_, data, err := conn.Read(ctx)
			if err != nil {
				return // closed without an ack
			}
			if strings.Contains(string(data), "connection_ack") {
				t.Fatalf("a bad token was acknowledged")
			}
		}
	})

	t.Run("not over POST", func(t *testing.T) {
		t.Parallel()
		r := f.post(as{partner: &p, token: token}, transactionUpdatedSubscription, nil)
		if e := r.wantError(t, http.StatusOK, "INVALID_REQUEST", 10); !strings.Contains(e.Message, "websocket") {
			t.Fatalf("message %q does not say a websocket is needed", e.Message)
		}
	})
}

func TestTransactionUpdatedEndsAtLogout(t *testing.T) {
	t.Parallel()
	f := newFixture(t, noFault, graph.WithSubscriptionPoll(20*time.Millisecond), graph.WithSessionRecheck(50*time.Millisecond))
	p := f.partner("ojek")
	token := f.login(&p, "081234567875")
	ws := dialWS(t, f.handler, map[string]any{"X-PARTNER-ID": p.id, "Authorization": "Bearer " + token})
	reads := f.feedReads.Load()
	ws.subscribe("1", transactionUpdatedSubscription)
	f.waitFeedReads(reads + 2)

	f.post(as{partner: &p, token: token}, `mutation { logout }`, nil).decode(t, &struct{}{})
	errs := ws.operationErrors("1")
	if len(errs) != 1 || errs[0].Extensions.Code != "UNAUTHENTICATED" || errs[0].Extensions.LegacyCode != 20 ||
		!strings.Contains(errs[0].Message, "revoked") {
		t.Fatalf("errors = %+v, want one UNAUTHENTICATED (20) saying the token was revoked", errs)
	}
}

// recordingSender answers every webhook with 200.
type recordingSender struct{ urls chan string }

func (s recordingSender) Post(_ context.Context, url string, _ map[string]string, _ []byte) (int, error) {
	s.urls <- url
	return http.StatusOK, nil
}

func TestSetCallbackURL(t *testing.T) {
	t.Parallel()
	f := newFixture(t, noFault)
	p := f.partner("ojek")
	signed := as{partner: &p, sign: true}

	f.post(signed, setCallbackURLMutation, map[string]any{"url": "ftp://ojek.example/hook"}).wantError(t, http.StatusOK, "INVALID_REQUEST", 10)
	f.post(signed, setCallbackURLMutation, map[string]any{"url": "not a url"}).wantError(t, http.StatusOK, "INVALID_REQUEST", 10)
	// A frontend (no signature) or a customer cannot change it.
	f.post(as{partner: &p}, setCallbackURLMutation, map[string]any{"url": "https://evil.example/"}).wantError(t, http.StatusOK, "UNAUTHENTICATED", 20)
	f.post(as{partner: &p, token: f.login(&p, "081234567873")}, setCallbackURLMutation,
		map[string]any{"url": "https://evil.example/"}).wantError(t, http.StatusOK, "UNAUTHENTICATED", 20)

	var out struct {
		SetCallbackURL partnerData `json:"setCallbackUrl"`
	}
	f.post(signed, setCallbackURLMutation, map[string]any{"url": "https://ojek.example/wallet/hook"}).decode(t, &out)
	if got := out.SetCallbackURL; got.PartnerID != p.id || got.Name != "ojek" || got.Role != "PARTNER" ||
		deref(got.CallbackURL) != "https://ojek.example/wallet/hook" {
		t.Fatalf("setCallbackUrl = %+v", got)
	}
	stored, err := f.app.Partner(context.Background(), p.id)
	if err != nil || stored.CallbackURL() != "https://ojek.example/wallet/hook" {
		t.Fatalf("stored callback URL = %q (%v)", stored.CallbackURL(), err)
	}
	// Empty turns webhooks off.
	f.post(signed, setCallbackURLMutation, map[string]any{"url": ""}).decode(t, &out)
	if out.SetCallbackURL.CallbackURL != nil {
		t.Fatalf("callbackUrl after clearing = %q", *out.SetCallbackURL.CallbackURL)
	}
}

func TestWebhookDeliveriesArePerPartner(t *testing.T) {
	t.Parallel()
	f := newFixture(t, noFault)
	p := f.partner("ojek")
	bca := f.partnerAs("BCA", "CHANNEL")
	// With an endpoint the channel's events wait for delivery; without one
	// (the partner here) they are recorded as NO_ENDPOINT.
	if _, err := f.app.SetCallbackURL(context.Background(), bca.id, "https://bca.example/hook"); err != nil {
		t.Fatal(err)
	}
	const mobile = "081234567874"
	customer := as{partner: &p, token: f.login(&p, mobile)}
	topUp := f.topUp(&bca, mobile, "100000", "BCA-W1").Transaction
	f.syncClock(500 * time.Millisecond)
	qris := f.payQris(customer, map[string]any{"qrContent": qrPayload(t, 25000, nil)}).qrisResult(t, "payQris").Transaction

	deliveries := func(who as, vars map[string]any) []deliveryData {
		t.Helper()
		var out struct {
			WebhookDeliveries []deliveryData `json:"webhookDeliveries"`
		}
		f.post(who, webhookDeliveriesQuery, vars).decode(t, &out)
		return out.WebhookDeliveries
	}

	// The channel sees its top-up, not the partner's payment.
	got := deliveries(as{partner: &bca, sign: true}, nil)
	if len(got) != 1 {
		t.Fatalf("channel deliveries = %+v, want its top-up only", got)
	}
	d := got[0]
	var payload app.EventPayload
	if err := json.Unmarshal([]byte(d.Payload), &payload); err != nil {
		t.Fatalf("payload %q: %v", d.Payload, err)
	}
	if d.ReffID != topUp.ReffID || d.Status != "PENDING" || d.Attempts != 0 || d.LastError != nil || d.DeliveredAt != nil ||
		payload.EventID != d.EventID || payload.ReffID != topUp.ReffID || payload.Status != "SUCCESS" ||
		payload.TransactionType != "TOPUP_VA" || payload.Amount != "100000" {
		t.Fatalf("channel delivery = %+v (payload %+v)", d, payload)
	}
	wantWIB(t, d.CreatedAt)

	// The partner sees its payment's event, not the channel's.
	got = deliveries(as{partner: &p, sign: true}, map[string]any{"first": 10})
	if len(got) != 1 || got[0].ReffID != qris.ReffID || got[0].EventID == d.EventID {
		t.Fatalf("partner deliveries = %+v, want its QRIS payment only", got)
	}

	// Delivered: the status filter and the delivery time.
	f.post(as{partner: &bca, sign: true}, setCallbackURLMutation, map[string]any{"url": "https://bca.example/hook"}).decode(t, &struct{}{})
	sent := recordingSender{urls: make(chan string, 1)}
	if err := app.NewWebhooks(f.app, sent).Deliver(context.Background(), d.EventID, false); err != nil {
		t.Fatal(err)
	}
	if url := <-sent.urls; url != "https://bca.example/hook" {
		t.Fatalf("delivered to %q", url)
	}
	if got := deliveries(as{partner: &bca, sign: true}, map[string]any{"status": "PENDING"}); len(got) != 0 {
		t.Fatalf("pending after delivery = %+v", got)
	}
	got = deliveries(as{partner: &bca, sign: true}, map[string]any{"status": "DELIVERED"})
	if len(got) != 1 || got[0].EventID != d.EventID || got[0].Attempts != 1 || got[0].DeliveredAt == nil {
		t.Fatalf("delivered = %+v", got)
	}
	wantWIB(t, *got[0].DeliveredAt)

	// Signed only; first within bounds.
	f.post(as{partner: &bca}, webhookDeliveriesQuery, nil).wantError(t, http.StatusOK, "UNAUTHENTICATED", 20)
	f.post(customer, webhookDeliveriesQuery, nil).wantError(t, http.StatusOK, "UNAUTHENTICATED", 20)
	f.post(as{partner: &bca, sign: true}, webhookDeliveriesQuery, map[string]any{"first": 0}).wantError(t, http.StatusOK, "INVALID_REQUEST", 10)
	f.post(as{partner: &bca, sign: true}, webhookDeliveriesQuery, map[string]any{"first": 501}).wantError(t, http.StatusOK, "INVALID_REQUEST", 10)
}
