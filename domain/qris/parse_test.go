package qris_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/dompet/wallet/domain/qris"
)

func TestParseAccepts(t *testing.T) {
	t.Parallel()
	withBody := func(body string) string { return withCRC(body) }
	tests := []struct {
		name  string
		in    string
		check func(*testing.T, *qris.Payload)
	}{
		{"static without amount", base().payload(), func(t *testing.T, p *qris.Payload) {
			if _, ok := p.Amount(); ok || p.Initiation() != qris.Static {
				t.Fatalf("%+v", valuesOf(p))
			}
		}},
		{"dynamic with amount", base().set("01", "12").set("54", "25000").payload(), func(t *testing.T, p *qris.Payload) {
			if a, ok := p.Amount(); !ok || a != 25000 || p.Initiation() != qris.Dynamic {
				t.Fatalf("%+v", valuesOf(p))
			}
		}},
		{"amount with .00", base().set("54", "10000.00").payload(), func(t *testing.T, p *qris.Payload) {
			if a, _ := p.Amount(); a != 10000 {
				t.Fatalf("amount %d", a)
			}
		}},
		{"amount with .0 and leading zero", base().set("54", "010000.0").payload(), func(t *testing.T, p *qris.Payload) {
			if a, _ := p.Amount(); a != 10000 {
				t.Fatalf("amount %d", a)
			}
		}},
		{"thirteen-digit amount", base().set("54", "9999999999999").payload(), func(t *testing.T, p *qris.Payload) {
			if a, _ := p.Amount(); a != 9_999_999_999_999 {
				t.Fatalf("amount %d", a)
			}
		}},
		{"tip prompt", base().set("55", "01").payload(), func(t *testing.T, p *qris.Payload) {
			if p.TipRule().Kind() != qris.TipPrompt || p.Fee(10000) != 0 {
				t.Fatalf("%+v", p.TipRule())
			}
		}},
		{"fixed fee", base().set("55", "02").set("56", "2500").payload(), func(t *testing.T, p *qris.Payload) {
			if r := p.TipRule(); r.Kind() != qris.TipFixed || r.FixedAmount() != 2500 || p.Fee(1) != 2500 {
				t.Fatalf("%+v", r)
			}
		}},
		{"fixed fee with .00", base().set("55", "02").set("56", "2500.00").payload(), func(t *testing.T, p *qris.Payload) {
			if p.TipRule().FixedAmount() != 2500 {
				t.Fatalf("%+v", p.TipRule())
			}
		}},
		{"percentage fee 2.5", base().set("55", "03").set("57", "2.5").payload(), func(t *testing.T, p *qris.Payload) {
			if r := p.TipRule(); r.Kind() != qris.TipPercent || r.BasisPoints() != 250 || p.Fee(10020) != 251 {
				t.Fatalf("%+v, Fee(10020) = %d", r, p.Fee(10020))
			}
		}},
		{"percentage fee 100", base().set("55", "03").set("57", "100").payload(), func(t *testing.T, p *qris.Payload) {
			if p.TipRule().BasisPoints() != 10000 {
				t.Fatalf("%+v", p.TipRule())
			}
		}},
		{"percentage fee 00.03", base().set("55", "03").set("57", "00.03").payload(), func(t *testing.T, p *qris.Payload) {
			if p.TipRule().BasisPoints() != 3 {
				t.Fatalf("%+v", p.TipRule())
			}
		}},
		// "KOPI ÉÉ" is 7 characters and 9 bytes: the length says 07.
		{"non-ASCII merchant name counted in characters", withBody("000201010211" + tlv("26", gopay) + "52045812530336058" + "02ID5907KOPI ÉÉ6007JAKARTA"), func(t *testing.T, p *qris.Payload) {
			if p.MerchantName() != "KOPI ÉÉ" || p.MerchantCity() != "JAKARTA" {
				t.Fatalf("%+v", valuesOf(p))
			}
		}},
		{"language template with Indonesian and Chinese text", base().set("64", tlv("00", "ZH")+tlv("01", "咖啡店 Kopi Kita")+tlv("02", "雅加达")).payload(), func(t *testing.T, p *qris.Payload) {
			l, ok := p.AlternateLanguage()
			if !ok || l.Preference() != "ZH" || l.MerchantName() != "咖啡店 Kopi Kita" || l.MerchantCity() != "雅加达" {
				t.Fatalf("%+v %v", l, ok)
			}
		}},
		{"lowercase CRC", lowerCRC(base().set("59", "KOPI KITA 2").payload()), func(t *testing.T, p *qris.Payload) {
			if crc := p.Raw()[len(p.Raw())-4:]; crc == strings.ToUpper(crc) {
				t.Fatalf("CRC %s has no letters; pick another sample", crc)
			}
		}},
		{"surrounding whitespace trimmed", " \t" + base().payload() + "\r\n", func(t *testing.T, p *qris.Payload) {
			if p.Raw() != base().payload() {
				t.Fatalf("raw %q", p.Raw())
			}
		}},
		{"uninterpreted tags ignored", base().set("02", "4000123412341234").set("80", tlv("00", "COM.EXAMPLE")+tlv("01", "X")).set("62", tlv("07", "A01")+tlv("99", tlv("00", "COM.EXAMPLE"))).payload(), func(t *testing.T, p *qris.Payload) {
			if p.AdditionalData().Get(qris.TerminalLabel) != "A01" {
				t.Fatalf("%+v", p.AdditionalData())
			}
		}},
		{"merchant account template without NMID", base().set("51", "").payload(), func(t *testing.T, p *qris.Payload) {
			if p.NMID() != "" || len(p.Acquirers()) != 1 {
				t.Fatalf("%+v", valuesOf(p))
			}
		}},
		{"QRIS identifier outside tag 51 is not an NMID", base().set("51", "").set("27", tlv("00", "ID.CO.QRIS.WWW")+tlv("02", "anything")).payload(), func(t *testing.T, p *qris.Payload) {
			if p.NMID() != "" || p.Acquirers()[1].Tag() != 27 {
				t.Fatalf("%+v", valuesOf(p))
			}
		}},
		{"all additional data fields", base().set("62", tlv("01", "INV-1")+tlv("02", "***")+tlv("03", "S1")+tlv("04", "L1")+tlv("05", "REF")+tlv("06", "C1")+tlv("07", "T1")+tlv("08", "Kopi")+tlv("09", "AME")+tlv("10", "TAX")+tlv("11", "211")).payload(), func(t *testing.T, p *qris.Payload) {
			d := p.AdditionalData()
			want := []string{"", "INV-1", "***", "S1", "L1", "REF", "C1", "T1", "Kopi", "AME", "TAX", "211"}
			for f := qris.BillNumber; f <= qris.MerchantChannel; f++ {
				if d.Get(f) != want[f] {
					t.Fatalf("field %d = %q, want %q", f, d.Get(f), want[f])
				}
			}
		}},
		{"512 characters", padded(base().body(), 512), func(t *testing.T, p *qris.Payload) {
			if n := len(p.Raw()); n != 512 {
				t.Fatalf("length %d", n)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.check(t, mustParse(t, tt.in))
		})
	}
}

// padded appends uninterpreted tags 99, 98, … to body so that the payload
// with its CRC is exactly total characters.
func padded(body string, total int) string {
	need := total - 8 - len(body)
	for id := 99; need > 0; id-- {
		v := min(99, need-4)
		if rest := need - 4 - v; rest > 0 && rest < 5 {
			v -= 5 - rest
		}
		body += tlv(fmt.Sprint(id), strings.Repeat("x", v))
		need -= 4 + v
	}
	return withCRC(body)
}

func lowerCRC(s string) string { return s[:len(s)-4] + strings.ToLower(s[len(s)-4:]) }

func TestParseRejects(t *testing.T) {
	t.Parallel()
	b := base()
	tip := func(f55, f56, f57 string) string { return b.set("55", f55).set("56", f56).set("57", f57).payload() }
	acq := func(tag, value string) string { return b.set(tag, value).payload() }
	tests := []struct {
		name   string
		in     string
		detail string
	}{
		{"empty", "", "payload is empty"},
		{"only whitespace", " \n ", "payload is empty"},
		{"longer than 512 characters", padded(b.body(), 513), "payload is 513 characters, longer than 512"},
		{"far too long", strings.Repeat("0", 5000), "payload is longer than 512 characters"},
		{"invalid UTF-8", "000201010211\xff", "payload is not valid UTF-8"},
		{"control character", withCRC("000201010211" + tlv("59", "A\x00B")), "payload has a control character at position 17"},
		{"non-digit field ID", withCRC("000201" + "A10211"), `payload: field ID "A1" is not two digits`},
		{"non-digit length", withCRC("000201" + "01A111"), `tag 01: length "A1" is not two digits`},
		{"truncated before the length", "00020101", "payload truncated in tag 01: no length"},
		{"truncated inside the ID", "0002010", "payload truncated after tag 00"},
		{"length past the end", "0002010105111", "payload truncated in tag 01: length 05 runs past the end (3 characters left)"},
		{"length past the end of the merchant name", "000201010211" + "5925KOPI", "payload truncated in tag 59: length 25 runs past the end (4 characters left)"},
		{"length 00", withCRC("000201" + "0100" + "0102"), "tag 01: length 00, a value must not be empty"},
		{"duplicate top-level tag", withCRC(b.body() + tlv("59", "LAGI")), "duplicate tag 59"},
		{"duplicate sub-tag", acq("26", gopay+tlv("01", "936009143545600781")), "duplicate tag 26 sub-tag 01"},
		{"truncated sub-tag", b.set("62", "0703A0").payload(), "payload truncated in tag 62 sub-tag 07: length 03 runs past the end (2 characters left)"},
		{"dangling character in a template", b.set("62", tlv("07", "A01")+"9").payload(), "tag 62: truncated after tag 62 sub-tag 07"},
		{"non-digit sub-tag ID", b.set("62", "XX03A01").payload(), `tag 62: field ID "XX" is not two digits`},
		{"byte-counted non-ASCII name", withCRC("000201010211" + tlv("26", gopay) + "5204581253033605802ID" + "5909KOPI ÉÉ" + "6007JAKARTA"), `tag 07: length "JA" is not two digits`},
		{"first field not 00", withCRC("010211" + "000201" + b.body()[12:]), "payload must begin with the payload format indicator (tag 00), not tag 01"},
		{"payload format not 01", b.set("00", "02").payload(), `tag 00: payload format indicator "02" is not 01`},
		{"missing CRC", b.body(), "missing CRC (tag 63)"},
		{"CRC not last", b.payload() + tlv("99", "X"), "the CRC (tag 63) must be the last field, but tag 99 follows it"},
		{"CRC not hexadecimal", b.body() + "6304ZZZZ", `tag 63: CRC "ZZZZ" is not four hexadecimal digits`},
		{"CRC of five characters", b.body() + "6305ABCDE", `tag 63: CRC "ABCDE" is not four hexadecimal digits`},
		{"CRC mismatch", b.body() + "63040000", "CRC mismatch"},
		{"content altered after the CRC was computed", strings.Replace(b.payload(), "KOPI KITA", "KOPI KOTA", 1), "CRC mismatch"},
		{"missing point of initiation", b.set("01", "").payload(), "missing point of initiation method (tag 01)"},
		{"unknown point of initiation", b.set("01", "13").payload(), `tag 01: point of initiation "13" is not 11 (static) or 12 (dynamic)`},
		{"no merchant account information", b.set("26", "").set("51", "").set("02", "4000123412341234").payload(), "missing merchant account information (tags 26–51)"},
		{"merchant account without GUID", acq("26", tlv("01", "936009143545600781")), "tag 26: missing globally unique identifier (sub-tag 00)"},
		{"GUID longer than 32", acq("26", tlv("00", strings.Repeat("A", 33))), "tag 26 sub-tag 00: globally unique identifier is 33 characters, at most 32"},
		{"merchant PAN not digits", acq("26", tlv("00", "ID.DANA.WWW")+tlv("01", "93600A")), `tag 26 sub-tag 01: merchant PAN "93600A" is not digits`},
		{"merchant PAN of 20 digits", acq("26", tlv("00", "ID.DANA.WWW")+tlv("01", strings.Repeat("9", 20))), "tag 26 sub-tag 01: merchant PAN is 20 digits, at most 19"},
		{"tag 51 without NMID", acq("51", tlv("00", "ID.CO.QRIS.WWW")+tlv("03", "UMI")), "tag 51: missing NMID (sub-tag 02)"},
		{"malformed NMID", acq("51", tlv("00", "ID.CO.QRIS.WWW")+tlv("02", "ID12345")), `tag 51 sub-tag 02: NMID "ID12345" is not "ID" followed by 13 digits`},
		{"missing MCC", b.set("52", "").payload(), "missing merchant category code (tag 52)"},
		{"MCC not digits", b.set("52", "58A2").payload(), `tag 52: merchant category code "58A2" is not four digits`},
		{"missing currency", b.set("53", "").payload(), "missing transaction currency (tag 53)"},
		{"currency USD", b.set("53", "840").payload(), "currency 840 is not IDR (360)"},
		{"currency as letters", b.set("53", "IDR").payload(), `tag 53: currency "IDR" is not a three-digit ISO 4217 code`},
		{"amount with half a rupiah", b.set("54", "10000.5").payload(), `tag 54: amount "10000.5" has a fraction of a rupiah`},
		{"amount with cents", b.set("54", "10000.05").payload(), `tag 54: amount "10000.05" has a fraction of a rupiah`},
		{"amount not a number", b.set("54", "abc").payload(), `tag 54: amount "abc" is not a number`},
		{"negative amount", b.set("54", "-100").payload(), `tag 54: amount "-100" is not a number`},
		{"amount with exponent", b.set("54", "1e5").payload(), `tag 54: amount "1e5" is not a number`},
		{"amount with trailing dot", b.set("54", "100.").payload(), `tag 54: amount "100." is not a number`},
		{"amount with only decimals", b.set("54", ".50").payload(), `tag 54: amount ".50" is not a number`},
		{"amount with comma", b.set("54", "10,000").payload(), `tag 54: amount "10,000" is not a number`},
		{"amount with three decimals", b.set("54", "10000.000").payload(), `tag 54: amount "10000.000" has more than two decimals`},
		{"zero amount", b.set("54", "0.00").payload(), `tag 54: amount "0.00" must be positive`},
		{"amount of 14 characters", b.set("54", "99999999999999").payload(), "tag 54: amount is 14 characters, at most 13"},
		{"dynamic without amount", b.set("01", "12").payload(), "dynamic QR (tag 01 = 12) without an amount (tag 54)"},
		{"unknown tip indicator", tip("04", "", ""), `tag 55: tip indicator "04" is not 01, 02 or 03`},
		{"fixed fee missing", tip("02", "", ""), "tip indicator 02 without a fixed fee (tag 56)"},
		{"percentage missing", tip("03", "", ""), "tip indicator 03 without a percentage (tag 57)"},
		{"fixed fee without indicator", tip("", "1000", ""), "tag 56: present but tip indicator (tag 55) is not 02"},
		{"percentage without indicator", tip("", "", "5"), "tag 57: present but tip indicator (tag 55) is not 03"},
		{"percentage with prompt indicator", tip("01", "", "5"), "tag 57: present but tip indicator (tag 55) is not 03"},
		{"fixed fee with prompt indicator", tip("01", "1000", ""), "tag 56: present but tip indicator (tag 55) is not 02"},
		{"fixed fee with percentage indicator", tip("03", "1000", "5"), "tag 56: present but tip indicator (tag 55) is not 02"},
		{"percentage with fixed indicator", tip("02", "1000", "5"), "tag 57: present but tip indicator (tag 55) is not 03"},
		{"fixed fee with a fraction", tip("02", "1500.5", ""), `tag 56: amount "1500.5" has a fraction of a rupiah`},
		{"percentage above 100", tip("03", "", "100.01"), `tag 57: percentage "100.01" is above 100`},
		{"percentage far above 100", tip("03", "", "00001000000"), `tag 57: percentage "00001000000" is above 100`},
		{"percentage with three decimals", tip("03", "", "2.555"), `tag 57: percentage "2.555" has more than two decimals`},
		{"percentage not a number", tip("03", "", "5%"), `tag 57: percentage "5%" is not a number`},
		{"missing country", b.set("58", "").payload(), "missing country code (tag 58)"},
		{"country not Indonesia", b.set("58", "SG").payload(), `country "SG" is not ID`},
		{"missing merchant name", b.set("59", "").payload(), "missing merchant name (tag 59)"},
		{"blank merchant name", b.set("59", "   ").payload(), "tag 59: merchant name is blank"},
		{"missing merchant city", b.set("60", "").payload(), "missing merchant city (tag 60)"},
		{"language without preference", b.set("64", tlv("01", "Kopi")).payload(), "tag 64: missing language preference (sub-tag 00)"},
		{"language preference of three letters", b.set("64", tlv("00", "ZHO")+tlv("01", "Kopi")).payload(), `tag 64 sub-tag 00: language preference "ZHO" is not two letters`},
		{"language template truncated", b.set("64", "0002ZH01").payload(), "payload truncated in tag 64 sub-tag 01: no length"},
		{"language without name", b.set("64", tlv("00", "ZH")+tlv("02", "雅加达")).payload(), "tag 64: missing alternate merchant name (sub-tag 01)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := qris.Parse(tt.in)
			if p != nil {
				t.Fatalf("a failed parse returned %+v", valuesOf(p))
			}
			assertInvalid(t, err, tt.detail)
		})
	}
}

func TestCRCMismatchIsTheSentinel(t *testing.T) {
	t.Parallel()
	_, err := qris.Parse(base().body() + "6304FFFF")
	if !errors.Is(err, qris.ErrCRCMismatch) {
		t.Fatalf("err = %v", err)
	}
}

func TestChecksumIsCRC16CCITTFalse(t *testing.T) {
	t.Parallel()
	// The catalogue check value of CRC-16/CCITT-FALSE.
	if got := qris.Checksum("123456789"); got != "29B1" {
		t.Fatalf("Checksum(123456789) = %s, want 29B1", got)
	}
	if got := qris.Checksum(""); got != "FFFF" {
		t.Fatalf("Checksum(\"\") = %s, want FFFF", got)
	}
}
