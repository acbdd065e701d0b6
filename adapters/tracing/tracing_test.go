package tracing_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/dompet/wallet/adapters/tracing"
)

// Without an OTLP endpoint nothing is recorded, yet a request gets a trace
// id, in its answer and in every log line made inside it.
func TestOffRecordsNothingButNamesTheTrace(t *testing.T) {
	t.Parallel()
	tr, shutdown, err := tracing.Setup(context.Background(), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	defer shutdown(context.Background())
	var logs bytes.Buffer
	log := slog.New(tracing.LogHandler(slog.NewJSONHandler(&logs, nil)))
	var recording bool
	h := tr.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, end := tr.Start(r.Context(), "app.Something")
		recording = trace.SpanFromContext(ctx).IsRecording()
		log.InfoContext(ctx, "inside")
		end(nil)
		log.InfoContext(r.Context(), "request")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	id := rec.Header().Get("X-Trace-Id")
	if len(id) != 32 || recording {
		t.Fatalf("X-Trace-Id %q, recording %v", id, recording)
	}
	dec := json.NewDecoder(&logs)
	for i := 0; i < 2; i++ {
		var line map[string]any
		if err := dec.Decode(&line); err != nil {
			t.Fatal(err)
		}
		if line["trace_id"] != id || line["span_id"] == "" {
			t.Errorf("log line %v lacks trace id %s", line, id)
		}
	}
}

func TestExportsWhenAnEndpointIsSet(t *testing.T) {
	t.Parallel()
	tr, shutdown, err := tracing.Setup(context.Background(), func(k string) string {
		if k == "OTEL_EXPORTER_OTLP_ENDPOINT" {
			return "http://127.0.0.1:1" // nothing listens; the spans are only queued
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, end := tr.Start(context.Background(), "app.Test")
	if !trace.SpanFromContext(ctx).IsRecording() {
		t.Fatal("span not recorded with an endpoint set")
	}
	end(nil)
	cctx, cancel := context.WithCancel(context.Background())
	cancel()
	_ = shutdown(cctx)
}
