package snap_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/internal/testdb"
)

func TestSNAP(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *bunstore.DB) {
		s := newStack(t, db)
		for name, fn := range map[string]func(*testing.T, *stack){
			"access token":                  accessToken,
			"transactional auth":            transactionalAuth,
			"balance inquiry":               balanceInquiry,
			"top-up by a channel":           topUpByChannel,
			"amounts":                       amounts,
			"replay and conflict":           replayAndConflict,
			"concurrent identical requests": concurrentRequests,
			"not supported":                 notSupported,
		} {
			t.Run(name, func(t *testing.T) { t.Parallel(); fn(t, s) })
		}
	})
}

func accessToken(t *testing.T, s *stack) {
	c := s.client(t, "PARTNER")
	now := time.Now()
	r := c.tokenCall(now, c.p.ID(), c.key)
	expect(t, r, "2007300")
	if r.str("tokenType") != "Bearer" || r.str("expiresIn") != "900" || len(r.str("accessToken")) < 32 {
		t.Fatalf("token answer: %s", r.Raw)
	}
	if r.str("accessToken") == c.token {
		t.Fatal("tokens are not random")
	}
	// Stamps have whole seconds and the server reads its clock later: 10 s
	// of margin keeps the future case from landing inside the window.
	expect(t, c.tokenCall(now.Add(-301*time.Second), c.p.ID(), c.key), "4017300")
	expect(t, c.tokenCall(now.Add(310*time.Second), c.p.ID(), c.key), "4017300")
	expect(t, c.tokenCall(now, c.p.ID(), testKey(t, 1)), "4017300")
	expect(t, c.tokenCall(now, "no-such-partner", c.key), "4017300")
	noKey, _ := s.Partner("PARTNER") // legacy partner without a SNAP key
	expect(t, c.tokenCall(now, noKey, c.key), "4017300")
	// Missing header and bad grant type.
	expect(t, s.send("POST", "/snap/v1.0/access-token/b2b", `{"grantType":"client_credentials"}`,
		map[string]string{"X-TIMESTAMP": stamp(now), "X-CLIENT-KEY": c.p.ID()}), "4007302")
	st := stamp(now)
	h := map[string]string{"X-TIMESTAMP": st, "X-CLIENT-KEY": c.p.ID(), "X-SIGNATURE": rsaSign(t, c.key, c.p.ID()+"|"+st)}
	expect(t, s.send("POST", "/snap/v1.0/access-token/b2b", `{"grantType":"password"}`, h), "4007301")
	expect(t, s.send("POST", "/snap/v1.0/access-token/b2b", `{}`, h), "4007302")

	// Rotation: the old key stops working, tokens already issued stay.
	if _, err := s.App.SetSNAPPublicKey(context.Background(), c.p.ID(), publicPEM(t, testKey(t, 1))); err != nil {
		t.Fatal(err)
	}
	expect(t, c.tokenCall(now, c.p.ID(), c.key), "4017300")
	expect(t, c.tokenCall(now, c.p.ID(), testKey(t, 1)), "2007300")
	if _, err := s.App.SetSNAPPublicKey(context.Background(), c.p.ID(), []byte("not a key")); err == nil {
		t.Fatal("a bad key was accepted")
	}
}

func transactionalAuth(t *testing.T, s *stack) {
	a, b := s.client(t, "PARTNER"), s.client(t, "PARTNER")
	mobile := s.customer(t, a.p)
	body := `{"partnerReferenceNo":"1","accountNo":"` + mobile + `"}`
	expect(t, a.do(req{path: "balance-inquiry", body: body}), "2001100")
	// A's token presented by B (signed with B's secret): 401xx01.
	expect(t, b.do(req{path: "balance-inquiry", body: body, token: a.token}), "4011101")
	// A's token with B's id but A's secret: still the token's owner decides.
	expect(t, a.do(req{path: "balance-inquiry", body: body, partnerID: b.p.ID()}), "4011101")
	expect(t, a.do(req{path: "balance-inquiry", body: body, token: "no-such-token"}), "4011101")
	expect(t, a.do(req{path: "balance-inquiry", body: body, drop: "Authorization"}), "4011101")
	expect(t, a.do(req{path: "balance-inquiry", body: body, secret: b.secret}), "4011100")
	expect(t, a.do(req{path: "balance-inquiry", body: body, ts: time.Now().Add(-6 * time.Minute)}), "4011100")
	for _, h := range []string{"X-TIMESTAMP", "X-SIGNATURE", "X-PARTNER-ID", "X-EXTERNAL-ID", "CHANNEL-ID"} {
		r := a.do(req{path: "balance-inquiry", body: body, drop: h})
		expect(t, r, "4001102")
		if !strings.Contains(r.str("responseMessage"), h) {
			t.Errorf("missing %s: %s", h, r.Raw)
		}
	}
	// The signature covers the minified body: a pretty-printed body signed
	// minified passes.
	pretty := "{\n  \"accountNo\": \"" + mobile + "\"\n}"
	r := a.do(req{path: "balance-inquiry", body: pretty})
	expect(t, r, "2001100")
	// Unknown path.
	if r := a.do(req{path: "no-such-service", body: body}); r.Status != 404 {
		t.Fatalf("unknown path: %d %s", r.Status, r.Raw)
	}
}

