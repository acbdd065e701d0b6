package kyc_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/kyc"
)

// nikParts builds NIKs field by field so each test names the rule it breaks.
type nikParts struct {
	province, regency, district string
	day, month, year            int
	female                      bool
	serial                      string
}

// baseNIK is a man born 17 August 1990 in Kota Bandung (32 73), district 01.
func baseNIK() nikParts {
	return nikParts{province: "32", regency: "73", district: "01", day: 17, month: 8, year: 1990, serial: "0001"}
}

func (p nikParts) String() string {
	day := p.day
	if p.female {
		day += 40
	}
	return fmt.Sprintf("%s%s%s%02d%02d%02d%s", p.province, p.regency, p.district, day, p.month, p.year%100, p.serial)
}

func (p nikParts) with(f func(*nikParts)) nikParts {
	f(&p)
	return p
}

func mustNIK(tb testing.TB, s string) kyc.NIK {
	tb.Helper()
	n, err := kyc.ParseNIK(s)
	if err != nil {
		tb.Fatalf("ParseNIK: %v", err)
	}
	return n
}

func TestBaseNIKIsTheDocumentedExample(t *testing.T) {
	t.Parallel()
	if got := baseNIK().String(); got != "3273011708900001" {
		t.Fatalf("baseNIK = %s", got)
	}
	if got := baseNIK().with(func(p *nikParts) { p.female = true }).String(); got != "3273015708900001" {
		t.Fatalf("female baseNIK = %s", got)
	}
}

const (
	detailLength   = "must be exactly sixteen digits"
	detailDigits   = "must contain digits only"
	detailProvince = "has an unknown province code"
	detailRegency  = "has an invalid regency or city code"
	detailDistrict = "has an invalid district code"
	detailDay      = "has an invalid birth day"
	detailMonth    = "has an invalid birth month"
	detailNoDate   = "has a birth date that does not exist"
	detailSerial   = "has an invalid serial number"
)

func TestParseNIK(t *testing.T) {
	t.Parallel()
	b := baseNIK()
	set := func(f func(*nikParts)) string { return b.with(f).String() }
	raw := func(ddmmyy string) string { return "327301" + ddmmyy + "0001" }
	tests := []struct {
		name   string
		in     string
		detail string // empty when the NIK is valid
	}{
		{"male born 1990 parses", b.String(), ""},
		{"female with day plus forty parses", set(func(p *nikParts) { p.female = true }), ""},
		{"female born on the first (41) parses", set(func(p *nikParts) { p.female, p.day = true, 1 }), ""},
		{"female born on the 31st (71) parses", set(func(p *nikParts) { p.female, p.day, p.month = true, 31, 12 }), ""},
		{"regency 99 parses", set(func(p *nikParts) { p.regency = "99" }), ""},
		{"district 99 parses", set(func(p *nikParts) { p.district = "99" }), ""},
		{"serial 9999 parses", set(func(p *nikParts) { p.serial = "9999" }), ""},
		{"born 2000 (YY 00) parses", set(func(p *nikParts) { p.year = 2000 }), ""},
		{"29 February 2000 parses as 2000 is a leap year", raw("290200"), ""},
		{"29 February 2004 parses", raw("290204"), ""},
		{"female 29 February 1996 parses", raw("690296"), ""},
		{"29 February 1999 is not a date", raw("290299"), detailNoDate},
		{"31 February is not a date", raw("310299"), detailNoDate},
		{"30 February is not a date", raw("300200"), detailNoDate},
		{"31 April is not a date", raw("310490"), detailNoDate},
		{"female 31 April (71) is not a date", raw("710490"), detailNoDate},
		{"day 00 is invalid", raw("000190"), detailDay},
		{"day 32 is invalid", raw("320190"), detailDay},
		{"day 40 is invalid", raw("400190"), detailDay},
		{"day 72 is invalid", raw("720190"), detailDay},
		{"day 99 is invalid", raw("990190"), detailDay},
		{"month 00 is invalid", raw("170090"), detailMonth},
		{"month 13 is invalid", raw("171390"), detailMonth},
		{"regency 00 is invalid", set(func(p *nikParts) { p.regency = "00" }), detailRegency},
		{"district 00 is invalid", set(func(p *nikParts) { p.district = "00" }), detailDistrict},
		{"serial 0000 is invalid", set(func(p *nikParts) { p.serial = "0000" }), detailSerial},
		{"province 00 is unknown", set(func(p *nikParts) { p.province = "00" }), detailProvince},
		{"province 20 is unknown", set(func(p *nikParts) { p.province = "20" }), detailProvince},
		{"province 97 (BPS only) is unknown", set(func(p *nikParts) { p.province = "97" }), detailProvince},
		{"province 99 is unknown", set(func(p *nikParts) { p.province = "99" }), detailProvince},
		{"empty is too short", "", detailLength},
		{"15 digits is too short", b.String()[:15], detailLength},
		{"17 digits is too long", b.String() + "1", detailLength},
		{"surrounding spaces make it too long", " " + b.String() + " ", detailLength},
		{"grouped with spaces is too long", "3273 0117 0890 0001", detailLength},
		{"a letter is not a digit", "327301170890000O", detailDigits},
		{"a space is not a digit", "3273011708 00001", detailDigits},
		{"a minus sign is not a digit", "-273011708900001", detailDigits},
		{"Arabic-Indic digits are not digits", "3273011708" + "٠٠٠", detailDigits},
		{"full-width digits are not digits", "3273011708" + "０１", detailDigits},
		{"the first broken rule wins", "2073001708900000", detailProvince},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n, err := kyc.ParseNIK(tt.in)
			if tt.detail == "" {
				if err != nil {
					t.Fatalf("ParseNIK = %v, want a NIK", err)
				}
				if n.String() != tt.in {
					t.Fatalf("String = %s, want %s", n.String(), tt.in)
				}
				return
			}
			assertNIKError(t, tt.in, err)
			if e, _ := fault.As(err); e.Detail != tt.detail {
				t.Fatalf("detail = %q, want %q", e.Detail, tt.detail)
			}
			if !n.IsZero() {
				t.Fatalf("a failed parse returned %s", n.Masked())
			}
		})
	}
}

