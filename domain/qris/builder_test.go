package qris_test

import (
	"strings"
	"testing"

	"github.com/dompet/wallet/domain/qris"
)

func mustAcquirer(tb testing.TB, tag int, guid, pan, id, criteria string) qris.Acquirer {
	tb.Helper()
	a, err := qris.NewAcquirer(tag, guid, pan, id, criteria)
	if err != nil {
		tb.Fatalf("NewAcquirer: %v", err)
	}
	return a
}

// kopi is a complete static builder.
func kopi(tb testing.TB) *qris.Builder {
	tb.Helper()
	return qris.NewBuilder().
		Acquirer(mustAcquirer(tb, 26, "ID.DANA.WWW", "936009153000000017", "0000000017", "UMI")).
		Acquirer(mustAcquirer(tb, 51, qris.QRISGlobalID, "", "ID1020012345678", "UMI")).
		MCC("5812").
		MerchantName("KOPI KITA").
		MerchantCity("JAKARTA")
}

func TestBuilderEncodes(t *testing.T) {
	t.Parallel()
	percent, _ := qris.PercentFee(250)
	fixed, _ := qris.FixedFee(2000)
	lang, err := qris.NewLanguage("ID", "Kedai Kopi Kita — cabang Menteng", "Jakarta Pusat")
	if err != nil {
		t.Fatal(err)
	}
	ref := qris.AdditionalData{}.With(qris.BillNumber, "INV-001").With(qris.ReferenceLabel, "REF-9").With(qris.TerminalLabel, "A01")
	tests := []struct {
		name  string
		build func(*qris.Builder) *qris.Builder
		check func(*testing.T, string, *qris.Payload)
	}{
		{"static minimal", func(b *qris.Builder) *qris.Builder { return b }, func(t *testing.T, s string, p *qris.Payload) {
			want := "00020101021126580011ID.DANA.WWW0118936009153000000017021000000000170303UMI" +
				"51440014ID.CO.QRIS.WWW0215ID10200123456780303UMI" +
				"5204581253033605802ID5909KOPI KITA6007JAKARTA6304"
			if s[:len(s)-4] != want || s[len(s)-4:] != qris.Checksum(want) {
				t.Fatalf("encoded %s", s)
			}
			if p.NMID() != "ID1020012345678" || p.Initiation() != qris.Static {
				t.Fatalf("%+v", valuesOf(p))
			}
		}},
		{"dynamic with amount and additional data", func(b *qris.Builder) *qris.Builder {
			return b.Initiation(qris.Dynamic).Amount(150000).AdditionalData(ref).PostalCode("10310")
		}, func(t *testing.T, s string, p *qris.Payload) {
			if a, _ := p.Amount(); a != 150000 || p.AdditionalData() != ref || p.PostalCode() != "10310" {
				t.Fatalf("%+v", valuesOf(p))
			}
		}},
		{"tip prompt", func(b *qris.Builder) *qris.Builder { return b.Tip(qris.PromptTip()) }, func(t *testing.T, s string, p *qris.Payload) {
			if !strings.Contains(s, "550201") || p.TipRule() != qris.PromptTip() {
				t.Fatalf("%s", s)
			}
		}},
		{"fixed fee", func(b *qris.Builder) *qris.Builder { return b.Tip(fixed) }, func(t *testing.T, s string, p *qris.Payload) {
			if !strings.Contains(s, "550202") || !strings.Contains(s, "56042000") || p.TipRule() != fixed {
				t.Fatalf("%s", s)
			}
		}},
		{"percentage fee written shortest", func(b *qris.Builder) *qris.Builder { return b.Tip(percent) }, func(t *testing.T, s string, p *qris.Payload) {
			if !strings.Contains(s, "550203") || !strings.Contains(s, "57032.5") || p.TipRule() != percent {
				t.Fatalf("%s", s)
			}
		}},
		{"tip replaced", func(b *qris.Builder) *qris.Builder { return b.Tip(fixed).Tip(percent).Tip(qris.NoTip()) }, func(t *testing.T, s string, p *qris.Payload) {
			if strings.Contains(s, "5502") || p.TipRule().Kind() != qris.TipNone {
				t.Fatalf("%s", s)
			}
		}},
		{"non-ASCII merchant name", func(b *qris.Builder) *qris.Builder { return b.MerchantName("KOPI ÉÉ").Language(lang) }, func(t *testing.T, s string, p *qris.Payload) {
			if !strings.Contains(s, "5907KOPI ÉÉ") || p.MerchantName() != "KOPI ÉÉ" {
				t.Fatalf("%s", s)
			}
			if l, ok := p.AlternateLanguage(); !ok || l != lang {
				t.Fatalf("language %+v", l)
			}
		}},
		{"percentage fee in basis points", func(b *qris.Builder) *qris.Builder { r, _ := qris.PercentFee(3); return b.Tip(r) }, func(t *testing.T, s string, p *qris.Payload) {
			if !strings.Contains(s, "57040.03") || p.TipRule().BasisPoints() != 3 {
				t.Fatalf("%s", s)
			}
		}},
		{"raw field for a .00 amount", func(b *qris.Builder) *qris.Builder { return b.Field(54, "10000.00") }, func(t *testing.T, s string, p *qris.Payload) {
			if a, _ := p.Amount(); a != 10000 || !strings.Contains(s, "540810000.00") {
				t.Fatalf("%s", s)
			}
		}},
		{"tags above 63 written before the CRC", func(b *qris.Builder) *qris.Builder { return b.Language(lang).Field(80, "0003ABC") }, func(t *testing.T, s string, p *qris.Payload) {
			if !strings.Contains(s, "8007"+"0003ABC"+"6304") {
				t.Fatalf("tags above 63 must precede the CRC: %s", s)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := tt.build(kopi(t)).Encode()
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			tt.check(t, s, mustParse(t, s))
		})
	}
}

func TestBuilderRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		build  func(*qris.Builder) *qris.Builder
		detail string
	}{
		{"missing merchant name", func(b *qris.Builder) *qris.Builder { return b.MerchantName("") }, "missing merchant name (tag 59)"},
		{"dynamic without amount", func(b *qris.Builder) *qris.Builder { return b.Initiation(qris.Dynamic) }, "dynamic QR (tag 01 = 12) without an amount (tag 54)"},
		{"unknown initiation", func(b *qris.Builder) *qris.Builder { return b.Initiation("LATER") }, "missing point of initiation method (tag 01)"},
		{"negative amount", func(b *qris.Builder) *qris.Builder { return b.Amount(-5) }, `tag 54: amount "-5" is not a number`},
		{"cleared amount on dynamic", func(b *qris.Builder) *qris.Builder { return b.Initiation(qris.Dynamic).Amount(5).ClearAmount() }, "dynamic QR (tag 01 = 12) without an amount (tag 54)"},
		{"name of 100 characters", func(b *qris.Builder) *qris.Builder { return b.MerchantName(strings.Repeat("É", 100)) }, "tag 59: value is 100 characters, must be 1 to 99"},
		{"CRC set by hand", func(b *qris.Builder) *qris.Builder { return b.Field(63, "ABCD") }, "tag 63 is the CRC, computed by Encode"},
		{"tag above 99", func(b *qris.Builder) *qris.Builder { return b.Field(100, "X") }, "tag 100 is outside 00–99"},
		{"zero-value acquirer", func(b *qris.Builder) *qris.Builder { return b.Acquirer(qris.Acquirer{}) }, "merchant account tag 0 is outside 26–51"},
		{"zero-value language", func(b *qris.Builder) *qris.Builder { return b.Language(qris.Language{}) }, "tag 64: missing language preference (sub-tag 00)"},
		{"additional data of 100 characters", func(b *qris.Builder) *qris.Builder {
			return b.AdditionalData(qris.AdditionalData{}.With(qris.BillNumber, strings.Repeat("x", 100)))
		}, "tag 62 sub-tag 01: value is 100 characters, must be 1 to 99"},
		{"additional data overflowing its template", func(b *qris.Builder) *qris.Builder {
			return b.AdditionalData(qris.AdditionalData{}.With(qris.BillNumber, strings.Repeat("x", 60)).With(qris.TerminalLabel, strings.Repeat("y", 60)))
		}, "tag 62: value is 128 characters, must be 1 to 99"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := tt.build(kopi(t)).Encode()
			if s != "" {
				t.Fatalf("a failed Encode returned %q", s)
			}
			assertInvalid(t, err, tt.detail)
		})
	}
}

func TestConstructorsValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		err    error
		detail string
	}{
		{"acquirer tag below 26", second(qris.NewAcquirer(25, "ID.DANA.WWW", "", "", "")), "merchant account tag 25 is outside 26–51"},
		{"acquirer tag above 51", second(qris.NewAcquirer(52, "ID.DANA.WWW", "", "", "")), "merchant account tag 52 is outside 26–51"},
		{"acquirer without GUID", second(qris.NewAcquirer(26, "", "9360", "", "")), "tag 26: missing globally unique identifier (sub-tag 00)"},
		{"acquirer merchant ID of 100 characters", second(qris.NewAcquirer(27, "ID.DANA.WWW", "", strings.Repeat("1", 100), "")), "tag 27 sub-tag 02: value is 100 characters, at most 99"},
		{"NMID without ID prefix", second(qris.NewAcquirer(51, "id.co.qris.www", "", "XX1020012345678", "UMI")), `tag 51 sub-tag 02: NMID "XX1020012345678" is not "ID" followed by 13 digits`},
		{"negative fixed fee", second(qris.FixedFee(-1)), "tag 56: convenience fee -1 is outside 0 to 9999999999999"},
		{"percentage above 100", second(qris.PercentFee(10001)), "tag 57: percentage of 10001 basis points is outside 0 to 100%"},
		{"negative percentage", second(qris.PercentFee(-1)), "tag 57: percentage of -1 basis points is outside 0 to 100%"},
		{"language of one letter", second(qris.NewLanguage("I", "Kopi", "")), `tag 64 sub-tag 00: language preference "I" is not two letters`},
		{"language preference not letters", second(qris.NewLanguage("1D", "Kopi", "")), `tag 64 sub-tag 00: language preference "1D" is not two letters`},
		{"language city of 100 characters", second(qris.NewLanguage("ID", "Kopi", strings.Repeat("k", 100))), "tag 64 sub-tag 02: value is 100 characters, at most 99"},
		{"language with blank name", second(qris.NewLanguage("ID", " ", "")), "tag 64: missing alternate merchant name (sub-tag 01)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertInvalid(t, tt.err, tt.detail)
		})
	}
}

func second[T any](_ T, err error) error { return err }

func TestAdditionalDataWithIgnoresUnknownFields(t *testing.T) {
	t.Parallel()
	d := qris.AdditionalData{}.With(0, "x").With(12, "y")
	if !d.IsZero() || d.Get(0) != "" || d.Get(12) != "" {
		t.Fatalf("%+v", d)
	}
	if d.With(qris.PurposeOfTransaction, "Kopi").Get(qris.PurposeOfTransaction) != "Kopi" {
		t.Fatal("With did not set a known field")
	}
}

func TestPublicSamplesRoundTripThroughBuilder(t *testing.T) {
	t.Parallel()
	for _, s := range realWorld {
		p := mustParse(t, s)
		out, err := p.Builder().Encode()
		if err != nil {
			t.Fatalf("%s: %v", p.MerchantName(), err)
		}
		if got, want := valuesOf(mustParse(t, out)), valuesOf(p); got != want {
			t.Fatalf("%s round trip:\n got %+v\nwant %+v", p.MerchantName(), got, want)
		}
	}
}
