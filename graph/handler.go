// Package graph is the GraphQL door for partner frontends (SPEC §1): gqlgen
// resolvers over the application, behind a middleware that establishes who
// is calling. It only translates; every decision is made in app.
package graph

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"
	"github.com/go-playground/validator/v10"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/dompet/wallet/adapters/httpapi"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/graph/generated"
)

// Endpoint is where the router mounts NewHandler; the playground talks to it.
const Endpoint = "/graphql"

// DefaultComplexityLimit bounds the cost of one operation (one point per
// field).
const DefaultComplexityLimit = 200

// DefaultSubscriptionPoll is how often a subscription reads the event
// outbox. Polling the shared store, rather than listening to this
// process's use cases, lets a subscriber on one server see the changes
// another server (or a job runner) makes.
const DefaultSubscriptionPoll = 300 * time.Millisecond

// DefaultSessionRecheck is how often a subscription checks its customer's
// access token: a logout or an expiry ends the subscription with an
// UNAUTHENTICATED error.
const DefaultSessionRecheck = 30 * time.Second

// Option tunes NewHandler.
type Option func(*options)

type options struct {
	extensions []graphql.HandlerExtension
	complexity int
	origins    []string
	poll       time.Duration
	recheck    time.Duration
	live       Wakeups
	sigFails   *httpapi.FailLimiter
}

// WithSignatureLimiter makes signed GraphQL requests count failed
// signatures in f, shared with the REST and SNAP doors. Without it the
// handler has a limiter of its own with httpapi.DefaultSignatureLimit.
func WithSignatureLimiter(f *httpapi.FailLimiter) Option {
	return func(o *options) { o.sigFails = f }
}

// WithExtension adds a gqlgen handler extension (metrics, tracing).
func WithExtension(e graphql.HandlerExtension) Option {
	return func(o *options) { o.extensions = append(o.extensions, e) }
}

// WithComplexityLimit replaces DefaultComplexityLimit.
func WithComplexityLimit(n int) Option {
	return func(o *options) { o.complexity = n }
}

// WithSubscriptionPoll replaces DefaultSubscriptionPoll, how often a
// subscription reads the event outbox (tests shorten it). A duration of
// zero or less keeps the default.
func WithSubscriptionPoll(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.poll = d
		}
	}
}

// WithSessionRecheck replaces DefaultSessionRecheck, how often a
// subscription checks that its customer's access token still holds. A
// duration of zero or less keeps the default.
func WithSessionRecheck(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.recheck = d
		}
	}
}

// WithWakeups makes subscriptions read when the database's change
// notifications say so (ADR 0013) rather than every poll interval: the
// database load of live updates no longer grows with the number of
// subscribers. A nil w keeps polling.
func WithWakeups(w Wakeups) Option {
	return func(o *options) { o.live = w }
}

// WithWebsocketOrigins lists the browser origins (host patterns, as in
// path.Match, e.g. "*.partner.co.id") allowed to open a websocket. Without
// it only same-origin websockets are accepted.
func WithWebsocketOrigins(patterns ...string) Option {
	return func(o *options) { o.origins = append(o.origins, patterns...) }
}

// NewHandler returns the GraphQL endpoint: POST (JSON) and GET queries, and
// websocket connections authenticated by their connection_init payload.
// Introspection stays on: partners generate their clients from it, and the
// schema holds nothing secret.
func NewHandler(a *app.App, v *validator.Validate, log *slog.Logger, opts ...Option) http.Handler {
	o := options{complexity: DefaultComplexityLimit, poll: DefaultSubscriptionPoll, recheck: DefaultSessionRecheck}
	for _, opt := range opts {
		opt(&o)
	}
	if o.sigFails == nil {
		o.sigFails = httpapi.NewFailLimiter(httpapi.DefaultSignatureLimit())
	}
	d := &door{app: a, log: log, sigFails: o.sigFails}

	srv := handler.New(generated.NewExecutableSchema(generated.Config{
		Resolvers: &Resolver{app: a, validate: v, log: log, poll: o.poll, recheck: o.recheck, live: o.live},
	}))
	readLimit := int64(httpapi.MaxBody)
	srv.AddTransport(transport.Websocket{
		Implementation: transport.CoderWebsocketImplementation{
			AcceptOptions: coderws.AcceptOptions{OriginPatterns: o.origins},
		},
		InitFunc:              d.websocketInit,
		InitTimeout:           10 * time.Second,
		KeepAlivePingInterval: 10 * time.Second,
		PayloadReadLimit:      &readLimit,
	})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(extension.Introspection{})
	srv.Use(extension.FixedComplexityLimit(o.complexity))
	for _, e := range o.extensions {
		srv.Use(e)
	}
	srv.AroundFields(channelFields)
	srv.SetErrorPresenter(presenter(log))
	srv.SetRecoverFunc(recoverer(log))
	d.gql = srv
	return d
}

