// Package tracing is OpenTelemetry for the service: a span per HTTP request
// (named by its route pattern), per use case and database transaction (the
// app.Tracer port), and per outbound call (bank gateway, QRIS switch,
// WhatsApp, SMS, webhooks). Spans are exported by OTLP only when
// OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is
// set; otherwise nothing is sampled, recorded or exported, and requests
// still get a trace id for their log lines and their X-Trace-Id header.
package tracing

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/dompet/wallet/adapters/httpapi"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/fault"
)

// Name is the instrumentation scope and the default service name.
const Name = "github.com/dompet/wallet"

// Tracing holds the process's tracer.
type Tracing struct {
	provider trace.TracerProvider
	tracer   trace.Tracer
	prop     propagation.TextMapPropagator
}

var _ app.Tracer = (*Tracing)(nil)

// New traces with provider (tests pass one with an in-memory exporter).
func New(provider trace.TracerProvider) *Tracing {
	return &Tracing{provider: provider, tracer: provider.Tracer(Name),
		prop: propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})}
}

// Setup builds the provider from the OTEL_* environment. shutdown flushes
// the exporter.
func Setup(ctx context.Context, getenv func(string) string) (_ *Tracing, shutdown func(context.Context) error, _ error) {
	if getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == "" && getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == "" {
		// Ids without recording: a never-sampled span costs an id and
		// nothing else.
		tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()))
		return New(tp), tp.Shutdown, nil
	}
	exp, err := otlptracehttp.New(ctx) // endpoint, headers, protocol from OTEL_EXPORTER_OTLP_*
	if err != nil {
		return nil, nil, err
	}
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(attribute.String("service.name", serviceName(getenv))))
	if err != nil {
		return nil, nil, err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.AlwaysSample())))
	return New(tp), tp.Shutdown, nil
}

func serviceName(getenv func(string) string) string {
	if n := getenv("OTEL_SERVICE_NAME"); n != "" {
		return n
	}
	return "wallet"
}

// Start implements app.Tracer.
func (t *Tracing) Start(ctx context.Context, name string) (context.Context, func(error)) {
	ctx, span := t.tracer.Start(ctx, name)
	return ctx, func(err error) { end(span, err) }
}

// end closes a span. Refusals (a bad OTP, insufficient balance) are
// outcomes, not failures: only internal and dependency errors mark the
// span as an error; the others record their code.
func end(span trace.Span, err error) {
	if err != nil {
		if f, ok := fault.As(err); ok && f.Kind != fault.Internal && f.Kind != fault.Unavailable {
			span.SetAttributes(attribute.String("wallet.code", httpapi.Codes[f.Kind].Name))
		} else {
			span.RecordError(err)
			span.SetStatus(codes.Error, "failed")
		}
	}
	span.End()
}

// Middleware opens the request's server span (continuing a W3C traceparent
// sent by the caller), names it by the route pattern once routed and
// answers the trace id in X-Trace-Id. It must wrap the router.
func (t *Tracing) Middleware(next http.Handler) http.Handler {
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		span := trace.SpanFromContext(ctx)
		if sc := span.SpanContext(); sc.HasTraceID() {
			w.Header().Set("X-Trace-Id", sc.TraceID().String())
		}
		rctx := chi.RouteContext(ctx)
		if rctx == nil {
			rctx = chi.NewRouteContext()
			ctx = context.WithValue(ctx, chi.RouteCtxKey, rctx)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
		route := rctx.RoutePattern()
		if route == "" {
			route = "unmatched"
		}
		span.SetName(r.Method + " " + route)
		span.SetAttributes(attribute.String("http.route", route))
	})
	return otelhttp.NewHandler(inner, "http.request", otelhttp.WithTracerProvider(t.provider), otelhttp.WithPropagators(t.prop),
		// The raw path carries phone numbers and ids; the span is named
		// by the route instead.
		otelhttp.WithSpanNameFormatter(func(string, *http.Request) string { return "http.request" }))
}

// LogHandler adds trace_id and span_id to every log record made with a
// context inside a span.
func LogHandler(h slog.Handler) slog.Handler { return logHandler{h} }

type logHandler struct{ slog.Handler }

func (h logHandler) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.HasTraceID() {
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	return h.Handler.Handle(ctx, r)
}

func (h logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return logHandler{h.Handler.WithAttrs(as)}
}
func (h logHandler) WithGroup(name string) slog.Handler { return logHandler{h.Handler.WithGroup(name)} }
