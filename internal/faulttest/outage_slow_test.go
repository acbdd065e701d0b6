package faulttest

import (
	"context"
	"database/sql"
	"net/http"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"

	"github.com/dompet/wallet/internal/testdb"
	"github.com/dompet/wallet/internal/walletproc"
)

// TestSlowDatabase holds an ACCESS EXCLUSIVE lock on the accounts table,
// so every statement touching a balance waits, under two servers on one
// database: one bounded by WALLET_DB_STATEMENT_TIMEOUT (PostgreSQL cancels
// the statement), one by WALLET_REQUEST_TIMEOUT alone (the request's
// context cancels it). Both answer a payment code 90 / HTTP 503 within
// their bound, apply nothing, and the same request succeeds once the lock
// is gone.
func TestSlowDatabase(t *testing.T) {
	t.Parallel()
	url := testdb.SchemaURL(t)
	env := walletproc.Env(url, t.TempDir())
	shop := walletproc.CreatePartner(t, env, "Shop", "")
	bank := walletproc.CreatePartner(t, env, "Bank", "CHANNEL")
	const bound = time.Second
	byStatement := walletproc.Start(t, append(env, "WALLET_DB_STATEMENT_TIMEOUT="+bound.String(), "WALLET_REQUEST_TIMEOUT=0"))
	c := &client{t: t, base: byStatement.URL}
	c.enrol(byStatement, shop, bank, "081234500001", 100_000)
	// Started after the enrolment: its job workers would take the OTP job.
	byRequest := walletproc.Start(t, append(env, "WALLET_DB_STATEMENT_TIMEOUT=0", "WALLET_REQUEST_TIMEOUT="+bound.String()))

	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck
	if _, err := tx.ExecContext(ctx, "LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}

	pay := func(s *walletproc.Server, orderID, extID string) walletproc.Answer {
		return shop.Call(c.http(), s.URL, "POST", "/wallet-payment/", `{"mobileNumber":"081234500001","amount":"25000","orderId":"`+orderID+`"}`, extID)
	}
	for _, srv := range []struct {
		name, key string
		s         *walletproc.Server
	}{{"statement timeout", "stmt", byStatement}, {"request deadline", "req", byRequest}} {
		start := time.Now()
		a := pay(srv.s, "SLOW-"+srv.key, "slow-"+srv.key)
		took := time.Since(start)
		if a.Status != http.StatusServiceUnavailable || a.Code() != 90 {
			t.Errorf("%s: payment on a locked table: HTTP %d code %d %v %s, want 503 / 90", srv.name, a.Status, a.Code(), a.Err, a.Body)
		}
		// The bound plus slack for a loaded CI machine; without the bound
		// the request would wait for the lock as long as it is held.
		if took > bound+slack {
			t.Errorf("%s: answered after %v, want about %v", srv.name, took, bound)
		}
		t.Logf("%s: code %d after %v", srv.name, a.Code(), took.Round(time.Millisecond))
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}

	// The partner's retries, same keys: each payment is applied once.
	for _, srv := range []struct {
		name, key string
		s         *walletproc.Server
	}{{"statement timeout", "stmt", byStatement}, {"request deadline", "req", byRequest}} {
		if a := pay(srv.s, "SLOW-"+srv.key, "slow-"+srv.key); a.Code() != 0 {
			t.Errorf("%s: retry after the lock is released: HTTP %d %s", srv.name, a.Status, a.Body)
		}
	}
	if got := c.balance(shop, "081234500001"); got != "50000" {
		t.Errorf("balance %s, want 50000 (two payments of 25000, each once)", got)
	}
	walletproc.CLI(t, env, "reconcile")
}
