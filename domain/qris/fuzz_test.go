package qris_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/qris"
)

func FuzzParse(f *testing.F) {
	// The seed corpus lives in testdata/fuzz/FuzzParse: the public samples,
	// each tip rule, non-ASCII text, and broken frames.
	f.Fuzz(func(t *testing.T, s string) {
		checkParse(t, s)
		// Random mutations almost never keep the CRC right, which would
		// stop the fuzzer at the checksum: also try the input with the
		// checksum recomputed over everything before its last four bytes.
		if len(s) > 4 {
			checkParse(t, s[:len(s)-4]+qris.Checksum(s[:len(s)-4]))
		}
	})
}

func checkParse(t *testing.T, s string) {
	t.Helper()
	{
		p, err := qris.Parse(s)
		if err != nil {
			if p != nil {
				t.Fatalf("a failed parse returned a payload")
			}
			if e, ok := fault.As(err); !ok || e.Kind != fault.QRISInvalid || e.Detail == "" {
				t.Fatalf("error %v is not a QRISInvalid fault with a detail", err)
			}
			return
		}
		assertWithinBounds(t, s, p)

		// The typed values re-encode to a payload that parses to the same
		// values, and that encoding is stable.
		out, err := p.Builder().Encode()
		if err != nil {
			t.Fatalf("re-encoding %q: %v", p.Raw(), err)
		}
		q, err := qris.Parse(out)
		if err != nil {
			t.Fatalf("re-encoded %q does not parse: %v", out, err)
		}
		if got, want := valuesOf(q), valuesOf(p); got != want {
			t.Fatalf("round trip of %q:\n got %+v\nwant %+v", p.Raw(), got, want)
		}
		again, err := q.Builder().Encode()
		if err != nil || again != out {
			t.Fatalf("encoding is not stable: %q then %q (%v)", out, again, err)
		}
	}
}

func assertWithinBounds(t *testing.T, in string, p *qris.Payload) {
	t.Helper()
	raw := p.Raw()
	if raw != strings.TrimSpace(in) || !utf8.ValidString(raw) || utf8.RuneCountInString(raw) > qris.MaxLength ||
		!strings.HasPrefix(raw, "000201") {
		t.Fatalf("raw %q", raw)
	}
	if !strings.EqualFold(raw[len(raw)-4:], qris.Checksum(raw[:len(raw)-4])) {
		t.Fatalf("accepted a wrong CRC: %q", raw)
	}
	amount, hasAmount := p.Amount()
	switch p.Initiation() {
	case qris.Static:
	case qris.Dynamic:
		if !hasAmount {
			t.Fatalf("dynamic without amount: %q", raw)
		}
	default:
		t.Fatalf("initiation %q", p.Initiation())
	}
	if hasAmount && (amount < 1 || amount > 9_999_999_999_999) || !hasAmount && amount != 0 {
		t.Fatalf("amount %d, %v", amount, hasAmount)
	}
	if len(p.MCC()) != 4 || strings.Trim(p.MCC(), "0123456789") != "" || p.Currency() != "360" || p.Country() != "ID" {
		t.Fatalf("mcc %q currency %q country %q", p.MCC(), p.Currency(), p.Country())
	}
	for _, v := range []string{p.MerchantName(), p.MerchantCity()} {
		if strings.TrimSpace(v) == "" || utf8.RuneCountInString(v) > 99 {
			t.Fatalf("name or city %q", v)
		}
	}
	acq := p.Acquirers()
	if len(acq) == 0 {
		t.Fatal("no acquirer")
	}
	nmid := ""
	for i, a := range acq {
		if a.Tag() < 26 || a.Tag() > 51 || i > 0 && a.Tag() <= acq[i-1].Tag() {
			t.Fatalf("acquirer tags %+v", valuesOf(p).acquirers)
		}
		if n := utf8.RuneCountInString(a.GlobalID()); n < 1 || n > 32 {
			t.Fatalf("GUID %q", a.GlobalID())
		}
		if a.MerchantPAN() != "" && (len(a.MerchantPAN()) > 19 || strings.Trim(a.MerchantPAN(), "0123456789") != "") {
			t.Fatalf("PAN %q", a.MerchantPAN())
		}
		if a.Tag() == 51 && strings.EqualFold(a.GlobalID(), qris.QRISGlobalID) {
			nmid = a.MerchantID()
		}
	}
	if p.NMID() != nmid || nmid != "" && (len(nmid) != 15 || nmid[:2] != "ID" || strings.Trim(nmid[2:], "0123456789") != "") {
		t.Fatalf("NMID %q, tag 51 says %q", p.NMID(), nmid)
	}
	r := p.TipRule()
	base := amount
	if !hasAmount {
		base = 10000
	}
	fee := p.Fee(base)
	switch r.Kind() {
	case qris.TipNone, qris.TipPrompt:
		if fee != 0 || r.FixedAmount() != 0 || r.BasisPoints() != 0 {
			t.Fatalf("tip %+v charges %d", r, fee)
		}
	case qris.TipFixed:
		if r.FixedAmount() < 0 || r.FixedAmount() > 9_999_999_999_999 || fee != r.FixedAmount() {
			t.Fatalf("fixed fee %+v charges %d", r, fee)
		}
	case qris.TipPercent:
		if r.BasisPoints() < 0 || r.BasisPoints() > 10000 || fee < 0 || fee > base {
			t.Fatalf("percentage %+v charges %d on %d", r, fee, base)
		}
	default:
		t.Fatalf("tip kind %q", r.Kind())
	}
	d := p.AdditionalData()
	for f := qris.BillNumber; f <= qris.MerchantChannel; f++ {
		if utf8.RuneCountInString(d.Get(f)) > 99 {
			t.Fatalf("additional field %d = %q", f, d.Get(f))
		}
	}
	if l, ok := p.AlternateLanguage(); ok && (len(l.Preference()) != 2 || strings.TrimSpace(l.MerchantName()) == "") {
		t.Fatalf("language %+v", l)
	} else if !ok && l != (qris.Language{}) {
		t.Fatalf("absent language %+v", l)
	}
}
