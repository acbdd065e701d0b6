package qris

import (
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/dompet/wallet/domain/fault"
)

// MaxLength is the longest payload, in characters, that EMVCo allows.
const MaxLength = 512

// maxValue is the longest value a two-digit length can announce.
const maxValue = 99

// ErrCRCMismatch is returned when tag 63 does not match the checksum of the
// payload, which usually means the QR text was altered or misread.
var ErrCRCMismatch = fault.New(fault.QRISInvalid, "CRC mismatch")

func invalidf(format string, args ...any) *fault.Error {
	return fault.New(fault.QRISInvalid, fmt.Sprintf(format, args...))
}

// field is one data object: a two-digit ID and its value.
type field struct {
	id    string
	value string
}

// fieldName names a field in error details: "tag 59" at the top level,
// "tag 26 sub-tag 01" inside a template.
func fieldName(parent, id string) string {
	if parent == "" {
		return "tag " + id
	}
	return parent + " sub-tag " + id
}

// split walks one level of TLV. parent is "" at the top level and the
// enclosing field's name inside a template. Lengths count runes (see the
// package doc); s must be valid UTF-8.
func split(s, parent string) ([]field, error) {
	var fields []field
	seen := make(map[string]bool)
	for len(s) > 0 {
		if len(s) < 2 {
			return nil, truncated(parent, fields)
		}
		id := s[:2]
		if !isDigits(id) {
			where := "payload"
			if parent != "" {
				where = parent
			}
			return nil, invalidf("%s: field ID %q is not two digits", where, id)
		}
		name := fieldName(parent, id)
		if len(s) < 4 {
			return nil, invalidf("payload truncated in %s: no length", name)
		}
		if !isDigits(s[2:4]) {
			return nil, invalidf("%s: length %q is not two digits", name, s[2:4])
		}
		n := int(s[2]-'0')*10 + int(s[3]-'0')
		if n == 0 {
			return nil, invalidf("%s: length 00, a value must not be empty", name)
		}
		rest := s[4:]
		end, ok := runeOffset(rest, n)
		if !ok {
			return nil, invalidf("payload truncated in %s: length %02d runs past the end (%d characters left)",
				name, n, utf8.RuneCountInString(rest))
		}
		if seen[id] {
			return nil, invalidf("duplicate %s", name)
		}
		seen[id] = true
		fields = append(fields, field{id: id, value: rest[:end]})
		s = rest[end:]
	}
	return fields, nil
}

func truncated(parent string, fields []field) error {
	after := "the start"
	if len(fields) > 0 {
		after = fieldName(parent, fields[len(fields)-1].id)
	}
	if parent != "" {
		return invalidf("%s: truncated after %s", parent, after)
	}
	return invalidf("payload truncated after %s", after)
}

// runeOffset returns the byte offset just past the first n runes of s.
func runeOffset(s string, n int) (int, bool) {
	off := 0
	for range n {
		if off >= len(s) {
			return 0, false
		}
		_, size := utf8.DecodeRuneInString(s[off:])
		off += size
	}
	return off, true
}

// encodeField writes one data object, counting the length in runes.
func encodeField(id int, value string) (string, error) {
	n := utf8.RuneCountInString(value)
	if n == 0 || n > maxValue {
		return "", invalidf("tag %02d: value is %d characters, must be 1 to 99", id, n)
	}
	return fmt.Sprintf("%02d%02d%s", id, n, value), nil
}

// Checksum returns the CRC-16/CCITT-FALSE of s (polynomial 0x1021, initial
// value 0xFFFF, no reflection, no final XOR) as four uppercase hexadecimal
// digits. For a QRIS payload s is everything up to and including "6304".
func Checksum(s string) string {
	crc := uint16(0xFFFF)
	for i := 0; i < len(s); i++ {
		crc ^= uint16(s[i]) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return fmt.Sprintf("%04X", crc)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// atoi converts a string already checked by isDigits and short enough not
// to overflow.
func atoi(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}
