package customer

import (
	"strings"

	"github.com/dompet/wallet/domain/fault"
)

// MobileNumber is an Indonesian mobile number in canonical form: country code
// 62 followed by the national number without its trunk 0, digits only
// ("6281234567890"). Turning user input into this form needs the numbering
// plan, which lives behind the PhoneNormalizer port in app; the domain only
// guards the canonical shape.
type MobileNumber string

// ErrInvalidMobile is returned for anything that is not a canonical number.
var ErrInvalidMobile = fault.New(fault.InvalidMobile, "invalid mobile number")

// ParseMobileNumber accepts only the canonical form.
func ParseMobileNumber(s string) (MobileNumber, error) {
	// 62 + 8 + 7..11 more digits: Indonesian mobile numbers have 9 to 12
	// national significant digits, all starting with 8.
	if len(s) < 10 || len(s) > 15 || !strings.HasPrefix(s, "628") {
		return "", ErrInvalidMobile
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return "", ErrInvalidMobile
		}
	}
	return MobileNumber(s), nil
}

func (m MobileNumber) String() string { return string(m) }

// National returns the number as dialled inside Indonesia ("0812…"), which is
// also what virtual account numbers are built from.
func (m MobileNumber) National() string { return "0" + string(m)[2:] }

// Masked hides the middle digits, for logs and receipts.
func (m MobileNumber) Masked() string {
	s := string(m)
	if len(s) < 8 {
		return "****"
	}
	return s[:5] + strings.Repeat("*", len(s)-8) + s[len(s)-3:]
}
