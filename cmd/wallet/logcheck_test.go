package main

import (
	"net/http"
	"os"
	"testing"

	"github.com/dompet/wallet/internal/logcheck"
)

// TestMain fails the package when a secret a test used appears in any log
// line a `wallet` command wrote (README: Reliability). Every HTTP call the
// tests make registers the secrets in its request and answer.
func TestMain(m *testing.M) {
	http.DefaultTransport = logcheck.Transport(http.DefaultTransport)
	os.Exit(logcheck.Main(m))
}
