// Package logcheck proves that no secret reaches a log line. Test helpers
// route every log line of a test binary through Writer and register every
// secret the tests create or see (partner secrets, OTPs, access and SNAP
// tokens, cash-out codes, NIKs); Main fails the package when any registered
// value appears in any collected line.
//
// Values are matched as whole words (not preceded or followed by a letter or
// digit), so a six-digit OTP inside a nanosecond timestamp is not a leak.
// Values shorter than MinLen are ignored: they cannot be told from noise.
package logcheck

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
)

// MinLen is the shortest value checked (an OTP has six digits).
const MinLen = 6

var (
	mu      sync.Mutex
	lines   []string
	secrets = map[string]string{} // value -> kind
)

// Writer returns a writer that collects every line written and passes it on
// to next (which may be nil).
func Writer(next io.Writer) io.Writer { return sink{next} }

type sink struct{ next io.Writer }

func (s sink) Write(p []byte) (int, error) {
	mu.Lock()
	for _, l := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	mu.Unlock()
	if s.next == nil {
		return len(p), nil
	}
	return s.next.Write(p)
}

// Secret registers a value that must never be logged.
func Secret(kind, value string) {
	if len(value) < MinLen {
		return
	}
	mu.Lock()
	secrets[value] = kind
	mu.Unlock()
}

// secretKeys are the JSON fields (requests and answers of every door) whose
// string values are secrets.
var secretKeys = map[string]string{
	"otp":          "OTP",
	"accessToken":  "access token",
	"refreshToken": "access token",
	"secret":       "partner secret",
	"clientSecret": "partner secret",
	"cashOutCode":  "cash-out code",
	"nik":          "NIK",
}

// JSON registers the secret fields of an answer, at any depth. Anything that
// is not JSON is ignored.
func JSON(doc []byte) { register(doc, false) }

// Request registers the secret fields of a request body. Its "otp" is
// skipped: the tests' real codes are registered where they read them, and
// the others are deliberate wrong guesses ("000000"), no secret.
func Request(doc []byte) { register(doc, true) }

func register(doc []byte, request bool) {
	var v any
	if json.Unmarshal(doc, &v) != nil {
		return
	}
	walk(v, request)
}

func walk(v any, request bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok {
				if kind, ok := secretKeys[k]; ok && !(request && k == "otp") {
					Secret(kind, s)
				}
				continue
			}
			walk(x, request)
		}
	case []any:
		for _, x := range v {
			walk(x, request)
		}
	}
}

// Transport wraps next (nil: http.DefaultTransport) so that every JSON
// request and answer body passing through it registers its secrets.
func Transport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return transport{next}
}

type transport struct{ next http.RoundTripper }

func (t transport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.GetBody != nil {
		if b, err := r.GetBody(); err == nil {
			body, _ := io.ReadAll(b)
			Request(body)
		}
	}
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		Secret("access token", strings.TrimPrefix(h, "Bearer "))
	}
	res, err := t.next.RoundTrip(r)
	if err != nil || !strings.Contains(res.Header.Get("Content-Type"), "json") {
		return res, err
	}
	body, rerr := io.ReadAll(res.Body)
	_ = res.Body.Close()
	JSON(body)
	res.Body = io.NopCloser(strings.NewReader(string(body)))
	if rerr != nil {
		return nil, rerr
	}
	return res, nil
}

// Leak is a registered value found in a log line.
type Leak struct {
	Kind, Line string
}

// Leaks checks every collected line against every registered value.
func Leaks() []Leak {
	mu.Lock()
	defer mu.Unlock()
	var words = make(map[string]string) // alphanumeric values: exact word match
	var other []string                  // values with punctuation: substring match with word bounds
	for v, kind := range secrets {
		if isWord(v) {
			words[v] = kind
		} else {
			other = append(other, v)
		}
	}
	sort.Strings(other)
	var out []Leak
	for _, l := range lines {
		if delivery(l) {
			continue
		}
		found := ""
		for _, w := range splitWords(l) {
			if kind, ok := words[w]; ok {
				found = kind
				break
			}
		}
		for _, v := range other {
			if found != "" {
				break
			}
			if containsWord(l, v) {
				found = secrets[v]
			}
		}
		if found != "" {
			out = append(out, Leak{Kind: found, Line: l})
		}
	}
	return out
}

// delivery tells a console notifier line: that notifier is the OTP's delivery
// channel on a developer's machine (README quickstart), not a log, and
// production runs WhatsApp/SMS.
func delivery(l string) bool {
	return strings.Contains(l, `"msg":"notification"`) && strings.Contains(l, `"channel":"console"`)
}

// Counts reports how many lines and secrets were collected.
func Counts() (nLines, nSecrets int) {
	mu.Lock()
	defer mu.Unlock()
	return len(lines), len(secrets)
}

// Main runs the tests, then fails the binary on any leak.
func Main(m *testing.M) int {
	code := m.Run()
	leaks := Leaks()
	for i, l := range leaks {
		if i == 20 {
			fmt.Fprintf(os.Stderr, "logcheck: … and %d more\n", len(leaks)-20)
			break
		}
		fmt.Fprintf(os.Stderr, "logcheck: a %s appears in a log line: %s\n", l.Kind, l.Line)
	}
	if len(leaks) > 0 && code == 0 {
		code = 1
	}
	if testing.Verbose() {
		n, s := Counts()
		fmt.Fprintf(os.Stderr, "logcheck: %d log lines checked against %d secrets, %d leaks\n", n, s, len(leaks))
	}
	return code
}

func alnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isWord(s string) bool {
	for i := 0; i < len(s); i++ {
		if !alnum(s[i]) {
			return false
		}
	}
	return true
}

func splitWords(l string) []string {
	return strings.FieldsFunc(l, func(r rune) bool { return r > 127 || !alnum(byte(r)) })
}

func containsWord(l, v string) bool {
	for i := 0; ; {
		j := strings.Index(l[i:], v)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(v)
		if (start == 0 || !alnum(l[start-1])) && (end == len(l) || !alnum(l[end])) {
			return true
		}
		i = start + 1
	}
}
