package rest_test

import (
	"os"
	"testing"

	"github.com/dompet/wallet/internal/logcheck"
)

// TestMain fails the package when a secret a test used appears in any log
// line of the package's servers (README: Reliability).
func TestMain(m *testing.M) { os.Exit(logcheck.Main(m)) }
