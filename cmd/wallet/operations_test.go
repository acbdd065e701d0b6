package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestServeOperationsSurface runs `wallet serve` and reads what operators
// and integrators use: metrics on both listeners, the OpenAPI document,
// the docs and playground pages, and a trace id in answers and log lines.
func TestServeOperationsSurface(t *testing.T) {
	t.Parallel()
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	environ := []string{"WALLET_DATA_DIR=" + t.TempDir(), "WALLET_HTTP_ADDR=" + addr, "WALLET_METRICS_ADDR=" + metricsAddr}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, environ, nil, io.Discard, logs) }()
	base := "http://" + addr
	waitReady(t, base, done, logs)

	get := func(url string) (*http.Response, string) {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, _ := get(base + "/healthz")
	traceID := resp.Header.Get("X-Trace-Id")
	if len(traceID) != 32 {
		t.Fatalf("X-Trace-Id %q", traceID)
	}
	if _, doc := get(base + "/openapi.json"); !json.Valid([]byte(doc)) || !strings.Contains(doc, `"openapi": "3.1.0"`) || !strings.Contains(doc, `"/wallet-payment/"`) {
		t.Fatalf("/openapi.json: %.300s", doc)
	}
	for _, page := range []string{"/docs", "/playground"} {
		if resp, body := get(base + page); resp.StatusCode != 200 || !strings.Contains(body, "/assets/") {
			t.Fatalf("%s: HTTP %d", page, resp.StatusCode)
		}
	}
	for _, url := range []string{base + "/metrics", "http://" + metricsAddr + "/metrics"} {
		resp, body := get(url)
		if resp.StatusCode != 200 || !strings.Contains(body, `wallet_http_requests_total{code="none",method="GET",route="/healthz"} 1`) ||
			!strings.Contains(body, "wallet_job_queue_up 1") || !strings.Contains(body, `go_sql_open_connections{db_name="wallet"}`) {
			t.Fatalf("%s: HTTP %d\n%s", url, resp.StatusCode, body)
		}
	}
	// Websockets (GraphQL subscriptions) upgrade through the metrics and
	// tracing middleware.
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	conn, resp, err := websocket.Dial(wctx, "ws://"+addr+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatalf("websocket: %v (%v)", err, resp)
	}
	_ = conn.Close(websocket.StatusNormalClosure, "")

	cancel()
	<-done
	if !strings.Contains(logs.String(), `"trace_id":"`+traceID+`"`) {
		t.Fatalf("no log line carries the trace id %s:\n%s", traceID, logs.String())
	}
}
