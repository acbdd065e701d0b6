package rest_test

import (
	"strings"
	"testing"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/domain/qris"
	"github.com/dompet/wallet/internal/apptest"
	"github.com/dompet/wallet/internal/testdb"
)

func TestQRISDecode(t *testing.T) {
	t.Parallel()
	acq, err := qris.NewAcquirer(51, qris.QRISGlobalID, "", "ID1020012345678", "UMI")
	if err != nil {
		t.Fatal(err)
	}
	fee, err := qris.FixedFee(1000)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := qris.NewBuilder().Initiation(qris.Dynamic).Acquirer(acq).
		MCC("5812").Amount(25000).Tip(fee).
		MerchantName("WARUNG BU SRI").MerchantCity("JAKARTA").PostalCode("12345").Encode()
	if err != nil {
		t.Fatal(err)
	}
	testdb.Each(t, func(t *testing.T, db *bunstore.DB) {
		s := apptest.New(t, db, nil)
		c := newClient(s, "PARTNER")
		r := c.post("/qris/decode/", `{"qrContent":"`+payload+`"}`)
		expect(t, r, 200, 0)
		d := r.Env.Data
		for k, v := range map[string]any{"merchantName": "WARUNG BU SRI", "merchantCity": "JAKARTA", "postalCode": "12345",
			"nmid": "ID1020012345678", "mcc": "5812", "currency": "360", "pointOfInitiation": "DYNAMIC", "amount": "25000"} {
			if d[k] != v {
				t.Errorf("%s = %v, want %v", k, d[k], v)
			}
		}
		if tip := d["tipRule"].(map[string]any); tip["kind"] != "FIXED" || tip["fee"] != "1000" {
			t.Errorf("tipRule = %v", tip)
		}
		broken := payload[:len(payload)-4] + "0000"
		r = c.post("/qris/decode/", `{"qrContent":"`+broken+`"}`)
		expect(t, r, 422, 71)
		if !strings.Contains(r.Env.Message, "CRC") {
			t.Fatalf("message %q does not say what is wrong", r.Env.Message)
		}
		expect(t, c.post("/qris/decode/", `{"qrContent":"000201"}`), 422, 71)
		expect(t, c.post("/qris/decode/", `{}`), 400, 10)
		expect(t, newClient(s, "CHANNEL").post("/qris/decode/", `{"qrContent":"`+payload+`"}`), 403, 21)
	})
}
