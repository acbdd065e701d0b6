package walletproc_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/dompet/wallet/internal/pgcluster"
	"github.com/dompet/wallet/internal/walletproc"
)

// TestServeOnOwnCluster starts a throwaway PostgreSQL cluster with a
// streaming standby, runs the real binary on the primary, stops the
// database and sees readiness follow it.
func TestServeOnOwnCluster(t *testing.T) {
	t.Parallel()
	pg := pgcluster.New(t)
	standby := pg.Standby(t)
	env := walletproc.Env(pg.URL(""), t.TempDir())
	var p struct{ PartnerID, Secret string }
	if err := json.Unmarshal(walletproc.CLI(t, env, "partner", "create", "--name", "Shop"), &p); err != nil || p.PartnerID == "" {
		t.Fatalf("partner create: %v %+v", err, p)
	}
	s := walletproc.Start(t, env)
	pg.Stop(t)
	if code := status(t, s.URL+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the database down: %d, want 503", code)
	}
	if code := status(t, s.URL+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz with the database down: %d, want 200", code)
	}
	pg.Start(t)
	if err := s.Stop(); err != nil {
		t.Errorf("graceful stop: %v\n%s", err, s.Logs().String())
	}
	_ = standby
}

func status(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