// assertNIKError checks the error contract: Invalid on field "nik", and no
// digit at all in the message, so nothing of the input can leak.
func assertNIKError(tb testing.TB, in string, err error) {
	tb.Helper()
	e, ok := fault.As(err)
	if !ok || e.Kind != fault.Invalid || e.Field != "nik" {
		tb.Fatalf("ParseNIK error = %#v, want Invalid on nik", err)
	}
	msg := err.Error()
	if strings.ContainsFunc(msg, unicode.IsDigit) {
		tb.Fatalf("error %q contains digits", msg)
	}
	if len(in) >= 4 && strings.Contains(msg, in) {
		tb.Fatalf("error %q contains the input", msg)
	}
}

func TestParseNIKProvinces(t *testing.T) {
	t.Parallel()
	known := map[string]bool{}
	for _, c := range strings.Fields("11 12 13 14 15 16 17 18 19 21 31 32 33 34 35 36 51 52 53 " +
		"61 62 63 64 65 71 72 73 74 75 76 81 82 91 92 93 94 95 96") {
		known[c] = true
	}
	for i := range 100 {
		code := fmt.Sprintf("%02d", i)
		in := baseNIK().with(func(p *nikParts) { p.province = code }).String()
		n, err := kyc.ParseNIK(in)
		switch {
		case known[code] && err != nil:
			t.Errorf("province %s: %v, want accepted", code, err)
		case known[code] && n.Province() != code:
			t.Errorf("province %s: Province = %q", code, n.Province())
		case !known[code] && err == nil:
			t.Errorf("province %s accepted, want unknown", code)
		}
	}
}

func TestNIKAccessors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		parts    nikParts
		province string
		female   bool
		masked   string
	}{
		{"male from Jawa Barat", baseNIK(), "32", false, "************0001"},
		{"female from Papua Pegunungan", baseNIK().with(func(p *nikParts) {
			p.province, p.regency, p.district, p.female, p.serial = "95", "01", "10", true, "1234"
		}), "95", true, "************1234"},
		{"female born on the first", baseNIK().with(func(p *nikParts) { p.female, p.day = true, 1 }), "32", true, "************0001"},
		{"male born on the 31st", baseNIK().with(func(p *nikParts) { p.day, p.month = 31, 1 }), "32", false, "************0001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := mustNIK(t, tt.parts.String())
			if n.String() != tt.parts.String() {
				t.Errorf("String = %s", n.String())
			}
			if n.Province() != tt.province {
				t.Errorf("Province = %q, want %q", n.Province(), tt.province)
			}
			if n.Female() != tt.female {
				t.Errorf("Female = %v, want %v", n.Female(), tt.female)
			}
			if n.Masked() != tt.masked {
				t.Errorf("Masked = %q, want %q", n.Masked(), tt.masked)
			}
			if n.IsZero() {
				t.Error("IsZero on a parsed NIK")
			}
		})
	}
}

func TestZeroNIKIsEmptyAndSafe(t *testing.T) {
	t.Parallel()
	var n kyc.NIK
	if !n.IsZero() || n.String() != "" || n.Masked() != "" || n.Province() != "" || n.Female() {
		t.Fatalf("zero NIK: IsZero=%v String=%q Masked=%q Province=%q Female=%v",
			n.IsZero(), n.String(), n.Masked(), n.Province(), n.Female())
	}
	if n.MatchesBirthDate(time.Date(1990, 8, 17, 0, 0, 0, 0, time.UTC)) {
		t.Fatal("zero NIK matched a birth date")
	}
}

