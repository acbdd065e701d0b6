package walletproc_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/dompet/wallet/internal/testdb"
	"github.com/dompet/wallet/internal/walletproc"
)

// settingDeadline is issue 9 item 7's promise (1 s) plus slack for a
// loaded 2-core CI machine running other tests: the measured times are
// logged, and are milliseconds.
const settingDeadline = 3 * time.Second

// TestPartnerSettingsReachEveryProcess (issue 9 item 7, ADR 0013) runs two `wallet serve` processes
// on one PostgreSQL schema, warms both partner caches, and changes the
// partner from a third process (the CLI): both servers follow within the
// deadline, far inside the cache's one-minute TTL.
func TestPartnerSettingsReachEveryProcess(t *testing.T) {
	t.Parallel()
	env := walletproc.Env(testdb.SchemaURL(t), t.TempDir())
	shop := walletproc.CreatePartner(t, env, "Shop", "")
	servers := []*walletproc.Server{walletproc.Start(t, env), walletproc.Start(t, env)}
	for _, s := range servers {
		s.Logs().Wait(t, "change listener listening", 10*time.Second)
	}
	call := func(s *walletproc.Server, p walletproc.Partner) int {
		return p.Call(nil, s.URL, "GET", "/banks", "", "").Code()
	}
	for i, s := range servers {
		if code := call(s, shop); code != 0 {
			t.Fatalf("server %d before any change: code %d", i, code)
		}
	}
	// follows waits until every server answers as want says, and logs how
	// long after the change was committed.
	follows := func(what string, p walletproc.Partner, want func(code int) bool) {
		t.Helper()
		committed := time.Now()
		for i, s := range servers {
			for code := call(s, p); !want(code); code = call(s, p) {
				if time.Since(committed) > settingDeadline {
					t.Fatalf("%s: server %d still answers code %d after %v", what, i, code, settingDeadline)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		t.Logf("%s: both servers follow %v after the commit", what, time.Since(committed).Round(time.Millisecond))
	}

	walletproc.CLI(t, env, "partner", "disable", "--id", shop.PartnerID)
	follows("disable", shop, func(code int) bool { return code != 0 })

	walletproc.CLI(t, env, "partner", "enable", "--id", shop.PartnerID)
	follows("enable", shop, func(code int) bool { return code == 0 })

	var rotated walletproc.Partner
	out := walletproc.CLI(t, env, "partner", "rotate-secret", "--id", shop.PartnerID, "--grace", "0s")
	if err := json.Unmarshal(out, &rotated); err != nil || rotated.Secret == "" {
		t.Fatalf("rotate-secret: %v %s", err, out)
	}
	follows("rotated secret, old one", shop, func(code int) bool { return code != 0 })
	follows("rotated secret, new one", rotated, func(code int) bool { return code == 0 })
}
