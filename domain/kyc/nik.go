package kyc

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/dompet/wallet/domain/fault"
)

// nikLen is the length of a NIK: 2 province + 2 regency/city + 2 district +
// 6 birth date (DDMMYY) + 4 serial digits.
const nikLen = 16

// femaleDayOffset is added to the birth day of women in the NIK.
const femaleDayOffset = 40

// provinces holds the province codes a NIK may start with. They are the
// first level of the Kemendagri area coding (Kode Wilayah Administrasi
// Pemerintahan), which Dukcapil uses for the first six NIK digits; the list
// follows Kepmendagri 100.1.1-6117 Tahun 2022, the first to code the Papua
// provinces created in 2022 (UU 14, 15, 16 and 29 Tahun 2022):
// 91 Papua, 92 Papua Barat, 93 Papua Selatan, 94 Papua Tengah,
// 95 Papua Pegunungan, 96 Papua Barat Daya. Before 2022 Papua was 94 and
// Papua Barat 91; a NIK keeps its digits for life, and both codes are still
// in the list. 97 (Papua Pegunungan in the BPS statistical coding, not in
// Kemendagri's) is deliberately absent: Dukcapil does not issue it.
var provinces = func() map[string]bool {
	m := make(map[string]bool)
	for _, c := range strings.Fields(`
		11 12 13 14 15 16 17 18 19 21
		31 32 33 34 35 36
		51 52 53
		61 62 63 64 65
		71 72 73 74 75 76
		81 82
		91 92 93 94 95 96`) {
		m[c] = true
	}
	return m
}()

// NIK is a structurally valid Nomor Induk Kependudukan, the 16-digit
// Indonesian national identity number. Structure is all it proves: whether
// the number was issued, and to whom, is for the e-KYC check against
// Dukcapil.
//
// The full number is personal data (UU 27/2022): logs, receipts and error
// messages use Masked. String returns the digits for storage and for the
// e-KYC call; every fmt verb and slog print the masked form, so a NIK put in
// a log line by accident does not leak.
type NIK struct {
	digits string
}

// ParseNIK validates s, which must be exactly the 16 digits, with no spaces
// or separators. Errors are Invalid on field "nik" and never echo the input.
func ParseNIK(s string) (NIK, error) {
	if len(s) != nikLen {
		return NIK{}, fault.Invalidf("nik", "must be exactly sixteen digits")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return NIK{}, fault.Invalidf("nik", "must contain digits only")
		}
	}
	if !provinces[s[0:2]] {
		return NIK{}, fault.Invalidf("nik", "has an unknown province code")
	}
	if s[2:4] == "00" {
		return NIK{}, fault.Invalidf("nik", "has an invalid regency or city code")
	}
	if s[4:6] == "00" {
		return NIK{}, fault.Invalidf("nik", "has an invalid district code")
	}
	n := NIK{digits: s}
	day, month, yy := n.birth()
	if day < 1 || day > 31 {
		return NIK{}, fault.Invalidf("nik", "has an invalid birth day")
	}
	if month < 1 || month > 12 {
		return NIK{}, fault.Invalidf("nik", "has an invalid birth month")
	}
	// Only 19YY or 20YY are plausible for a living holder. The two centuries
	// differ only for YY 00, where 2000 is a leap year and 1900 is not.
	if !dateExists(1900+yy, month, day) && !dateExists(2000+yy, month, day) {
		return NIK{}, fault.Invalidf("nik", "has a birth date that does not exist")
	}
	if s[12:16] == "0000" {
		return NIK{}, fault.Invalidf("nik", "has an invalid serial number")
	}
	return n, nil
}

func dateExists(year, month, day int) bool {
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	return t.Day() == day && int(t.Month()) == month
}

// birth decodes digits 7–12 (DDMMYY) with the female offset removed. It
// returns zeros for a NIK that is not 16 digits long.
func (n NIK) birth() (day, month, yy int) {
	if len(n.digits) != nikLen {
		return 0, 0, 0
	}
	d := func(i int) int { return int(n.digits[i]-'0')*10 + int(n.digits[i+1]-'0') }
	day, month, yy = d(6), d(8), d(10)
	if day > femaleDayOffset {
		day -= femaleDayOffset
	}
	return day, month, yy
}

// String returns the full 16 digits. Use it to store the NIK or send it to
// the e-KYC provider, never to log it: use Masked.
func (n NIK) String() string { return n.digits }

// Masked returns the NIK with all but the last four digits replaced by '*'
// ("************1234"), for logs, receipts and support screens.
func (n NIK) Masked() string {
	if len(n.digits) <= 4 {
		return strings.Repeat("*", len(n.digits))
	}
	return strings.Repeat("*", len(n.digits)-4) + n.digits[len(n.digits)-4:]
}

// IsZero reports whether n is the zero value, i.e. no NIK at all.
func (n NIK) IsZero() bool { return n.digits == "" }

// Province returns the two-digit Kemendagri province code ("32").
func (n NIK) Province() string {
	if len(n.digits) < 2 {
		return ""
	}
	return n.digits[:2]
}

// Female reports whether the birth day carries the +40 offset Dukcapil
// gives women.
func (n NIK) Female() bool {
	if len(n.digits) != nikLen {
		return false
	}
	return n.digits[6] >= '4'
}

// MatchesBirthDate reports whether the birth date embedded in the NIK is t's
// calendar date (in t's location): same day (after removing the +40 offset
// for women), same month, same last two digits of the year. The NIK has no
// century, so t's year must be in 1900–2099 to match.
func (n NIK) MatchesBirthDate(t time.Time) bool {
	day, month, yy := n.birth()
	if day == 0 {
		return false
	}
	y, m, d := t.Date()
	return y >= 1900 && y <= 2099 && y%100 == yy && int(m) == month && d == day
}

// Format prints the masked form for every verb, so that fmt.Sprint, %v, %s
// and %#v never reveal the full number; call String explicitly for the
// digits.
func (n NIK) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(n.Masked())) }

// LogValue makes slog record the masked form.
func (n NIK) LogValue() slog.Value { return slog.StringValue(n.Masked()) }