func TestNIKPrintsMaskedExceptString(t *testing.T) {
	t.Parallel()
	n := mustNIK(t, baseNIK().String())
	full := n.String()
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("kyc", "nik", n)
	outputs := map[string]string{
		"Sprint":   fmt.Sprint(n),
		"%v":       fmt.Sprintf("%v", n),
		"%+v":      fmt.Sprintf("%+v", n),
		"%#v":      fmt.Sprintf("%#v", n),
		"%s":       fmt.Sprintf("%s", n),
		"%q":       fmt.Sprintf("%q", n),
		"%v of &n": fmt.Sprintf("%v", &n),
		"in slice": fmt.Sprint([]kyc.NIK{n}),
		"slog":     logged.String(),
	}
	for how, out := range outputs {
		if strings.Contains(out, full) || strings.Contains(out, full[:12]) {
			t.Errorf("%s printed the full NIK: %s", how, out)
		}
		if !strings.Contains(out, n.Masked()) {
			t.Errorf("%s = %q, want the masked form", how, out)
		}
	}
}

func TestMatchesBirthDate(t *testing.T) {
	t.Parallel()
	wib := time.FixedZone("WIB", 7*60*60)
	date := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	male := baseNIK().String()
	female := baseNIK().with(func(p *nikParts) { p.female = true }).String()
	tests := []struct {
		name string
		nik  string
		t    time.Time
		want bool
	}{
		{"male on his birth date matches", male, date(1990, 8, 17), true},
		{"female on her birth date matches without the offset", female, date(1990, 8, 17), true},
		{"female day with the offset added does not match", female, date(1990, 8, 57), false},
		{"time of day is ignored", male, time.Date(1990, 8, 17, 23, 59, 59, 0, time.UTC), true},
		{"date is read in t's location", male, time.Date(1990, 8, 17, 0, 30, 0, 0, wib), true},
		{"the same instant read in UTC is the day before", male, time.Date(1990, 8, 17, 0, 30, 0, 0, wib).UTC(), false},
		{"the next century matches the same two digits", male, date(2090, 8, 17), true},
		{"before 1900 never matches", male, date(1890, 8, 17), false},
		{"from 2100 never matches", male, date(2190, 8, 17), false},
		{"another day does not match", male, date(1990, 8, 18), false},
		{"another month does not match", male, date(1990, 9, 17), false},
		{"another year does not match", male, date(1991, 8, 17), false},
		{"29 February 2000 matches", "3273012902000001", date(2000, 2, 29), true},
		{"female 29 February 1996 matches", "3273016902960001", date(1996, 2, 29), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := mustNIK(t, tt.nik).MatchesBirthDate(tt.t); got != tt.want {
				t.Fatalf("MatchesBirthDate(%s) = %v, want %v", tt.t, got, tt.want)
			}
		})
	}
}

func FuzzParseNIK(f *testing.F) {
	// The seed corpus lives in testdata/fuzz/FuzzParseNIK.
	f.Fuzz(func(t *testing.T, s string) {
		n, err := kyc.ParseNIK(s)
		if err != nil {
			assertNIKError(t, s, err)
			if !n.IsZero() {
				t.Fatalf("a failed parse returned a NIK")
			}
			return
		}
		if n.String() != s {
			t.Fatalf("String = %q, want %q", n.String(), s)
		}
		again, err := kyc.ParseNIK(n.String())
		if err != nil || again != n {
			t.Fatalf("String does not parse back: %v", err)
		}
		want := strings.Repeat("*", 12) + s[12:]
		if n.Masked() != want || fmt.Sprint(n) != want {
			t.Fatalf("Masked = %q, Sprint = %q, want %q", n.Masked(), fmt.Sprint(n), want)
		}
		if n.Province() != s[:2] || n.Female() != (s[6] >= '4') {
			t.Fatalf("Province = %q, Female = %v for %s", n.Province(), n.Female(), n.Masked())
		}
		// The embedded date exists in 19YY or 20YY, and that date matches.
		day := int(s[6]-'0')*10 + int(s[7]-'0')
		if n.Female() {
			day -= 40
		}
		month := time.Month(int(s[8]-'0')*10 + int(s[9]-'0'))
		yy := int(s[10]-'0')*10 + int(s[11]-'0')
		matched := false
		for _, y := range []int{1900 + yy, 2000 + yy} {
			d := time.Date(y, month, day, 0, 0, 0, 0, time.UTC)
			if d.Day() == day && d.Month() == month {
				matched = true
				if !n.MatchesBirthDate(d) {
					t.Fatalf("%s does not match its own birth date %s", n.Masked(), d.Format(time.DateOnly))
				}
			}
		}
		if !matched {
			t.Fatalf("%s parsed with a birth date that exists in neither century", n.Masked())
		}
	})
}
