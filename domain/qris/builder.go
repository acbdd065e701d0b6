package qris

import (
	"slices"
	"strconv"
	"strings"
)

// Builder writes QRIS payloads with a correct CRC, for tests and for a QR
// switch simulator. Setters record values; Encode lays the fields out in
// ascending tag order with the CRC last and validates the result with
// Parse, so a Builder never yields a payload Parse would refuse. A Builder
// is not safe for concurrent use.
type Builder struct {
	fields map[int]string
	err    error
}

// NewBuilder starts a static payload in rupiah for Indonesia (tags 00, 01,
// 53, 58). The caller adds at least an acquirer, the merchant category
// code, name and city.
func NewBuilder() *Builder {
	return &Builder{fields: map[int]string{
		0:  "01",
		1:  Static.code(),
		53: CurrencyIDR,
		58: CountryID,
	}}
}

// Builder returns a Builder holding p's interpreted values; tags Parse
// ignores are not carried over. Amounts and percentages are written in
// their shortest form ("10000.00" becomes "10000"). Turning a static QR
// into a dynamic one is p.Builder().Initiation(Dynamic).Amount(n).
func (p *Payload) Builder() *Builder {
	b := NewBuilder().
		Initiation(p.initiation).
		MCC(p.mcc).
		MerchantName(p.name).
		MerchantCity(p.city).
		PostalCode(p.postalCode).
		Tip(p.tip).
		AdditionalData(p.additional)
	for _, a := range p.acquirers {
		b.Acquirer(a)
	}
	if p.hasAmount {
		b.Amount(p.amount)
	}
	if p.hasLanguage {
		b.Language(p.language)
	}
	return b
}

// fail keeps the first error for Encode to report.
func (b *Builder) fail(err error) *Builder {
	if b.err == nil {
		b.err = err
	}
	return b
}

// set stores an encoded template unless encoding failed.
func (b *Builder) set(tag int, value string, err error) *Builder {
	if err != nil {
		return b.fail(err)
	}
	return b.Field(tag, value)
}

// Initiation sets tag 01.
func (b *Builder) Initiation(in Initiation) *Builder { return b.Field(1, in.code()) }

// Acquirer sets the merchant account template at a.Tag(), replacing any
// there.
func (b *Builder) Acquirer(a Acquirer) *Builder {
	if err := a.validate(); err != nil {
		return b.fail(err)
	}
	v, err := a.encode()
	return b.set(a.tag, v, err)
}

// MCC sets the merchant category code (tag 52).
func (b *Builder) MCC(mcc string) *Builder { return b.Field(52, mcc) }

// Amount sets the transaction amount in rupiah (tag 54).
func (b *Builder) Amount(rupiah int64) *Builder {
	return b.Field(54, strconv.FormatInt(rupiah, 10))
}

// ClearAmount removes tag 54.
func (b *Builder) ClearAmount() *Builder { return b.Field(54, "") }

// Tip sets tags 55–57 from r; NoTip removes them.
func (b *Builder) Tip(r TipRule) *Builder {
	b.Field(55, "").Field(56, "").Field(57, "")
	switch r.Kind() {
	case TipPrompt:
		b.Field(55, "01")
	case TipFixed:
		b.Field(55, "02").Field(56, strconv.FormatInt(r.fixed, 10))
	case TipPercent:
		b.Field(55, "03").Field(57, formatPercent(r.basisPoints))
	}
	return b
}

// MerchantName sets tag 59.
func (b *Builder) MerchantName(name string) *Builder { return b.Field(59, name) }

// MerchantCity sets tag 60.
func (b *Builder) MerchantCity(city string) *Builder { return b.Field(60, city) }

// PostalCode sets tag 61; "" removes it.
func (b *Builder) PostalCode(code string) *Builder { return b.Field(61, code) }

// AdditionalData sets tag 62; an empty AdditionalData removes it.
func (b *Builder) AdditionalData(d AdditionalData) *Builder {
	v, err := d.encode()
	return b.set(62, v, err)
}

// Language sets the language template (tag 64).
func (b *Builder) Language(l Language) *Builder {
	if err := l.validate(); err != nil {
		return b.fail(err)
	}
	v, err := l.encode()
	return b.set(64, v, err)
}

// Field sets top-level tag 00–99 to value verbatim, or removes it when
// value is "". It is the escape hatch for tags the typed setters do not
// cover and for payloads in unusual but valid forms ("10000.00"). Tag 63
// is always computed by Encode and cannot be set.
func (b *Builder) Field(tag int, value string) *Builder {
	switch {
	case tag < 0 || tag > 99:
		b.fail(invalidf("tag %d is outside 00–99", tag))
	case tag == 63:
		b.fail(invalidf("tag 63 is the CRC, computed by Encode"))
	case value == "":
		delete(b.fields, tag)
	default:
		b.fields[tag] = value
	}
	return b
}

// Encode returns the payload with its CRC, or the first error met by a
// setter or by Parse on the result (a fault.QRISInvalid).
func (b *Builder) Encode() (string, error) {
	if b.err != nil {
		return "", b.err
	}
	tags := make([]int, 0, len(b.fields))
	for tag := range b.fields {
		tags = append(tags, tag)
	}
	slices.Sort(tags)
	var s strings.Builder
	for _, tag := range tags {
		f, err := encodeField(tag, b.fields[tag])
		if err != nil {
			return "", err
		}
		s.WriteString(f)
	}
	s.WriteString("6304")
	payload := s.String() + Checksum(s.String())
	if _, err := Parse(payload); err != nil {
		return "", err
	}
	return payload, nil
}
