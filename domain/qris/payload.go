package qris

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Initiation is the point of initiation method (tag 01).
type Initiation string

// Points of initiation; the values are the wire names transports use.
const (
	Static  Initiation = "STATIC"  // 01 = 11: shown for many payments
	Dynamic Initiation = "DYNAMIC" // 01 = 12: made for one payment
)

// code is the tag 01 value, or "" for an unknown Initiation.
func (in Initiation) code() string {
	switch in {
	case Static:
		return "11"
	case Dynamic:
		return "12"
	}
	return ""
}

// Currency and country every QRIS payload must carry.
const (
	CurrencyIDR = "360"
	CountryID   = "ID"
)

// Payload is a parsed, validated QRIS merchant-presented payload. It is
// immutable; build one with Parse or Builder.
type Payload struct {
	raw         string
	initiation  Initiation
	acquirers   []Acquirer
	mcc         string
	currency    string
	amount      int64
	hasAmount   bool
	tip         TipRule
	country     string
	name        string
	city        string
	postalCode  string
	additional  AdditionalData
	language    Language
	hasLanguage bool
}

// Parse validates s as a QRIS payload (see the package doc for the rules)
// and returns it parsed. Every error is a fault.QRISInvalid naming the
// offending tag; a wrong checksum is ErrCRCMismatch.
func Parse(s string) (*Payload, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, invalidf("payload is empty")
	}
	// Bound the work before counting runes: 512 characters are at most
	// 2048 bytes of UTF-8.
	if len(s) > 4*MaxLength {
		return nil, invalidf("payload is longer than %d characters", MaxLength)
	}
	if !utf8.ValidString(s) {
		return nil, invalidf("payload is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(s); n > MaxLength {
		return nil, invalidf("payload is %d characters, longer than %d", n, MaxLength)
	}
	if i := strings.IndexFunc(s, unicode.IsControl); i >= 0 {
		return nil, invalidf("payload has a control character at position %d", utf8.RuneCountInString(s[:i]))
	}
	fields, err := split(s, "")
	if err != nil {
		return nil, err
	}
	if err := checkFrame(s, fields); err != nil {
		return nil, err
	}
	tags := make(map[string]string, len(fields))
	for _, f := range fields {
		tags[f.id] = f.value
	}
	p := &Payload{raw: s}
	if err := p.read(tags, fields); err != nil {
		return nil, err
	}
	return p, nil
}

// checkFrame checks the first and last fields and the CRC.
func checkFrame(s string, fields []field) error {
	if fields[0].id != "00" {
		return invalidf("payload must begin with the payload format indicator (tag 00), not tag %s", fields[0].id)
	}
	if fields[0].value != "01" {
		return invalidf("tag 00: payload format indicator %q is not 01", fields[0].value)
	}
	last := fields[len(fields)-1]
	if last.id != "63" {
		if slices.ContainsFunc(fields, func(f field) bool { return f.id == "63" }) {
			return invalidf("the CRC (tag 63) must be the last field, but tag %s follows it", last.id)
		}
		return invalidf("missing CRC (tag 63)")
	}
	if len(last.value) != 4 || !isHex(last.value) {
		return invalidf("tag 63: CRC %q is not four hexadecimal digits", last.value)
	}
	if !strings.EqualFold(last.value, Checksum(s[:len(s)-4])) {
		return ErrCRCMismatch
	}
	return nil
}

