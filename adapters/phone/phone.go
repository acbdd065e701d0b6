// Package phone normalises Indonesian mobile numbers with libphonenumber's
// numbering plan, so that new number ranges need a library update, not a
// regex change.
package phone

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/nyaruka/phonenumbers"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/customer"
)

// Normalizer accepts 08…, 628… and +628… input. It remembers the verdicts
// on up to cacheSize numbers: every money request normalises one or two
// numbers, and libphonenumber's parse was a visible share of a payment's
// CPU. The zero value works without the cache.
type Normalizer struct {
	cache *verdicts
}

// cacheSize bounds the cache: about 100 bytes an entry.
const cacheSize = 100_000

type verdicts struct {
	m sync.Map // 628… digits → customer.MobileNumber ("" when invalid)
	n atomic.Int64
}

var _ app.PhoneNormalizer = Normalizer{}

// NewNormalizer returns the libphonenumber-backed normaliser.
func NewNormalizer() Normalizer { return Normalizer{cache: &verdicts{}} }

// Normalize returns the canonical 628… form or customer.ErrInvalidMobile.
func (n Normalizer) Normalize(raw string) (customer.MobileNumber, error) {
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
	if n.cache == nil {
		return parse(s)
	}
	if v, ok := n.cache.m.Load(s); ok {
		if m := v.(customer.MobileNumber); m != "" {
			return m, nil
		}
		return "", customer.ErrInvalidMobile
	}
	m, err := parse(s)
	if n.cache.n.Load() < cacheSize {
		n.cache.n.Add(1)
		n.cache.m.Store(s, m)
	}
	return m, err
}

// parse asks libphonenumber about 628… digits.
func parse(s string) (customer.MobileNumber, error) {
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
