package text_test

import (
	"fmt"
	"testing"

	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/text"
)

func TestCheckVisible(t *testing.T) {
	t.Parallel()
	accepted := []string{"Budi", "Siti Nurhaliza", "Ma'ruf", "José", "Nguyễn", "محمد", "山田", "Ñoño-Ä", ""}
	for _, s := range accepted {
		if err := text.CheckVisible("firstName", s); err != nil {
			t.Errorf("%q refused: %v", s, err)
		}
	}
	refused := map[string]string{
		"invalid UTF-8":            "Bu\xffdi",
		"truncated UTF-8":          "Bud\xe2\x80",
		"U+FFFD":                   "Bu\uFFFDdi",
		"NUL":                      "Bu\x00di",
		"DEL":                      "Bu\x7fdi",
		"C1 control":               "Bu\u0085di",
		"line separator":           "Bu\u2028di",
		"paragraph separator":      "Bu\u2029di",
		"private use":              "Bu\uE000di",
		"soft hyphen (Cf)":         "Bu\u00ADdi",
		"Mongolian vowel sep (Cf)": "Bu\u180Edi",
		"tag character (Cf)":       "Budi\U000E0041",
	}
	// Every bidi and invisible format character the issue names.
	for _, r := range []rune{0x061C, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
		0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0x2066, 0x2067, 0x2068, 0x2069, 0xFEFF} {
		refused[fmt.Sprintf("U+%04X", r)] = "Budi" + string(r) + "nomis"
	}
	for name, s := range refused {
		err := text.CheckVisible("firstName", s)
		f, ok := fault.As(err)
		if !ok || f.Kind != fault.Invalid || f.Field != "firstName" {
			t.Errorf("%s (%q): err = %v, want Invalid naming firstName", name, s, err)
		}
	}
}
