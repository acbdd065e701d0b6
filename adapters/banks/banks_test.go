package banks_test

import (
	"testing"

	"github.com/dompet/wallet/adapters/banks"
)

func TestLoad(t *testing.T) {
	t.Parallel()
	list, err := banks.Load()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"014": "Bank Central Asia (BCA)", "008": "Bank Mandiri", "002": "Bank Rakyat Indonesia (BRI)",
		"009": "Bank Negara Indonesia (BNI)", "022": "CIMB Niaga", "013": "Bank Permata", "011": "Bank Danamon",
		"451": "Bank Syariah Indonesia (BSI)", "200": "Bank Tabungan Negara (BTN)"}
	got := map[string]string{}
	va := 0
	for _, b := range list {
		got[b.Code] = b.Name
		if b.VAPrefix != "" {
			va++
		}
	}
	for code, name := range want {
		if got[code] != name {
			t.Errorf("bank %s = %q, want %q", code, got[code], name)
		}
	}
	if va < 3 {
		t.Fatalf("only %d banks issue VAs", va)
	}
}
