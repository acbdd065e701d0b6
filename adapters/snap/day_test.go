package snap_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dompet/wallet/internal/testdb"
)

// TestExternalIDPerDay: X-EXTERNAL-ID is unique per partner per calendar
// day in WIB; the same id on the next day is a new request.
func TestExternalIDPerDay(t *testing.T) {
	t.Parallel()
	db := testdb.SQLite(t)
	s := newStack(t, db)
	wib := time.FixedZone("WIB", 7*3600)
	day := time.Date(2026, 12, 3, 23, 59, 0, 0, wib)
	s.door.SetNow(func() time.Time { return day })
	p, ch := s.client(t, "PARTNER"), s.client(t, "CHANNEL")
	mobile := s.customer(t, p.p)
	body := func(ref string) string {
		return `{"partnerReferenceNo":"` + ref + `","customerNumber":"` + mobile + `","amount":{"value":"10000.00","currency":"IDR"}}`
	}
	ext := fmt.Sprint(time.Now().UnixNano())
	expect(t, ch.do(req{path: "emoney/topup", body: body("D1"), externalID: ext}), "2003800")
	expect(t, ch.do(req{path: "emoney/topup", body: body("D2"), externalID: ext}), "4093800")
	// 00:00:30 WIB the next day (still 3 December in UTC).
	day = time.Date(2026, 12, 4, 0, 0, 30, 0, wib)
	expect(t, ch.do(req{path: "emoney/topup", body: body("D2"), externalID: ext}), "2003800")
	// Yesterday's request again under today's key: its reference moved
	// money already.
	expect(t, ch.do(req{path: "emoney/topup", body: body("D1"), externalID: ext + "x"}), "4093801")
	bal := p.call("balance-inquiry", `{"accountNo":"`+mobile+`"}`)
	if !strings.Contains(string(bal.Raw), `"amount":{"value":"20000.00"`) {
		t.Fatalf("balance: %s", bal.Raw)
	}
}
