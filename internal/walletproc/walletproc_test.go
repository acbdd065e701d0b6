package walletproc_test

import (
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
	shop := walletproc.CreatePartner(t, env, "Shop", "")
	s := walletproc.Start(t, env)
	if a := shop.Call(nil, s.URL, "POST", "/register-customer/", `{"mobileNumber":"081234500001","firstName":"Budi"}`, "reg-1"); a.Code() != 0 {
		t.Fatalf("register: %d %v %s", a.Status, a.Err, a.Body)
	}
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
