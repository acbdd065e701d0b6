// Package phone normalises Indonesian mobile numbers with libphonenumber's
// numbering plan, so that new number ranges need a library update, not a
// regex change.
package phone

import (
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/customer"
)

// Normalizer accepts 08…, 628… and +628… input.
type Normalizer struct{}

var _ app.PhoneNormalizer = Normalizer{}

// NewNormalizer returns the libphonenumber-backed normaliser.
func NewNormalizer() Normalizer { return Normalizer{} }

// Normalize returns the canonical 628… form or customer.ErrInvalidMobile.
func (Normalizer) Normalize(raw string) (customer.MobileNumber, error) {
	s := strings.TrimSpace(raw)
	// Only the three documented shapes are accepted; libphonenumber alone
	// would also take things like "(0812) 3456-7890" or "0062…".
	switch {
	case strings.HasPrefix(s, "+62"):
		s = s[1:]
	case strings.HasPrefix(s, "0"):
		s = "62" + s[1:]
	}
	if !strings.HasPrefix(s, "628") || len(s) > 16 {
		return "", customer.ErrInvalidMobile
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", customer.ErrInvalidMobile
		}
	}
	num, err := phonenumbers.Parse("+"+s, "ID")
	if err != nil || num.GetCountryCode() != 62 || !phonenumbers.IsValidNumberForRegion(num, "ID") {
		return "", customer.ErrInvalidMobile
	}
	if phonenumbers.GetNumberType(num) != phonenumbers.MOBILE {
		return "", customer.ErrInvalidMobile
	}
	canonical := strings.TrimPrefix(phonenumbers.Format(num, phonenumbers.E164), "+")
	return customer.ParseMobileNumber(canonical)
}
