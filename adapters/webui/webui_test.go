package webui_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/dompet/wallet/adapters/webui"
)

func serve(t *testing.T, h http.Handler, path string) (int, string, http.Header) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	b, _ := io.ReadAll(rec.Body)
	return rec.Code, string(b), rec.Header()
}

var (
	// Every src= and href= of a page, and url(…) and @import of styles.
	reference = regexp.MustCompile(`(?i)(?:src|href)\s*=\s*["']([^"']+)["']|@import\s+(?:url\()?["']?([^"');]+)|url\(\s*["']?([^"')]+)`)
	external  = regexp.MustCompile(`(?i)^(?:https?:)?//`)
)

// TestPagesLoadNothingFromTheInternet fails on any http(s):// (or
// protocol-relative) script or style reference in the pages and the
// stylesheets they load, and checks every local reference is served.
func TestPagesLoadNothingFromTheInternet(t *testing.T) {
	t.Parallel()
	assets := webui.Assets()
	for _, p := range []struct {
		name string
		h    http.Handler
	}{{"/playground", webui.Playground()}, {"/docs", webui.Docs()}} {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			code, html, h := serve(t, p.h, p.name)
			if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
				t.Fatalf("%s: HTTP %d %s", p.name, code, h.Get("Content-Type"))
			}
			refs := reference.FindAllStringSubmatch(html, -1)
			if len(refs) < 2 {
				t.Fatalf("%s references %d files", p.name, len(refs))
			}
			for _, m := range refs {
				ref := m[1] + m[2] + m[3]
				if external.MatchString(ref) {
					t.Errorf("%s loads %s from outside the binary", p.name, ref)
					continue
				}
				code, body, _ := serve(t, assets, ref)
				if code != 200 {
					t.Errorf("%s references %s: HTTP %d", p.name, ref, code)
				}
				if strings.HasSuffix(ref, ".css") {
					for _, m := range reference.FindAllStringSubmatch(body, -1) {
						if r := m[1] + m[2] + m[3]; external.MatchString(r) {
							t.Errorf("%s imports %s from outside the binary", ref, r)
						}
					}
				}
			}
		})
	}
}

func TestAssetsServeOnlyFiles(t *testing.T) {
	t.Parallel()
	assets := webui.Assets()
	for path, want := range map[string]int{
		"/assets/graphiql/graphiql.min.js": 200,
		"/assets/playground.js":            200,
		"/assets/docs.js":                  200,
		"/assets/.stamp":                   404,
		"/assets/graphiql/":                404,
		"/assets/nope.js":                  404,
	} {
		if code, _, _ := serve(t, assets, path); code != want {
			t.Errorf("%s: HTTP %d, want %d", path, code, want)
		}
	}
}
