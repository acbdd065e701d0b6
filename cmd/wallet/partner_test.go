package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/internal/testdb"
)

func TestPartnerAdministrationCLI(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		partnerAdministration(t, "")
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		partnerAdministration(t, testdb.SchemaURL(t))
	})
}

func partnerAdministration(t *testing.T, databaseURL string) {
	environ := []string{"WALLET_DATA_DIR=" + t.TempDir(), "DATABASE_URL=" + databaseURL}
	ctx := context.Background()
	cli := func(args ...string) (map[string]any, string, error) {
		t.Helper()
		var out, errOut bytes.Buffer
		err := run(ctx, args, environ, nil, &out, &errOut)
		var m map[string]any
		if err == nil && args[1] != "list" {
			if jerr := json.Unmarshal(out.Bytes(), &m); jerr != nil {
				t.Fatalf("%v printed %q: %v", args, out.String(), jerr)
			}
		}
		return m, out.String(), err
	}
	must := func(args ...string) (map[string]any, string) {
		t.Helper()
		m, out, err := cli(args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return m, out
	}

	created, _ := must("partner", "create", "--name", "Ojek Online")
	id, oldSecret := created["partnerId"].(string), created["secret"].(string)
	must("partner", "create", "--name", "Bank BCA", "--role", "CHANNEL")

	_, list := must("partner", "list")
	if lines := strings.Split(strings.TrimSpace(list), "\n"); len(lines) != 2 || !strings.Contains(lines[0], id) {
		t.Fatalf("list:\n%s", list)
	}
	if strings.Contains(list, oldSecret) || strings.Contains(list, `"secret"`) {
		t.Fatal("list shows a secret")
	}

	shown, raw := must("partner", "show", "--id", id)
	if shown["status"] != "ENABLED" || shown["name"] != "Ojek Online" || shown["role"] != "PARTNER" || strings.Contains(raw, "secret\"") {
		t.Fatalf("show: %s", raw)
	}

	before := time.Now()
	rotated, _ := must("partner", "rotate-secret", "--id", id)
	newSecret, _ := rotated["secret"].(string)
	if newSecret == "" || newSecret == oldSecret {
		t.Fatalf("rotate-secret printed %v", rotated)
	}
	until, err := time.Parse(time.RFC3339, rotated["previousSecretValidUntil"].(string))
	if err != nil || until.Before(before.Add(24*time.Hour-time.Second)) || until.After(time.Now().Add(24*time.Hour)) {
		t.Fatalf("previous secret valid until %v (%v), want a day from now", until, err)
	}
	shown, raw = must("partner", "show", "--id", id)
	if shown["previousSecretValidUntil"] == nil || strings.Contains(raw, newSecret) {
		t.Fatalf("show after rotation: %s", raw)
	}
	// Both secrets sign requests the server accepts.
	for _, secret := range []string{oldSecret, newSecret} {
		if err := authenticate(t, environ, id, secret); err != nil {
			t.Fatalf("secret refused during the grace period: %v", err)
		}
	}
	rotated, _ = must("partner", "rotate-secret", "--id", id, "--grace", "0s")
	if rotated["previousSecretValidUntil"] != nil {
		t.Fatalf("rotate-secret --grace 0s keeps a previous secret: %v", rotated)
	}
	if err := authenticate(t, environ, id, newSecret); err == nil {
		t.Fatal("a secret rotated out without grace is still accepted")
	}

	disabled, _ := must("partner", "disable", "--id", id)
	if disabled["status"] != "DISABLED" {
		t.Fatalf("disable: %v", disabled)
	}
	if err := authenticate(t, environ, id, rotated["secret"].(string)); err == nil || !strings.Contains(err.Error(), "disabled") {
		t.Fatalf("disabled partner authenticated: %v", err)
	}
	if m, _ := must("partner", "show", "--id", id); m["status"] != "DISABLED" {
		t.Fatalf("show after disable: %v", m)
	}
	if m, _ := must("partner", "enable", "--id", id); m["status"] != "ENABLED" {
		t.Fatalf("enable: %v", m)
	}
	if err := authenticate(t, environ, id, rotated["secret"].(string)); err != nil {
		t.Fatalf("enabled partner refused: %v", err)
	}

	for _, args := range [][]string{
		{"partner", "show"},
		{"partner", "show", "--id", "01NOSUCHPARTNER"},
		{"partner", "disable", "--id", "01NOSUCHPARTNER"},
		{"partner", "rotate-secret", "--id", id, "--grace", "-1h"},
	} {
		if _, _, err := cli(args...); err == nil {
			t.Errorf("%v succeeded", args)
		}
	}
}

// authenticate checks a signed request the way the server does, on a fresh
// container (no cached partner).
func authenticate(t *testing.T, environ []string, id, secret string) error {
	t.Helper()
	cfg, err := loadConfig(environ)
	if err != nil {
		t.Fatal(err)
	}
	c, cleanup, err := open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	ts := time.Now().Format(time.RFC3339)
	_, err = c.App.AuthenticatePartner(context.Background(), app.SignedRequest{PartnerID: id, Method: "GET", PathWithQuery: "/banks",
		Timestamp: ts, Signature: partner.Sign([]byte(secret), "GET", "/banks", nil, ts)})
	return err
}
