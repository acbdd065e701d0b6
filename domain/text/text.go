// Package text holds the rule for free text that other people read: names
// end up in inquiries, transaction histories and partner screens, so they
// must be the characters they look like.
package text

import (
	"unicode"
	"unicode/utf8"

	"github.com/dompet/wallet/domain/fault"
)

// CheckVisible refuses what would make s display as something else or as
// mojibake: bytes that are not UTF-8 (and U+FFFD, which is what a decoder
// turns them into, so the JSON doors see only that), control characters,
// and invisible format characters (Unicode category Cf: the bidi overrides
// and isolates U+202A–U+202E, U+2066–U+2069, U+061C, the zero-width
// U+200B–U+200F, U+2060–U+2064, U+FEFF …), line and paragraph separators
// and private-use characters. The error is code 10 naming field.
func CheckVisible(field, s string) error {
	for i, r := range s {
		if r == utf8.RuneError {
			_, size := utf8.DecodeRuneInString(s[i:])
			if size <= 1 {
				return fault.Invalidf(field, "is not valid UTF-8 text")
			}
			return fault.Invalidf(field, "is not valid UTF-8 text (it contains U+FFFD, what undecodable bytes become)")
		}
		if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Co) {
			return fault.Invalidf(field, "contains the invisible or control character U+%04X, which is not allowed", r)
		}
	}
	return nil
}
