// Package banks is the list of banks the platform knows, kept as data
// (banks.json): Bank Indonesia codes, names, and the prefixes of the top-up
// virtual accounts the platform holds at some of them. The VA prefixes are
// the platform's own agreements with each bank; change them here.
package banks

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"

	"github.com/dompet/wallet/app"
)

//go:embed banks.json
var data []byte

var (
	codeRE   = regexp.MustCompile(`^[0-9]{3}$`)
	prefixRE = regexp.MustCompile(`^[0-9]{3,6}$`)
)

// Load parses and checks the embedded list.
func Load() ([]app.Bank, error) {
	var raw []struct {
		Code     string `json:"code"`
		Name     string `json:"name"`
		VAPrefix string `json:"vaPrefix"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("banks.json: %w", err)
	}
	seen := map[string]bool{}
	out := make([]app.Bank, 0, len(raw))
	for _, b := range raw {
		if !codeRE.MatchString(b.Code) || b.Name == "" || seen[b.Code] || (b.VAPrefix != "" && !prefixRE.MatchString(b.VAPrefix)) {
			return nil, fmt.Errorf("banks.json: bad or duplicate entry %q", b.Code)
		}
		seen[b.Code] = true
		out = append(out, app.Bank{Code: b.Code, Name: b.Name, VAPrefix: b.VAPrefix})
	}
	// A VA prefix that is a prefix of another would make numbers ambiguous.
	for _, a := range out {
		for _, b := range out {
			if a.Code != b.Code && a.VAPrefix != "" && b.VAPrefix != "" && len(a.VAPrefix) <= len(b.VAPrefix) && b.VAPrefix[:len(a.VAPrefix)] == a.VAPrefix {
				return nil, fmt.Errorf("banks.json: VA prefix of %s is a prefix of %s's", a.Code, b.Code)
			}
		}
	}
	return out, nil
}

// MustLoad is Load for tests and fixed data known to be valid.
func MustLoad() []app.Bank {
	b, err := Load()
	if err != nil {
		panic(err)
	}
	return b
}
