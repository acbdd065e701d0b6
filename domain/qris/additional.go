package qris

import (
	"strings"
	"unicode/utf8"
)

// DataField is a sub-tag of the additional data field template (tag 62).
type DataField int

// The additional data fields EMVCo defines.
const (
	BillNumber           DataField = iota + 1 // 01
	MobileNumber                              // 02
	StoreLabel                                // 03
	LoyaltyNumber                             // 04
	ReferenceLabel                            // 05
	CustomerLabel                             // 06
	TerminalLabel                             // 07
	PurposeOfTransaction                      // 08
	ConsumerDataRequest                       // 09
	MerchantTaxID                             // 10
	MerchantChannel                           // 11
)

const lastDataField = MerchantChannel

// AdditionalData is the additional data field template (tag 62): bill
// number, reference label, terminal label and the like. A value of "***"
// means the payer is to be asked for it. The zero value is empty.
type AdditionalData struct {
	values [lastDataField + 1]string
}

// Get returns the value of f, or "" when absent or f is not a known field.
func (d AdditionalData) Get(f DataField) string {
	if f < BillNumber || f > lastDataField {
		return ""
	}
	return d.values[f]
}

// With returns a copy of d with f set to value ("" removes it). A field
// outside BillNumber..MerchantChannel leaves d unchanged.
func (d AdditionalData) With(f DataField, value string) AdditionalData {
	if f >= BillNumber && f <= lastDataField {
		d.values[f] = value
	}
	return d
}

// IsZero reports whether no field is set.
func (d AdditionalData) IsZero() bool { return d == AdditionalData{} }

// parseAdditionalData reads tag 62; sub-tags other than 01–11 are checked
// for form and ignored.
func parseAdditionalData(value string) (AdditionalData, error) {
	fields, err := split(value, "tag 62")
	if err != nil {
		return AdditionalData{}, err
	}
	var d AdditionalData
	for _, f := range fields {
		if n := DataField(atoi(f.id)); n >= BillNumber && n <= lastDataField {
			d.values[n] = f.value
		}
	}
	return d, nil
}

func (d AdditionalData) encode() (string, error) {
	var b strings.Builder
	for f := BillNumber; f <= lastDataField; f++ {
		if d.values[f] == "" {
			continue
		}
		s, err := encodeField(int(f), d.values[f])
		if err != nil {
			return "", invalidf("tag 62 sub-tag %02d: value is %d characters, must be 1 to 99", int(f), utf8.RuneCountInString(d.values[f]))
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// Language is the merchant information language template (tag 64): the
// merchant's name, and optionally city, in another language, which may
// use any Unicode characters.
type Language struct {
	preference   string
	merchantName string
	merchantCity string
}

// NewLanguage validates a language template: preference is a two-letter
// ISO 639 code (sub-tag 00), merchantName is required (01), merchantCity
// may be empty (02); each at most 99 characters.
func NewLanguage(preference, merchantName, merchantCity string) (Language, error) {
	l := Language{preference: preference, merchantName: merchantName, merchantCity: merchantCity}
	if err := l.validate(); err != nil {
		return Language{}, err
	}
	return l, nil
}

func (l Language) validate() error {
	if l.preference == "" {
		return invalidf("tag 64: missing language preference (sub-tag 00)")
	}
	if len(l.preference) != 2 || !isLetters(l.preference) {
		return invalidf("tag 64 sub-tag 00: language preference %q is not two letters", l.preference)
	}
	if strings.TrimSpace(l.merchantName) == "" {
		return invalidf("tag 64: missing alternate merchant name (sub-tag 01)")
	}
	for _, v := range []struct{ sub, value string }{{"01", l.merchantName}, {"02", l.merchantCity}} {
		if n := utf8.RuneCountInString(v.value); n > maxValue {
			return invalidf("tag 64 sub-tag %s: value is %d characters, at most 99", v.sub, n)
		}
	}
	return nil
}

func parseLanguage(value string) (Language, error) {
	fields, err := split(value, "tag 64")
	if err != nil {
		return Language{}, err
	}
	var l Language
	for _, f := range fields {
		switch f.id {
		case "00":
			l.preference = f.value
		case "01":
			l.merchantName = f.value
		case "02":
			l.merchantCity = f.value
		}
	}
	return l, l.validate()
}

func (l Language) encode() (string, error) {
	var b strings.Builder
	for _, f := range []field{{"00", l.preference}, {"01", l.merchantName}, {"02", l.merchantCity}} {
		if f.value == "" {
			continue
		}
		s, err := encodeField(int(atoi(f.id)), f.value)
		if err != nil {
			return "", err
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// Preference is the ISO 639 language code, e.g. "ID" or "ZH".
func (l Language) Preference() string { return l.preference }

// MerchantName is the merchant's name in that language.
func (l Language) MerchantName() string { return l.merchantName }

// MerchantCity is the merchant's city in that language, or "".
func (l Language) MerchantCity() string { return l.merchantCity }

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}
