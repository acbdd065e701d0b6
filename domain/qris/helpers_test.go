package qris_test

import (
	"fmt"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/qris"
)

// tlv writes one data object, its length counted in characters.
func tlv(id, value string) string {
	return fmt.Sprintf("%s%02d%s", id, utf8.RuneCountInString(value), value)
}

// withCRC appends tag 63 with the checksum of body.
func withCRC(body string) string {
	body += "6304"
	return body + qris.Checksum(body)
}

// fields is a payload before its CRC, as ordered top-level (ID, value)
// pairs, so each case can break exactly one rule.
type fields [][2]string

var (
	gopay = tlv("00", "COM.GO-JEK.WWW") + tlv("01", "936009143545600781") + tlv("02", "G545600781") + tlv("03", "UMI")
	nmid  = tlv("00", "ID.CO.QRIS.WWW") + tlv("02", "ID1019000002328") + tlv("03", "UMI")
)

// base is a valid static QRIS for "KOPI KITA", Jakarta.
func base() fields {
	return fields{
		{"00", "01"}, {"01", "11"}, {"26", gopay}, {"51", nmid},
		{"52", "5812"}, {"53", "360"}, {"58", "ID"}, {"59", "KOPI KITA"},
		{"60", "JAKARTA"}, {"61", "10310"}, {"62", tlv("07", "A01")},
	}
}

// set replaces the value of id, appends it when absent, or removes it when
// value is "".
func (fs fields) set(id, value string) fields {
	out := slices.Clone(fs)
	for i, f := range out {
		if f[0] == id {
			if value == "" {
				return slices.Delete(out, i, i+1)
			}
			out[i][1] = value
			return out
		}
	}
	if value == "" {
		return out
	}
	return append(out, [2]string{id, value})
}

func (fs fields) body() string {
	var s string
	for _, f := range fs {
		s += tlv(f[0], f[1])
	}
	return s
}

func (fs fields) payload() string { return withCRC(fs.body()) }

func mustParse(tb testing.TB, s string) *qris.Payload {
	tb.Helper()
	p, err := qris.Parse(s)
	if err != nil {
		tb.Fatalf("Parse(%q): %v", s, err)
	}
	return p
}

// assertInvalid checks err is a QRISInvalid fault with the given detail.
func assertInvalid(tb testing.TB, err error, detail string) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("got no error, want %q", detail)
	}
	f, ok := fault.As(err)
	if !ok || f.Kind != fault.QRISInvalid {
		tb.Fatalf("error %v is not a QRISInvalid fault", err)
	}
	if f.Detail != detail {
		tb.Fatalf("detail = %q, want %q", f.Detail, detail)
	}
}

// values is everything a Payload reports, comparable with ==.
type values struct {
	initiation                  qris.Initiation
	acquirers                   string
	nmid, mcc, currency         string
	amount                      int64
	hasAmount                   bool
	tip                         qris.TipRule
	country, name, city, postal string
	additional                  qris.AdditionalData
	language                    qris.Language
	hasLanguage                 bool
}

func valuesOf(p *qris.Payload) values {
	v := values{
		initiation: p.Initiation(), nmid: p.NMID(), mcc: p.MCC(), currency: p.Currency(),
		tip: p.TipRule(), country: p.Country(), name: p.MerchantName(), city: p.MerchantCity(),
		postal: p.PostalCode(), additional: p.AdditionalData(),
	}
	for _, a := range p.Acquirers() {
		v.acquirers += fmt.Sprintf("[%d %q %q %q %q]", a.Tag(), a.GlobalID(), a.MerchantPAN(), a.MerchantID(), a.Criteria())
	}
	v.amount, v.hasAmount = p.Amount()
	v.language, v.hasLanguage = p.AlternateLanguage()
	return v
}

func TestHelpersBuildTheDocumentedBase(t *testing.T) {
	t.Parallel()
	p := mustParse(t, base().payload())
	if p.MerchantName() != "KOPI KITA" || p.NMID() != "ID1019000002328" || p.Initiation() != qris.Static {
		t.Fatalf("base parsed as %+v", valuesOf(p))
	}
	if _, err := qris.Parse(base().payload() + "0"); err == nil {
		t.Fatal("a character after the CRC must not parse")
	}
}
