package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/internal/logcheck"
	"github.com/dompet/wallet/internal/testdb"
)

// TestPendingTransferSurvivesARestart stops the server while a bank
// transfer is held and pending, starts a new one, and checks that the
// durable settlement job finishes it and that the ledger reconciles.
func TestPendingTransferSurvivesARestart(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); restart(t, "") })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); restart(t, testdb.SchemaURL(t)) })
}

type creds struct{ PartnerID, Secret string }

func restart(t *testing.T, databaseURL string) {
	dir := t.TempDir()
	addr := freeAddr(t)
	environ := []string{"WALLET_DATA_DIR=" + dir, "WALLET_HTTP_ADDR=" + addr, "DATABASE_URL=" + databaseURL,
		"WALLET_JOB_POLL_INTERVAL=50ms", "WALLET_SIM_DELAY=1500ms"}
	cli := func(args ...string) []byte {
		t.Helper()
		var out, errOut bytes.Buffer
		if err := run(context.Background(), args, environ, nil, &out, &errOut); err != nil {
			t.Fatalf("wallet %v: %v\n%s%s", args, err, out.String(), errOut.String())
		}
		logcheck.JSON(out.Bytes())
		return out.Bytes()
	}
	var shop, bank creds
	_ = json.Unmarshal(cli("partner", "create", "--name", "Shop"), &shop)
	_ = json.Unmarshal(cli("partner", "create", "--name", "Bank", "--role", "CHANNEL"), &bank)

	logs := &syncBuffer{}
	serve := func() (stop func()) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- run(ctx, []string{"serve"}, environ, nil, io.Discard, logcheck.Writer(logs)) }()
		waitReady(t, "http://"+addr, done, logs)
		return func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		}
	}
	n := 0
	call := func(who creds, method, path, body string) map[string]any {
		t.Helper()
		n++
		ts := time.Now().Format(time.RFC3339)
		req, _ := http.NewRequest(method, "http://"+addr+path, strings.NewReader(body))
		req.Header.Set("X-PARTNER-ID", who.PartnerID)
		req.Header.Set("X-TIMESTAMP", ts)
		req.Header.Set("X-SIGNATURE", partner.Sign([]byte(who.Secret), method, path, []byte(body), ts))
		req.Header.Set("X-EXTERNAL-ID", fmt.Sprintf("restart-%d-%d", time.Now().UnixNano(), n))
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

	stop := serve()
	call(shop, "POST", "/register-customer/", `{"mobileNumber":"081234500001","firstName":"Budi"}`)
	code := waitOTP(t, logs, "6281234500001")
	if env := call(shop, "POST", "/validate-otp/", `{"mobileNumber":"081234500001","otp":"`+code+`"}`); env["code"] != float64(0) {
		t.Fatalf("validate: %v", env)
	}
	call(bank, "POST", "/topup/va/payment/", `{"vaNumber":"39358081234500001","amount":"500000","bankReference":"R1"}`)
	call(shop, "POST", "/kyc/", `{"mobileNumber":"081234500001","nik":"3273011708900001","fullName":"Budi","birthDate":"1990-08-17"}`)
	deadline := time.Now().Add(15 * time.Second)
	for call(shop, "GET", "/customer-account-inquiry/?mobileNumber=081234500001", "")["data"].(map[string]any)["kycStatus"] != "VERIFIED" {
		if time.Now().After(deadline) {
			t.Fatal("KYC not approved")
		}
		time.Sleep(50 * time.Millisecond)
	}
	env := call(shop, "POST", "/bank-transfer/", `{"mobileNumber":"081234500001","bankCode":"014","bankAccount":"1234569999","amount":"100000"}`)
	if env["code"] != float64(1) {
		t.Fatalf("transfer: %v", env)
	}
	reffID := env["responseId"].(string)
	stop() // the server goes away with the money held and the transfer pending

	stop = serve()
	defer stop()
	deadline = time.Now().Add(20 * time.Second)
	for {
		d := call(shop, "GET", "/transaction-status/?reffId="+reffID, "")["data"].(map[string]any)
		if d["status"] == "SUCCESS" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the transfer was not settled after the restart: %v", d)
		}
		time.Sleep(100 * time.Millisecond)
	}
	bal := call(shop, "GET", "/customer-account-inquiry/?mobileNumber=081234500001", "")["data"].(map[string]any)["balance"].(map[string]any)
	if bal["availableBalance"] != "397500" {
		t.Fatalf("balance %v, want 397500", bal)
	}
	cli("reconcile")
}
