package qris

import (
	"strings"
	"unicode/utf8"
)

// QRISGlobalID is the globally unique identifier of the QRIS national
// repository; in tag 51 it introduces the NMID.
const QRISGlobalID = "ID.CO.QRIS.WWW"

// nmidTag is the merchant account template that carries the NMID.
const nmidTag = 51

// Acquirer is one merchant account information template (tags 26–51): the
// institution that will be paid and the merchant's identity there.
type Acquirer struct {
	tag         int
	globalID    string
	merchantPAN string
	merchantID  string
	criteria    string
}

// NewAcquirer validates and returns a merchant account template. tag is
// 26–51; globalID (sub-tag 00, e.g. "ID.CO.QRIS.WWW" or a reverse domain
// such as "ID.DANA.WWW") is required and at most 32 characters;
// merchantPAN (sub-tag 01) is digits, at most 19; merchantID (02) and
// criteria (03, e.g. "UMI") are free text and may be empty. In tag 51 with
// the QRIS identifier, merchantID is the NMID and must be "ID" followed by
// thirteen digits.
func NewAcquirer(tag int, globalID, merchantPAN, merchantID, criteria string) (Acquirer, error) {
	a := Acquirer{tag: tag, globalID: globalID, merchantPAN: merchantPAN, merchantID: merchantID, criteria: criteria}
	if err := a.validate(); err != nil {
		return Acquirer{}, err
	}
	return a, nil
}

func (a Acquirer) validate() error {
	if a.tag < 26 || a.tag > 51 {
		return invalidf("merchant account tag %d is outside 26–51", a.tag)
	}
	switch n := utf8.RuneCountInString(a.globalID); {
	case n == 0:
		return invalidf("tag %d: missing globally unique identifier (sub-tag 00)", a.tag)
	case n > 32:
		return invalidf("tag %d sub-tag 00: globally unique identifier is %d characters, at most 32", a.tag, n)
	}
	if a.merchantPAN != "" {
		if !isDigits(a.merchantPAN) {
			return invalidf("tag %d sub-tag 01: merchant PAN %q is not digits", a.tag, a.merchantPAN)
		}
		if len(a.merchantPAN) > 19 {
			return invalidf("tag %d sub-tag 01: merchant PAN is %d digits, at most 19", a.tag, len(a.merchantPAN))
		}
	}
	for _, v := range []struct{ sub, value string }{{"02", a.merchantID}, {"03", a.criteria}} {
		if n := utf8.RuneCountInString(v.value); n > maxValue {
			return invalidf("tag %d sub-tag %s: value is %d characters, at most 99", a.tag, v.sub, n)
		}
	}
	if a.carriesNMID() {
		if a.merchantID == "" {
			return invalidf("tag %d: missing NMID (sub-tag 02)", a.tag)
		}
		if !validNMID(a.merchantID) {
			return invalidf("tag %d sub-tag 02: NMID %q is not \"ID\" followed by 13 digits", a.tag, a.merchantID)
		}
	}
	return nil
}

func (a Acquirer) carriesNMID() bool {
	return a.tag == nmidTag && strings.EqualFold(a.globalID, QRISGlobalID)
}

func validNMID(s string) bool {
	return len(s) == 15 && s[:2] == "ID" && isDigits(s[2:])
}

// parseAcquirer reads the template with the two-digit ID id. Sub-tags
// other than 00–03 are checked for form and ignored.
func parseAcquirer(id, value string) (Acquirer, error) {
	fields, err := split(value, fieldName("", id))
	if err != nil {
		return Acquirer{}, err
	}
	a := Acquirer{tag: int(atoi(id))}
	for _, f := range fields {
		switch f.id {
		case "00":
			a.globalID = f.value
		case "01":
			a.merchantPAN = f.value
		case "02":
			a.merchantID = f.value
		case "03":
			a.criteria = f.value
		}
	}
	return a, a.validate()
}

func (a Acquirer) encode() (string, error) {
	var b strings.Builder
	for _, f := range []field{{"00", a.globalID}, {"01", a.merchantPAN}, {"02", a.merchantID}, {"03", a.criteria}} {
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

// Tag is the template's ID, 26–51.
func (a Acquirer) Tag() int { return a.tag }

// GlobalID is the globally unique identifier (sub-tag 00).
func (a Acquirer) GlobalID() string { return a.globalID }

// MerchantPAN is the merchant PAN (sub-tag 01), or "".
func (a Acquirer) MerchantPAN() string { return a.merchantPAN }

// MerchantID is the merchant ID (sub-tag 02), or ""; the NMID in tag 51.
func (a Acquirer) MerchantID() string { return a.merchantID }

// Criteria is the merchant criteria (sub-tag 03, e.g. "UMI", "UBE"), or "".
func (a Acquirer) Criteria() string { return a.criteria }
