package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dompet/wallet/internal/logcheck"
	"github.com/dompet/wallet/internal/testdb"
)

// syncBuffer collects the server's stderr while it runs.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}
func (b *syncBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.buf.String() }

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestQuickstart follows the README: create a partner with the CLI, start
// the server, register, read the OTP from the console log, validate, and
// inquire — with `wallet sign` producing the headers — on both stores.
func TestQuickstart(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		quickstart(t, "")
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		quickstart(t, testdb.SchemaURL(t))
	})
}

func quickstart(t *testing.T, databaseURL string) {
	dir := t.TempDir()
	addr := freeAddr(t)
	environ := []string{"WALLET_DATA_DIR=" + dir, "WALLET_HTTP_ADDR=" + addr, "DATABASE_URL=" + databaseURL,
		"WALLET_JOB_POLL_INTERVAL=50ms", "WALLET_LOG_LEVEL=info", "WALLET_SIM_DELAY=300ms"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// 1. wallet partner create
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"partner", "create", "--name", "Ojek Online"}, environ, nil, &out, &errOut); err != nil {
		t.Fatalf("partner create: %v\n%s", err, errOut.String())
	}
	var created struct{ PartnerID, Secret, Role string }
	logcheck.JSON(out.Bytes())
	if err := json.Unmarshal(out.Bytes(), &created); err != nil || created.PartnerID == "" || created.Secret == "" || created.Role != "PARTNER" {
		t.Fatalf("partner create printed %q: %v", out.String(), err)
	}
	if strings.Contains(errOut.String(), created.Secret) {
		t.Fatal("the partner secret was logged")
	}
	environ = append(environ, "WALLET_PARTNER_ID="+created.PartnerID, "WALLET_PARTNER_SECRET="+created.Secret)

	// 2. wallet serve
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, environ, nil, io.Discard, logcheck.Writer(logs)) }()
	base := "http://" + addr
	waitReady(t, base, done, logs)

	// callAny signs with `wallet sign` and returns the envelope.
	callAny := func(method, path, body string, as ...string) map[string]any {
		t.Helper()
		args := append([]string{"sign", "--method", method, "--path", path}, as...)
		if body != "" {
			f := filepath.Join(dir, "body.json")
			if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			args = append(args, "--body", f)
		}
		var headers bytes.Buffer
		if err := run(ctx, args, environ, nil, &headers, io.Discard); err != nil {
			t.Fatalf("sign: %v", err)
		}
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		sc := bufio.NewScanner(&headers)
		for sc.Scan() {
			k, v, _ := strings.Cut(sc.Text(), ": ")
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var env map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
			t.Fatal(err)
		}
		return env
	}
	call := func(method, path, body string, as ...string) map[string]any {
		t.Helper()
		env := callAny(method, path, body, as...)
		if env["code"] != float64(0) {
			t.Fatalf("%s %s: %v", method, path, env)
		}
		return env
	}

	// 3. register, 4. read the OTP from the console notifier's log line
	call("POST", "/register-customer/", `{"mobileNumber":"081234567890","firstName":"Budi","lastName":"Santoso"}`)
	code := waitOTP(t, logs, "6281234567890")
	// 5. validate, 6. inquiry
	v := call("POST", "/validate-otp/", fmt.Sprintf(`{"mobileNumber":"081234567890","otp":"%s"}`, code))
	token := v["data"].(map[string]any)["accessToken"].(string)
	inq := call("GET", "/customer-account-inquiry/?mobileNumber=081234567890", "")
	data := inq["data"].(map[string]any)
	if data["accountStatus"] != "ACTIVE" || data["fullName"] != "Budi Santoso" {
		t.Fatalf("inquiry: %v", data)
	}

	// 7. the same customer over GraphQL with the access token
	q := `{"query":"{ me { mobileNumber fullName accountStatus balance { availableBalance } } }"}`
	req, _ := http.NewRequest("POST", base+"/graphql", strings.NewReader(q))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-PARTNER-ID", created.PartnerID)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"fullName":"Budi Santoso"`) || !strings.Contains(string(body), `"availableBalance":"0"`) {
		t.Fatalf("graphql me: %s", body)
	}

	// Nothing secret reached the logs except the console notifier's message.
	for _, secret := range []string{created.Secret, token} {
		if strings.Contains(logs.String(), secret) {
			t.Fatal("a secret reached the server log")
		}
	}
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, code) && !strings.Contains(line, `"msg":"notification"`) {
			t.Fatalf("the OTP leaked into a log line other than the notification: %s", line)
		}
	}

	// 8. money: a bank channel tops the customer up, the partner charges,
	// KYC is approved by the e-KYC simulator in the job runner.
	out.Reset()
	if err := run(ctx, []string{"partner", "create", "--name", "Bank BCA", "--role", "CHANNEL"}, environ, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var bank struct{ PartnerID, Secret string }
	logcheck.JSON(out.Bytes())
	if err := json.Unmarshal(out.Bytes(), &bank); err != nil {
		t.Fatal(err)
	}
	asBank := []string{"--partner", bank.PartnerID, "--secret", bank.Secret}
	call("POST", "/topup/va/payment/", `{"vaNumber":"39358081234567890","amount":"100000","bankReference":"BCA-1"}`, asBank...)
	pay := call("POST", "/wallet-payment/", `{"mobileNumber":"081234567890","amount":"25000","orderId":"ORDER-1"}`)
	if d := pay["data"].(map[string]any); d["balanceAfter"] != "75000" {
		t.Fatalf("payment: %v", d)
	}
	call("POST", "/kyc/", `{"mobileNumber":"081234567890","nik":"3273011708900001","fullName":"Budi Santoso","birthDate":"1990-08-17"}`)
	deadline := time.Now().Add(15 * time.Second)
	for {
		d := call("GET", "/customer-account-inquiry/?mobileNumber=081234567890", "")["data"].(map[string]any)
		if d["kycStatus"] == "VERIFIED" && d["accountType"] == "PREMIUM" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("KYC not decided by the e-KYC job: %v", d)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if strings.Contains(logs.String(), "3273011708900001") {
		t.Fatal("the full NIK reached the log")
	}

	// A pending bank transfer (account …9999) answers "In Process" and is
	// settled by the durable job once the simulated bank confirms.
	env := callAny("POST", "/bank-transfer/", `{"mobileNumber":"081234567890","bankCode":"014","bankAccount":"1234569999","amount":"20000"}`)
	if env["code"] != float64(1) {
		t.Fatalf("bank transfer: %v", env)
	}
	reffID := env["responseId"].(string)
	deadline = time.Now().Add(15 * time.Second)
	for {
		d := call("GET", "/transaction-status/?reffId="+reffID, "")["data"].(map[string]any)
		if d["status"] == "SUCCESS" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("bank transfer not settled by the job: %v", d)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// 9. graceful shutdown, then the ledger reconciles
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("server did not shut down")
	}
	out.Reset()
	if err := run(context.Background(), []string{"reconcile"}, environ, nil, &out, io.Discard); err != nil {
		t.Fatalf("reconcile: %v\n%s", err, out.String())
	}
}

func waitReady(t *testing.T, base string, done chan error, logs *syncBuffer) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("server exited: %v\n%s", err, logs.String())
		default:
		}
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server not ready:\n%s", logs.String())
}

var otpInText = regexp.MustCompile(`\b(\d{6})\b`)

func waitOTP(t *testing.T, logs *syncBuffer, to string) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		for _, line := range strings.Split(logs.String(), "\n") {
			var m struct{ Msg, To, Text string }
			if json.Unmarshal([]byte(line), &m) == nil && m.Msg == "notification" && m.To == to {
				if c := otpInText.FindStringSubmatch(m.Text); c != nil {
					logcheck.Secret("OTP", c[1])
					return c[1]
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no OTP notification for %s in the log:\n%s", to, logs.String())
	return ""
}