// read interprets the top-level tags; fields keeps their order for the
// merchant account templates.
func (p *Payload) read(tags map[string]string, fields []field) error {
	switch v, ok := tags["01"]; {
	case !ok:
		return invalidf("missing point of initiation method (tag 01)")
	case v == "11":
		p.initiation = Static
	case v == "12":
		p.initiation = Dynamic
	default:
		return invalidf("tag 01: point of initiation %q is not 11 (static) or 12 (dynamic)", v)
	}

	for _, f := range fields {
		if f.id < "26" || f.id > "51" {
			continue
		}
		a, err := parseAcquirer(f.id, f.value)
		if err != nil {
			return err
		}
		p.acquirers = append(p.acquirers, a)
	}
	if len(p.acquirers) == 0 {
		return invalidf("missing merchant account information (tags 26–51)")
	}
	slices.SortFunc(p.acquirers, func(a, b Acquirer) int { return a.tag - b.tag })

	switch v, ok := tags["52"]; {
	case !ok:
		return invalidf("missing merchant category code (tag 52)")
	case len(v) != 4 || !isDigits(v):
		return invalidf("tag 52: merchant category code %q is not four digits", v)
	default:
		p.mcc = v
	}

	switch v, ok := tags["53"]; {
	case !ok:
		return invalidf("missing transaction currency (tag 53)")
	case len(v) != 3 || !isDigits(v):
		return invalidf("tag 53: currency %q is not a three-digit ISO 4217 code", v)
	case v != CurrencyIDR:
		return invalidf("currency %s is not IDR (360)", v)
	default:
		p.currency = v
	}

	if v, ok := tags["54"]; ok {
		amount, err := parseRupiah("tag 54", v)
		if err != nil {
			return err
		}
		if amount <= 0 {
			return invalidf("tag 54: amount %q must be positive", v)
		}
		p.amount, p.hasAmount = amount, true
	} else if p.initiation == Dynamic {
		return invalidf("dynamic QR (tag 01 = 12) without an amount (tag 54)")
	}

	tip, err := parseTip(tags["55"], tags["56"], tags["57"])
	if err != nil {
		return err
	}
	p.tip = tip

	switch v, ok := tags["58"]; {
	case !ok:
		return invalidf("missing country code (tag 58)")
	case v != CountryID:
		return invalidf("country %q is not ID", v)
	default:
		p.country = v
	}

	if p.name, err = requiredText(tags, "59", "merchant name"); err != nil {
		return err
	}
	if p.city, err = requiredText(tags, "60", "merchant city"); err != nil {
		return err
	}
	p.postalCode = tags["61"]

	if v, ok := tags["62"]; ok {
		if p.additional, err = parseAdditionalData(v); err != nil {
			return err
		}
	}
	if v, ok := tags["64"]; ok {
		if p.language, err = parseLanguage(v); err != nil {
			return err
		}
		p.hasLanguage = true
	}
	return nil
}

func requiredText(tags map[string]string, tag, what string) (string, error) {
	v, ok := tags[tag]
	if !ok {
		return "", invalidf("missing %s (tag %s)", what, tag)
	}
	if strings.TrimSpace(v) == "" {
		return "", invalidf("tag %s: %s is blank", tag, what)
	}
	return v, nil
}

// Raw is the payload as parsed, without surrounding whitespace.
func (p *Payload) Raw() string { return p.raw }

// Initiation is Static or Dynamic.
func (p *Payload) Initiation() Initiation { return p.initiation }

// Acquirers are the merchant account templates, by ascending tag; there is
// at least one.
func (p *Payload) Acquirers() []Acquirer { return slices.Clone(p.acquirers) }

// NMID is the national merchant ID from tag 51 (see the package doc), or
// "" when the payload has no QRIS template there.
func (p *Payload) NMID() string {
	for _, a := range p.acquirers {
		if a.carriesNMID() {
			return a.merchantID
		}
	}
	return ""
}

// MCC is the four-digit merchant category code (tag 52).
func (p *Payload) MCC() string { return p.mcc }

// Currency is the ISO 4217 numeric currency (tag 53), always "360".
func (p *Payload) Currency() string { return p.currency }

// Amount is the transaction amount in rupiah (tag 54) and whether the
// payload carries one; a dynamic payload always does.
func (p *Payload) Amount() (int64, bool) { return p.amount, p.hasAmount }

// TipRule is the tip or convenience fee rule (tags 55–57).
func (p *Payload) TipRule() TipRule { return p.tip }

// Fee is the convenience fee on amount rupiah under TipRule; see
// TipRule.Fee.
func (p *Payload) Fee(amount int64) int64 { return p.tip.Fee(amount) }

// Country is the ISO 3166 country code (tag 58), always "ID".
func (p *Payload) Country() string { return p.country }

// MerchantName is the merchant name (tag 59).
func (p *Payload) MerchantName() string { return p.name }

// MerchantCity is the merchant city (tag 60).
func (p *Payload) MerchantCity() string { return p.city }

// PostalCode is the postal code (tag 61), or "".
func (p *Payload) PostalCode() string { return p.postalCode }

// AdditionalData is the additional data field template (tag 62); empty
// when absent.
func (p *Payload) AdditionalData() AdditionalData { return p.additional }

// AlternateLanguage is the merchant information language template (tag
// 64) and whether the payload carries one.
func (p *Payload) AlternateLanguage() (Language, bool) { return p.language, p.hasLanguage }
