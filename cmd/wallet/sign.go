package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/dompet/wallet/domain/partner"
)

func writeJSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

var wib = time.FixedZone("WIB", 7*3600)

// signCommand prints the auth headers for one request, one per line, in the
// form curl reads with -H @file.
func signCommand(args, environ []string, stdin io.Reader, stdout, stderr io.Writer) error {
	env := envMap(environ)
	fs := flag.NewFlagSet("sign", flag.ContinueOnError)
	fs.SetOutput(stderr)
	partnerID := fs.String("partner", env["WALLET_PARTNER_ID"], "partner id (default $WALLET_PARTNER_ID)")
	secret := fs.String("secret", env["WALLET_PARTNER_SECRET"], "partner secret (default $WALLET_PARTNER_SECRET)")
	method := fs.String("method", "GET", "HTTP method")
	path := fs.String("path", "", "path with query, exactly as requested, e.g. /customer-account-inquiry/?mobileNumber=0812…")
	bodyFile := fs.String("body", "", "file with the exact request body ('-' for stdin); empty for none")
	externalID := fs.String("external-id", "", "X-EXTERNAL-ID for POST (default: random)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *partnerID == "" || *secret == "" || *path == "" {
		return errors.New("sign needs --partner, --secret (or WALLET_PARTNER_ID / WALLET_PARTNER_SECRET) and --path")
	}
	var body []byte
	var err error
	if body, err = readBodyFile(*bodyFile, stdin); err != nil {
		return err
	}
	m := strings.ToUpper(*method)
	ts := time.Now().In(wib).Format(time.RFC3339)
	fmt.Fprintf(stdout, "X-PARTNER-ID: %s\n", *partnerID)
	fmt.Fprintf(stdout, "X-TIMESTAMP: %s\n", ts)
	fmt.Fprintf(stdout, "X-SIGNATURE: %s\n", partner.Sign([]byte(*secret), m, *path, body, ts))
	if m == "POST" {
		id := *externalID
		if id == "" {
			b := make([]byte, 12)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		fmt.Fprintf(stdout, "X-EXTERNAL-ID: %s\n", id)
	}
	if len(body) > 0 {
		fmt.Fprintln(stdout, "Content-Type: application/json")
	}
	return nil
}

// envMap turns KEY=VALUE pairs into a map.
func envMap(environ []string) map[string]string {
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return env
}

// readBodyFile reads the exact request body to sign: none for "", stdin
// for "-", else the file.
func readBodyFile(name string, stdin io.Reader) ([]byte, error) {
	switch name {
	case "":
		return nil, nil
	case "-":
		return io.ReadAll(stdin)
	}
	return os.ReadFile(name)
}