func balanceInquiry(t *testing.T, s *stack) {
	p, other, ch := s.client(t, "PARTNER"), s.client(t, "PARTNER"), s.client(t, "CHANNEL")
	mobile := s.customer(t, p.p)
	s.topUp(t, ch, mobile, 150000)
	r := p.call("balance-inquiry", `{"partnerReferenceNo":"B1","accountNo":"`+mobile+`","balanceTypes":["Cash"]}`)
	expect(t, r, "2001100")
	infos, _ := r.M["accountInfos"].([]any)
	if len(infos) != 1 || r.str("name") != "Budi Santoso" || r.str("accountNo") != mobile {
		t.Fatalf("balance: %s", r.Raw)
	}
	info := infos[0].(map[string]any)
	for _, k := range []string{"amount", "availableBalance", "ledgerBalance"} {
		if v := info[k].(map[string]any); v["value"] != "150000.00" || v["currency"] != "IDR" {
			t.Errorf("%s = %v", k, v)
		}
	}
	// Not bound, a channel, an unknown number, a bad number, a missing one.
	r = other.call("balance-inquiry", `{"accountNo":"`+mobile+`"}`)
	expect(t, r, "4031101")
	if strings.Contains(string(r.Raw), "150000") {
		t.Fatalf("balance leaked: %s", r.Raw)
	}
	expect(t, ch.call("balance-inquiry", `{"accountNo":"`+mobile+`"}`), "4031101")
	// An unknown number answers as an unbound one.
	expect(t, p.call("balance-inquiry", `{"accountNo":"081399999999"}`), "4031101")
	r = p.call("balance-inquiry", `{"accountNo":"0215551234"}`)
	expect(t, r, "4001101")
	if !strings.Contains(r.str("responseMessage"), "accountNo") {
		t.Errorf("bad number message: %s", r.Raw)
	}
	r = p.call("balance-inquiry", `{"partnerReferenceNo":"B2"}`)
	expect(t, r, "4001102")
	if r.str("responseMessage") != "Invalid Mandatory Field accountNo" {
		t.Errorf("missing field message: %s", r.Raw)
	}
	expect(t, p.call("balance-inquiry", `{"accountNo":12}`), "4001101")
	expect(t, p.call("balance-inquiry", `[1]`), "4001100")
	expect(t, p.call("balance-inquiry", `{"accountNo":"x"} trailing`), "4001100")
	expect(t, p.call("balance-inquiry", `{"accountNo":"`+strings.Repeat("9", 70<<10)+`"}`), "4001100")
}