// channelOnly are the root fields a CHANNEL may use (SPEC §4: top-ups and
// cash-out redemption), beside its own webhook settings and introspection.
var channelOnly = map[string]bool{
	"vaInquiry": true, "vaPayment": true, "retailInquiry": true, "retailPayment": true, "redeemCashOut": true,
	"webhookDeliveries": true, "setCallbackUrl": true, "__schema": true, "__type": true, "__typename": true,
}

// channelFields refuses a CHANNEL every other root field with FORBIDDEN,
// in one place, as the REST router does for its paths: the use cases check
// roles too, but some (transaction status, banks) serve any partner.
func channelFields(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc != nil && fc.Field.Field != nil && (fc.Object == "Query" || fc.Object == "Mutation" || fc.Object == "Subscription") {
		if c, _ := ctx.Value(callerKey).(*caller); c != nil && c.partner != nil &&
			c.partner.Role() == partner.RoleChannel && !channelOnly[fc.Field.Name] {
			return nil, partner.ErrWrongRole
		}
	}
	return next(ctx)
}

// door authenticates every HTTP request before gqlgen sees it.
type door struct {
	app      *app.App
	log      *slog.Logger
	gql      http.Handler
	sigFails *httpapi.FailLimiter
}

func (d *door) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := withIndonesian(r.Context(), httpapi.Indonesian(r))
	r = r.WithContext(ctx)
	switch {
	case r.Method == http.MethodOptions:
		// CORS preflights carry no credentials.
		d.gql.ServeHTTP(w, r)
		return
	case r.Header.Get("Upgrade") != "":
		// gqlgen's websocket transport takes every request with an Upgrade
		// header; browsers cannot set headers on a websocket, so the
		// connection authenticates in connection_init (websocketInit),
		// which reads the caller's address from the context.
		d.gql.ServeHTTP(w, r.WithContext(withSource(ctx, httpapi.SourceAddr(r))))
		return
	case r.Method != http.MethodGet && r.Method != http.MethodPost:
		w.Header().Set("Allow", "GET, POST, OPTIONS")
		d.fail(w, r, http.StatusMethodNotAllowed, fault.Invalidf("method", "%s is not allowed; use POST or GET", r.Method))
		return
	}

	// Success unless an error of the response says otherwise.
	httpapi.SetCode(ctx, "0")
	// The body limit applies to every caller, before anything else, and the
	// signature covers exactly these bytes.
	body, err := httpapi.ReadBody(r)
	if err != nil {
		d.fail(w, r, 0, err)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))

	var signed *app.SignedRequest
	limitKey := httpapi.SignatureKey(r.Header.Get("X-PARTNER-ID"), r)
	if r.Header.Get("X-SIGNATURE") != "" {
		sr := httpapi.SignedRequest(r, body)
		signed = &sr
		// Failed signatures are limited per partner id and address, as on
		// the REST and SNAP doors: UNAUTHENTICATED, then HTTP 429.
		if left := d.sigFails.Blocked(limitKey); left > 0 {
			secs := httpapi.RetryAfter(left)
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			d.fail(w, r, http.StatusTooManyRequests, fault.New(fault.Unauthenticated, "too many failed signatures; retry after "+strconv.Itoa(secs)+" s"))
			return
		}
	}
	c, err := authenticate(ctx, d.app, r.Header.Get("X-PARTNER-ID"), r.Header.Get("Authorization"), signed)
	if err != nil {
		if signed != nil && fault.KindOf(err) == fault.Unauthenticated {
			d.sigFails.Fail(limitKey)
		}
		d.fail(w, r, 0, err)
		return
	}
	c.source = httpapi.SourceAddr(r)
	if status, err := checkShape(r); err != nil {
		if status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", "POST") // a mutation or subscription sent by GET
		}
		d.fail(w, r, status, err)
		return
	}
	if key := r.Header.Get("X-EXTERNAL-ID"); key != "" {
		if len(key) > 64 {
			d.fail(w, r, http.StatusBadRequest, fault.Invalidf("X-EXTERNAL-ID", "must be at most 64 characters"))
			return
		}
		c.externalID = key
	}
	d.gql.ServeHTTP(w, r.WithContext(withCaller(ctx, c)))
}

// checkShape refuses, in the SPEC §2 shape, what gqlgen would refuse in its
// own: a POST that is not JSON, a GET that is not a query.
func checkShape(r *http.Request) (int, error) {
	if r.Method == http.MethodPost {
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "application/json" {
			return http.StatusUnsupportedMediaType, fault.Invalidf("Content-Type", "must be application/json")
		}
		return 0, nil
	}
	q := r.URL.Query()
	doc, err := parser.ParseQuery(&ast.Source{Input: q.Get("query")})
	if err != nil {
		return 0, nil // gqlgen reports parse errors
	}
	if op := doc.Operations.ForName(q.Get("operationName")); op != nil && op.Operation != ast.Query {
		return http.StatusMethodNotAllowed, fault.Invalidf("query", "GET allows queries only; send %s operations with POST", op.Operation)
	}
	return 0, nil
}
