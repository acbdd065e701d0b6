package main

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"os"
	"time"

	"github.com/dompet/wallet/domain/partner"
)

// snapSignCommand prints the SNAP headers of one call, one per line, for
// curl's -H @file: the access-token call with --private-key, a
// transactional call with --token.
func snapSignCommand(args, environ []string, stdin io.Reader, stdout, stderr io.Writer) error {
	env := envMap(environ)
	fs := flag.NewFlagSet("snap-sign", flag.ContinueOnError)
	fs.SetOutput(stderr)
	partnerID := fs.String("partner", env["WALLET_PARTNER_ID"], "partner id = SNAP client id (default $WALLET_PARTNER_ID)")
	secret := fs.String("secret", env["WALLET_PARTNER_SECRET"], "partner secret = SNAP client secret (default $WALLET_PARTNER_SECRET)")
	keyFile := fs.String("private-key", "", "PEM RSA private key: sign the access-token call (/snap/v1.0/access-token/b2b)")
	token := fs.String("token", env["WALLET_SNAP_TOKEN"], "access token: sign a transactional call (default $WALLET_SNAP_TOKEN)")
	path := fs.String("path", "", "path with query of the transactional call, e.g. /snap/v1.0/balance-inquiry")
	bodyFile := fs.String("body", "", "file with the exact request body ('-' for stdin); empty for none")
	externalID := fs.String("external-id", "", "X-EXTERNAL-ID (default: random digits)")
	channelID := fs.String("channel-id", "95221", "CHANNEL-ID")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *partnerID == "" {
		return errors.New("snap-sign needs --partner (or WALLET_PARTNER_ID)")
	}
	ts := time.Now().In(wib).Format(time.RFC3339)
	if *keyFile != "" {
		key, err := readPrivateKey(*keyFile)
		if err != nil {
			return err
		}
		sum := sha256.Sum256([]byte(*partnerID + "|" + ts))
		sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "X-TIMESTAMP: %s\nX-CLIENT-KEY: %s\nX-SIGNATURE: %s\nContent-Type: application/json\n",
			ts, *partnerID, base64.StdEncoding.EncodeToString(sig))
		return nil
	}
	if *token == "" || *secret == "" || *path == "" {
		return errors.New("snap-sign needs --private-key (token call) or --token, --secret and --path (transactional call)")
	}
	var body []byte
	var err error
	if body, err = readBodyFile(*bodyFile, stdin); err != nil {
		return err
	}
	id := *externalID
	if id == "" {
		n, err := rand.Int(rand.Reader, big.NewInt(1e17))
		if err != nil {
			return err
		}
		id = fmt.Sprintf("%018d", n)
	}
	fmt.Fprintf(stdout, "Authorization: Bearer %s\n", *token)
	fmt.Fprintf(stdout, "X-TIMESTAMP: %s\n", ts)
	fmt.Fprintf(stdout, "X-PARTNER-ID: %s\n", *partnerID)
	fmt.Fprintf(stdout, "X-EXTERNAL-ID: %s\n", id)
	fmt.Fprintf(stdout, "CHANNEL-ID: %s\n", *channelID)
	fmt.Fprintf(stdout, "X-SIGNATURE: %s\n", partner.SNAPSign([]byte(*secret), "POST", *path, *token, body, ts))
	fmt.Fprintln(stdout, "Content-Type: application/json")
	return nil
}

// readPrivateKey reads a PKCS#8 ("PRIVATE KEY", openssl genpkey) or PKCS#1
// ("RSA PRIVATE KEY") RSA key.
func readPrivateKey(file string) (*rsa.PrivateKey, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("%s: not a PEM file", file)
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		return x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, err
		}
		if rk, ok := k.(*rsa.PrivateKey); ok {
			return rk, nil
		}
		return nil, fmt.Errorf("%s: not an RSA key", file)
	}
	return nil, fmt.Errorf("%s: a %q block; expected PRIVATE KEY or RSA PRIVATE KEY", file, block.Type)
}
