package rest_test

import (
	"context"
	"strings"
	"testing"
	"time"

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

func TestQRISPayment(t *testing.T) {
	t.Parallel()
	dynamic := buildQR(t, 25000, "")
	static := buildQR(t, 0, "prompt")
	rejected := buildQR(t, 10999, "")
	testdb.Each(t, func(t *testing.T, db *bunstore.DB) {
		s := apptest.New(t, db, nil)
		c := newClient(s, "PARTNER")
		bank := newClient(s, "CHANNEL")
		register(t, c, "081300000081")
		expect(t, topUpVA(t, bank, "081300000081", 100_000, "Q-1"), 200, 0)
		pay := func(body string) apptest.Response { return c.post("/qris-payment/", body) }

		// Dynamic QR: the QR's amount; a different one is refused.
		expect(t, pay(`{"mobileNumber":"081300000081","qrContent":"`+dynamic+`","amount":"20000"}`), 400, 10)
		r := pay(`{"mobileNumber":"081300000081","qrContent":"` + dynamic + `"}`)
		expect(t, r, 202, 1)
		d := r.Env.Data
		if d["flowType"] != "Async" || d["price"] != "25000" || d["amount"] != "25000" || d["account"] != "62813*****081" ||
			r.Env.ResponseID != d["reffId"] || r.Env.Message != "In Process" {
			t.Fatalf("qris payment: %s", r.Raw)
		}
		if got := balance(t, c, "081300000081"); got != "75000" {
			t.Fatalf("held: %s", got)
		}
		// Static QR that prompts for a tip: amount and tip from the request.
		expect(t, pay(`{"mobileNumber":"081300000081","qrContent":"`+static+`"}`), 400, 10)
		r2 := c.post("/bank-transfer/", `{"transactionType":"QRIS","mobileNumber":"081300000081","qrContent":"`+static+`","amount":"10000","tip":"2000"}`)
		expect(t, r2, 202, 1)
		if r2.Env.Data["amount"] != "12000" || r2.Env.Data["price"] != "10000" {
			t.Fatalf("static with tip: %s", r2.Raw)
		}
		r3 := pay(`{"mobileNumber":"081300000081","qrContent":"` + rejected + `"}`)
		expect(t, r3, 202, 1)
		expect(t, pay(`{"mobileNumber":"081300000081","qrContent":"`+dynamic[:len(dynamic)-1]+`0"}`), 422, 71)
		expect(t, pay(`{"mobileNumber":"081300000081","qrContent":"`+buildQR(t, 60000, "")+`"}`), 422, 50)
		if got := balance(t, c, "081300000081"); got != "52001" { // 100000 − 25000 − 12000 − 10999 held
			t.Fatalf("held: %s", got)
		}

		// The switch's answers arrive (the settlement job): paid, paid, rejected.
		time.Sleep(apptest.SimDelay)
		for _, id := range []string{r.Env.ResponseID, r2.Env.ResponseID, r3.Env.ResponseID} {
			if err := s.App.SettleBankTransfer(context.Background(), id); err != nil {
				t.Fatal(err)
			}
		}
		for id, want := range map[string]string{r.Env.ResponseID: "SUCCESS", r2.Env.ResponseID: "SUCCESS", r3.Env.ResponseID: "FAILED"} {
			st := c.get("/transaction-status/?reffId=" + id)
			if st.Env.Data["status"] != want || st.Env.Data["type"] != "QRIS_PAYMENT" {
				t.Fatalf("status of %s: %s", id, st.Raw)
			}
		}
		if got := balance(t, c, "081300000081"); got != "63000" {
			t.Fatalf("after settlement: %s", got)
		}
		audit(t, s)
	})
}

// buildQR makes a valid QRIS payload: dynamic with amount, or static
// prompting for a tip when amount is 0.
func buildQR(t *testing.T, amount int64, tip string) string {
	t.Helper()
	acq, err := qris.NewAcquirer(51, qris.QRISGlobalID, "", "ID1020012345678", "UMI")
	if err != nil {
		t.Fatal(err)
	}
	b := qris.NewBuilder().Acquirer(acq).MCC("5812").MerchantName("WARUNG BU SRI").MerchantCity("JAKARTA")
	if amount > 0 {
		b = b.Initiation(qris.Dynamic).Amount(amount)
	} else {
		b = b.Initiation(qris.Static)
	}
	if tip == "prompt" {
		b = b.Tip(qris.PromptTip())
	}
	s, err := b.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return s
}
