package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dompet/wallet/internal/logcheck"
	"github.com/dompet/wallet/internal/testdb"
)

// TestFirstHour walks what a new operator meets first (issue 14): usage
// that lists every flag, partner commands that print what they set, quiet
// commands, an access log that finds a responseId, a console notifier that
// says so, 405 for a wrong method, and the README's GraphQL quickstart.
func TestFirstHour(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	addr := freeAddr(t)
	environ := []string{"WALLET_DATA_DIR=" + dir, "WALLET_HTTP_ADDR=" + addr, "WALLET_JOB_POLL_INTERVAL=50ms", "WALLET_LOG_LEVEL=info"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// Usage names every flag of every command.
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"help"}, environ, nil, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	for _, flag := range []string{"--name", "--role", "--bank-transfer-fee", "--callback-url", "--id", "--method", "--path",
		"--body", "--external-id", "--partner", "--secret", "--mobile", "--reason", "--status"} {
		if !strings.Contains(out.String(), flag) {
			t.Errorf("wallet usage does not list %s", flag)
		}
	}
	err := run(ctx, []string{"partner"}, environ, nil, io.Discard, io.Discard)
	for _, flag := range []string{"--name", "--role", "--bank-transfer-fee", "--callback-url", "--id"} {
		if err == nil || !strings.Contains(err.Error(), flag) {
			t.Errorf("wallet partner usage does not list %s: %v", flag, err)
		}
	}

	// partner create prints every setting and the secret, and no job
	// runner chatter.
	out.Reset()
	errOut.Reset()
	if err := run(ctx, []string{"partner", "create", "--name", "Ojek Online", "--bank-transfer-fee", "1500",
		"--callback-url", "https://ojek.example/wallet/events"}, environ, nil, &out, &errOut); err != nil {
		t.Fatalf("partner create: %v\n%s", err, errOut.String())
	}
	var created map[string]string
	logcheck.JSON(out.Bytes())
	if err := json.Unmarshal(out.Bytes(), &created); err != nil {
		t.Fatalf("partner create printed %q: %v", out.String(), err)
	}
	want := map[string]string{"name": "Ojek Online", "role": "PARTNER", "callbackUrl": "https://ojek.example/wallet/events",
		"bankTransferFee": "1500", "bankTransferFeeSource": "partner"}
	for k, v := range want {
		if created[k] != v {
			t.Errorf("partner create printed %s=%q, want %q (%s)", k, created[k], v, out.String())
		}
	}
	if created["partnerId"] == "" || created["secret"] == "" {
		t.Fatalf("partner create printed no id or secret: %s", out.String())
	}
	if strings.Contains(errOut.String(), "poll only") {
		t.Fatalf("partner create printed the job runner's log: %s", errOut.String())
	}

	// A bad callback URL is refused before anything is created, so no
	// secret is lost with a half-made partner.
	out.Reset()
	err = run(ctx, []string{"partner", "create", "--name", "Broken", "--callback-url", "ftp://x"}, environ, nil, &out, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "callbackUrl") || out.Len() != 0 {
		t.Fatalf("bad callback URL: %v, printed %q", err, out.String())
	}

	// partner update changes only what it is given.
	out.Reset()
	if err := run(ctx, []string{"partner", "update", "--id", created["partnerId"], "--callback-url", "https://ojek.example/v2"},
		environ, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var updated map[string]string
	if err := json.Unmarshal(out.Bytes(), &updated); err != nil || updated["bankTransferFee"] != "1500" ||
		updated["callbackUrl"] != "https://ojek.example/v2" || updated["secret"] != "" {
		t.Fatalf("partner update printed %s (%v)", out.String(), err)
	}
	environ = append(environ, "WALLET_PARTNER_ID="+created["partnerId"], "WALLET_PARTNER_SECRET="+created["secret"])

	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, environ, nil, io.Discard, logcheck.Writer(logs)) }()
	base := "http://" + addr
	waitReady(t, base, done, logs)

	do := func(method, path, body string, header map[string]string) (*http.Response, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		return resp, m
	}
	signed := func(method, path, body string) map[string]string {
		t.Helper()
		args := []string{"sign", "--method", method, "--path", path}
		if body != "" {
			f := filepath.Join(dir, "body.json")
			if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			args = append(args, "--body", f)
		}
		var headers bytes.Buffer
		if err := run(ctx, args, environ, nil, &headers, io.Discard); err != nil {
			t.Fatal(err)
		}
		h := map[string]string{}
		sc := bufio.NewScanner(&headers)
		for sc.Scan() {
			k, v, _ := strings.Cut(sc.Text(), ": ")
			h[k] = v
		}
		return h
	}

	// A GET on a POST path is 405 with Allow.
	resp, env := do("GET", "/register-customer/", "", signed("GET", "/register-customer/", ""))
	if resp.StatusCode != 405 || resp.Header.Get("Allow") != "POST" || env["code"] != float64(10) {
		t.Fatalf("GET on a POST path: HTTP %d Allow %q %v", resp.StatusCode, resp.Header.Get("Allow"), env)
	}

	// Registration over REST; the access log line carries its responseId
	// and a duration in milliseconds.
	body := `{"mobileNumber":"081234567890","firstName":"Budi","lastName":"Santoso"}`
	_, env = do("POST", "/register-customer/", body, signed("POST", "/register-customer/", body))
	if env["code"] != float64(0) {
		t.Fatalf("register: %v", env)
	}
	waitOTP(t, logs, "6281234567890")
	responseID := env["responseId"].(string)
	var access map[string]any
	for _, line := range strings.Split(logs.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["msg"] == "http" && m["response_id"] == responseID {
			access = m
		}
	}
	if access == nil {
		t.Fatalf("no access log line with response_id %s:\n%s", responseID, logs.String())
	}
	if _, ok := access["duration_ms"].(float64); !ok || access["duration"] != nil {
		t.Fatalf("access log duration is not duration_ms: %v", access)
	}

	// The README's GraphQL quickstart, with the OTP read from the log.
	gql := func(query string) string {
		t.Helper()
		b, _ := json.Marshal(map[string]string{"query": query})
		req, _ := http.NewRequest("POST", base+"/graphql", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-PARTNER-ID", created["partnerId"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return string(raw)
	}
	if r := gql(`mutation { registerCustomer(input:{mobileNumber:"081298765432", firstName:"Siti\u202E"}) { otpExpiresIn } }`); !strings.Contains(r, `"legacyCode":10`) || !strings.Contains(r, "firstName") {
		t.Fatalf("GraphQL accepted a bidi override in a name: %s", r)
	}
	if r := gql(`mutation { registerCustomer(input:{mobileNumber:"081298765432", firstName:"Siti"}) { customer { mobileNumber accountStatus } otpExpiresIn } }`); !strings.Contains(r, `"PENDING_VERIFICATION"`) {
		t.Fatalf("GraphQL register: %s", r)
	}
	otp := waitOTP(t, logs, "6281298765432")
	if r := gql(`mutation { validateOtp(input:{mobileNumber:"081298765432", otp:"` + otp + `"}) { accessToken expiresIn customer { accountStatus } } }`); !strings.Contains(r, `"ACTIVE"`) {
		t.Fatalf("GraphQL validateOtp: %s", r)
	}

	// The delivery log says the console sent it, not an SMS gateway; only
	// serve ran the job runner.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), `"msg":"notification sent"`) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if strings.Contains(logs.String(), "by SMS") || !strings.Contains(logs.String(), `"channel":"console","provider_id"`) {
		t.Fatalf("delivery log does not name the console:\n%s", logs.String())
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("server did not shut down")
	}
}

// TestCommandsDoNotStartJobs: only serve builds the job runner, so the
// other commands print no River lines (on PostgreSQL River announces its
// poll-only mode when a runner is built).
func TestCommandsDoNotStartJobs(t *testing.T) {
	t.Parallel()
	for name, url := range map[string]func(testing.TB) string{"sqlite": func(testing.TB) string { return "" }, "postgres": testdb.SchemaURL} {
		t.Run(name, func(t *testing.T) {
			environ := []string{"WALLET_DATA_DIR=" + t.TempDir(), "DATABASE_URL=" + url(t), "WALLET_LOG_LEVEL=info"}
			for _, args := range [][]string{{"partner", "create", "--name", "Quiet"}, {"reconcile"}, {"migrate"}} {
				var errOut bytes.Buffer
				if err := run(context.Background(), args, environ, nil, io.Discard, &errOut); err != nil {
					t.Fatalf("%v: %v\n%s", args, err, errOut.String())
				}
				if strings.Contains(errOut.String(), "River") || strings.Contains(errOut.String(), "poll only") {
					t.Fatalf("%v printed the job runner's log: %s", args, errOut.String())
				}
			}
		})
	}
}