func topUpByChannel(t *testing.T, s *stack) {
	p, ch := s.client(t, "PARTNER"), s.client(t, "CHANNEL")
	mobile := s.customer(t, p.p)
	r := ch.call("emoney/account-inquiry", `{"partnerReferenceNo":"Q1","customerNumber":"`+mobile+`","amount":{"value":"50000.00","currency":"IDR"}}`)
	expect(t, r, "2003700")
	if r.str("customerName") != "Budi Santoso" || r.at("feeAmount.value") != "2500.00" || r.at("maxAmount.value") != "2000000.00" ||
		r.at("minAmount.value") != "10000.00" || r.str("sessionId") == "" {
		t.Fatalf("inquiry: %s", r.Raw)
	}
	expect(t, ch.call("emoney/account-inquiry", `{"customerNumber":"`+mobile+`","amount":{"value":"2000001.00","currency":"IDR"}}`), "4033702")
	expect(t, ch.call("emoney/account-inquiry", `{"customerNumber":"081399999998","amount":{"value":"50000.00","currency":"IDR"}}`), "4043711")
	expect(t, p.call("emoney/account-inquiry", `{"customerNumber":"`+mobile+`","amount":{"value":"50000.00","currency":"IDR"}}`), "4033701")

	ref := fmt.Sprintf("TOPUP-%d", s.seq())
	body := `{"partnerReferenceNo":"` + ref + `","customerNumber":"` + mobile + `","amount":{"value":"50000.00","currency":"IDR"},"feeAmount":{"value":"2500.00","currency":"IDR"}}`
	r = ch.call("emoney/topup", body)
	expect(t, r, "2003800")
	reff := r.str("referenceNo")
	if reff == "" || r.str("partnerReferenceNo") != ref || r.at("amount.value") != "50000.00" || r.str("transactionDate") == "" {
		t.Fatalf("topup: %s", r.Raw)
	}
	// The same partnerReferenceNo under a new X-EXTERNAL-ID moved money
	// already: 409xx01, nothing credited.
	expect(t, ch.call("emoney/topup", body), "4093801")
	expect(t, ch.call("emoney/topup", strings.Replace(body, "50000.00", "60000.00", 1)), "4093801")
	expect(t, ch.call("emoney/topup", strings.Replace(body, `"2500.00"`, `"1000.00"`, 1)), "4003801")
	expect(t, p.call("emoney/topup", strings.Replace(body, ref, ref+"P", 1)), "4033801")
	expect(t, ch.call("emoney/topup", strings.Replace(strings.Replace(body, ref, ref+"L", 1), "50000.00", "1990000.00", 1)), "4033802")
	bal := p.call("balance-inquiry", `{"accountNo":"`+mobile+`"}`)
	if bal.at("accountInfos") == nil || !strings.Contains(string(bal.Raw), `"availableBalance":{"value":"50000.00"`) {
		t.Fatalf("balance after top-ups: %s", bal.Raw)
	}
	// Status by either reference.
	for _, q := range []string{`{"originalPartnerReferenceNo":"` + ref + `","serviceCode":"38"}`, `{"originalReferenceNo":"` + reff + `"}`} {
		r = ch.call("emoney/topup-status", q)
		expect(t, r, "2003900")
		if r.str("latestTransactionStatus") != "00" || r.str("originalReferenceNo") != reff || r.str("originalPartnerReferenceNo") != ref {
			t.Fatalf("status: %s", r.Raw)
		}
	}
	expect(t, ch.call("emoney/topup-status", `{"originalPartnerReferenceNo":"nope"}`), "4043901")
	expect(t, ch.call("emoney/topup-status", `{}`), "4003902")
	// Another channel cannot read it.
	expect(t, s.client(t, "CHANNEL").call("emoney/topup-status", `{"originalReferenceNo":"`+reff+`"}`), "4043901")
	// One ledger: the legacy status shows the same transaction to the
	// partner the customer is bound to (a CHANNEL may not call it, SPEC §4).
	lr := s.Do(apptestReq(p, "/transaction-status/?reffId="+reff))
	if lr.Env.Code != 0 || lr.Env.Data["amount"] != "50000" || lr.Env.Data["status"] != "SUCCESS" {
		t.Fatalf("legacy status: %s", lr.Raw)
	}
}

func amounts(t *testing.T, s *stack) {
	ch := s.client(t, "CHANNEL")
	p := s.client(t, "PARTNER")
	mobile := s.customer(t, p.p)
	for _, tt := range []struct{ amount, code, field string }{
		{`{"value":"10000.0","currency":"IDR"}`, "4003701", "amount.value"},
		{`{"value":"10000","currency":"IDR"}`, "4003701", "amount.value"},
		{`{"value":"10000.50","currency":"IDR"}`, "4003701", "amount.value"},
		{`{"value":"-10000.00","currency":"IDR"}`, "4003701", "amount.value"},
		{`{"value":"1e4","currency":"IDR"}`, "4003701", "amount.value"},
		{`{"value":10000.00,"currency":"IDR"}`, "4003701", "amount.value"},
		{`{"value":"10000.00","currency":"USD"}`, "4003701", "amount.currency"},
		{`{"value":"10000.00"}`, "4003702", "amount.currency"},
		{`{"currency":"IDR"}`, "4003702", "amount.value"},
		{`null`, "4003702", "amount"},
		{`"10000.00"`, "4003701", "amount"},
	} {
		r := ch.call("emoney/account-inquiry", `{"customerNumber":"`+mobile+`","amount":`+tt.amount+`}`)
		expect(t, r, tt.code)
		if !strings.HasSuffix(r.str("responseMessage"), " "+tt.field) {
			t.Errorf("%s: message %q does not name %s", tt.amount, r.str("responseMessage"), tt.field)
		}
	}
}

