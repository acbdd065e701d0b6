// Package webui serves the browser pages of the service from files
// embedded in the binary: the GraphiQL playground (/playground) and the
// OpenAPI viewer (/docs), with their scripts and styles under /assets/.
// Nothing is loaded from the internet, so the pages work in a data centre
// without it. The third-party files in static/ are built from npm by
// scripts/assets.sh (make assets) and committed.
package webui

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed static pages
var files embed.FS

// Playground is the GraphiQL page.
func Playground() http.Handler { return page("pages/playground.html") }

// Docs is the OpenAPI viewer page.
func Docs() http.Handler { return page("pages/docs.html") }

// Assets serves /assets/…: the built third-party files and the pages'
// own scripts.
func Assets() http.Handler {
	static, _ := fs.Sub(files, "static")
	ownJS, _ := fs.Sub(files, "pages")
	lib := http.FileServerFS(static)
	own := http.FileServerFS(ownJS)
	return http.StripPrefix("/assets", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if strings.Count(r.URL.Path, "/") == 1 && strings.HasSuffix(r.URL.Path, ".js") {
			own.ServeHTTP(w, r) // playground.js, docs.js
			return
		}
		if strings.HasPrefix(r.URL.Path, "/.") || strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		lib.ServeHTTP(w, r)
	}))
}

func page(name string) http.Handler {
	b, err := files.ReadFile(name)
	if err != nil {
		panic(err) // embedded at build time
	}
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		// Only this origin's scripts, styles and API: a stray CDN
		// reference fails loudly in the browser instead of silently
		// needing the internet.
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self' ws: wss:; worker-src 'self' blob:")
		_, _ = w.Write(b)
	})
}
