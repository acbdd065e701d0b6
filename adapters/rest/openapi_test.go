package rest_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/go-chi/chi/v5"

	"github.com/dompet/wallet/adapters/apidoc"
	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/adapters/httpapi"
	"github.com/dompet/wallet/adapters/rest"
	"github.com/dompet/wallet/internal/apptest"
	"github.com/dompet/wallet/internal/testdb"
)

func loadDoc(t *testing.T) *openapi3.T {
	t.Helper()
	raw, err := apidoc.Build(apidoc.Info{Title: "test", Version: "1"}, rest.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the document is not valid OpenAPI: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() || len(doc.Webhooks) == 0 {
		t.Fatalf("openapi %s with %d webhooks", doc.OpenAPI, len(doc.Webhooks))
	}
	return doc
}

// TestEveryRouteIsDocumented holds the router and the document together: a
// route without a description, or a description without a route, fails.
func TestEveryRouteIsDocumented(t *testing.T) {
	t.Parallel()
	loadDoc(t)
	h := rest.NewServer(nil, httpapi.NewValidator(), nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil))).Handler(rest.Mounts{})
	var routed []string
	err := chi.Walk(h.(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		routed = append(routed, method+" "+route)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(routed)
	documented := rest.Routes()
	if strings.Join(routed, "\n") != strings.Join(documented, "\n") {
		t.Fatalf("routes and document differ\nrouted:\n%s\ndocumented:\n%s", strings.Join(routed, "\n"), strings.Join(documented, "\n"))
	}
}

// exchange is one request and its answer as the client saw them.
type exchange struct {
	req    *http.Request
	status int
	header http.Header
	body   []byte
}

type capture struct {
	mu   sync.Mutex
	seen []exchange
}

func (c *capture) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
		clone := r.Clone(context.Background())
		clone.Body = io.NopCloser(bytes.NewReader(body))
		c.mu.Lock()
		c.seen = append(c.seen, exchange{req: clone, status: rec.Code, header: rec.Header().Clone(), body: rec.Body.Bytes()})
		c.mu.Unlock()
	})
}

// TestAnswersMatchOpenAPI runs handler scenarios through the real stack and
// validates every answer against the document (kin-openapi, JSON Schema
// 2020-12 for OpenAPI 3.1).
func TestAnswersMatchOpenAPI(t *testing.T) {
	t.Parallel()
	doc := loadDoc(t)
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	testdb.Each(t, func(t *testing.T, db *bunstore.DB) {
		c := &capture{}
		s := apptest.New(t, db, nil, apptest.WithMiddleware(c.wrap))
		t.Run("scenarios", func(t *testing.T) {
			t.Run("happy path", func(t *testing.T) { t.Parallel(); happyPath(t, s) })
			t.Run("error codes", func(t *testing.T) { t.Parallel(); errorCodes(t, s) })
			t.Run("idempotency", func(t *testing.T) { t.Parallel(); idempotency(t, s) })
			t.Run("money", func(t *testing.T) { t.Parallel(); moneyFlow(t, s) })
			t.Run("p2p", func(t *testing.T) { t.Parallel(); p2pFlow(t, s) })
		})
		routes := map[string]bool{}
		for _, x := range c.seen {
			route := findRoute(router, x.req)
			if route == nil {
				continue // unknown paths are answered 30 by design
			}
			routes[x.req.Method+" "+route.Path] = true
			in := &openapi3filter.ResponseValidationInput{
				RequestValidationInput: &openapi3filter.RequestValidationInput{Request: x.req, Route: route,
					Options: &openapi3filter.Options{ExcludeRequestBody: true, ExcludeRequestQueryParams: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
				Status: x.status, Header: x.header, Body: io.NopCloser(bytes.NewReader(x.body)),
				Options: &openapi3filter.Options{IncludeResponseStatus: true},
			}
			if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
				t.Errorf("%s %s → %d does not match the document: %v\n%s", x.req.Method, x.req.URL.Path, x.status, err, x.body)
			}
		}
		// The check has teeth: an answer outside the contract fails.
		bad := httptest.NewRequest("GET", "/banks/", nil)
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: bad, Route: findRoute(router, bad)},
			Status:                 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(`{"responseId":"x","code":7,"message":"?"}`)),
		}
		if err := openapi3filter.ValidateResponse(context.Background(), in); err == nil {
			t.Error("code 7, outside the table, passed validation")
		}
		if len(routes) < 12 {
			t.Fatalf("only %d documented operations exercised: %v", len(routes), routes)
		}
	})
}

// findRoute matches the documented path, whose trailing slash is optional.
func findRoute(router routers.Router, r *http.Request) *routers.Route {
	route, _, err := router.FindRoute(r)
	if err == nil {
		return route
	}
	alt := r.Clone(r.Context())
	alt.URL.Path = strings.TrimSuffix(r.URL.Path, "/") + "/"
	if route, _, err = router.FindRoute(alt); err == nil {
		return route
	}
	return nil
}