func replayAndConflict(t *testing.T, s *stack) {
	p, ch := s.client(t, "PARTNER"), s.client(t, "CHANNEL")
	mobile := s.customer(t, p.p)
	body := `{"partnerReferenceNo":"R1-` + mobile + `","customerNumber":"` + mobile + `","amount":{"value":"20000.00","currency":"IDR"}}`
	ext := fmt.Sprint(time.Now().UnixNano())
	first := ch.do(req{path: "emoney/topup", body: body, externalID: ext})
	expect(t, first, "2003800")
	again := ch.do(req{path: "emoney/topup", body: body, externalID: ext})
	if string(again.Raw) != string(first.Raw) || again.Status != first.Status {
		t.Fatalf("replay differs:\n%s\n%s", first.Raw, again.Raw)
	}
	expect(t, ch.do(req{path: "emoney/topup", body: strings.Replace(body, "20000.00", "30000.00", 1), externalID: ext}), "4093800")
	// Keys are per partner: another channel may use the same id.
	other := s.client(t, "CHANNEL")
	expect(t, other.do(req{path: "emoney/topup", body: strings.Replace(body, "R1-", "R2-", 1), externalID: ext}), "2003800")
	bal := p.call("balance-inquiry", `{"accountNo":"`+mobile+`"}`)
	if !strings.Contains(string(bal.Raw), `"amount":{"value":"40000.00"`) {
		t.Fatalf("balance after replays: %s", bal.Raw)
	}
}

func concurrentRequests(t *testing.T, s *stack) {
	p, ch := s.client(t, "PARTNER"), s.client(t, "CHANNEL")
	mobile := s.customer(t, p.p)
	body := `{"partnerReferenceNo":"C-` + mobile + `","customerNumber":"` + mobile + `","amount":{"value":"10000.00","currency":"IDR"}}`
	ext := fmt.Sprint(time.Now().UnixNano())
	const n = 8
	var wg sync.WaitGroup
	out := make([]resp, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = ch.do(req{path: "emoney/topup", body: body, externalID: ext})
		}()
	}
	wg.Wait()
	for i := range out {
		if string(out[i].Raw) != string(out[0].Raw) {
			t.Fatalf("answers differ:\n%s\n%s", out[0].Raw, out[i].Raw)
		}
	}
	expect(t, out[0], "2003800")
	// Different X-EXTERNAL-IDs, same partnerReferenceNo, at once: one
	// credit, the rest 409xx01.
	body2 := strings.Replace(body, `"C-`, `"D-`, 1)
	codes := make([]string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = ch.call("emoney/topup", body2).str("responseCode")
		}()
	}
	wg.Wait()
	ok := 0
	for _, c := range codes {
		switch c {
		case "2003800":
			ok++
		case "4093801":
		default:
			t.Errorf("unexpected code %s", c)
		}
	}
	if ok != 1 {
		t.Fatalf("%d top-ups succeeded: %v", ok, codes)
	}
	bal := p.call("balance-inquiry", `{"accountNo":"`+mobile+`"}`)
	if !strings.Contains(string(bal.Raw), `"amount":{"value":"20000.00"`) {
		t.Fatalf("balance: %s", bal.Raw)
	}
	rep, err := s.DB.Audit(context.Background())
	if err != nil || !rep.OK() {
		t.Fatalf("ledger does not reconcile: %v %v", err, rep.Problems)
	}
}

func notSupported(t *testing.T, s *stack) {
	p := s.client(t, "PARTNER")
	for path, code := range map[string]string{"registration-account-creation": "4050600", "registration-account-binding": "4050700", "otp": "4058100"} {
		r := p.call(path, `{}`)
		expect(t, r, code)
		if r.str("responseMessage") != "Requested Function Is Not Supported" {
			t.Errorf("%s: %s", path, r.Raw)
		}
	}
}

var _ = app.SNAPTokenTTL
