package logcheck

import (
	"strings"
	"testing"
)

func TestLeaks(t *testing.T) {
	mu.Lock()
	lines, secrets = nil, map[string]string{}
	mu.Unlock()
	JSON([]byte(`{"data":{"accessToken":"tok-abc_DEF.123","items":[{"cashOutCode":"98765432"}]},"otp":"123456","nik":"3273011708900001","secret":"short"}`))
	w := Writer(nil)
	for _, l := range []string{
		`time=2026-12-03T14:04:49.123456789Z level=INFO msg=http`,                   // OTP digits inside a timestamp: no leak
		`{"msg":"notification","channel":"console","text":"Kode OTP Anda: 123456"}`, // the console delivery channel
		`level=WARN msg=x token=tok-abc_DEF.123`,                                    // a token
		`level=WARN msg=x code=98765432`,                                            // a cash-out code
		`level=WARN msg=x nik="3273011708900001"`,                                   // a NIK
		`level=WARN msg=x short`,                                                    // below MinLen: never registered
		`level=WARN msg=x otp=1234567`,                                              // not the OTP
	} {
		_, _ = w.Write([]byte(l + "\n"))
	}
	leaks := Leaks()
	var kinds []string
	for _, l := range leaks {
		kinds = append(kinds, l.Kind)
	}
	if got := strings.Join(kinds, ","); got != "access token,cash-out code,NIK" {
		t.Fatalf("leaks = %q", got)
	}
	mu.Lock()
	lines, secrets = nil, map[string]string{}
	mu.Unlock()
}
