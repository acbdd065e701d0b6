package pgcluster

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Bouncer is a PgBouncer in transaction-pooling mode in front of a cluster,
// started by a test: every transaction may run on a different server
// connection, so nothing may rely on session state.
type Bouncer struct {
	Port    int
	Version string // "PgBouncer 1.18.0"
	dir     string
	cmd     *exec.Cmd
}

// BouncerBin returns the pgbouncer binary, or "" when it is not installed
// (Debian package pgbouncer).
func BouncerBin() string {
	if p, err := exec.LookPath("pgbouncer"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/pgbouncer"); err == nil {
		return "/usr/sbin/pgbouncer"
	}
	return ""
}

// requireBouncer: on CI (CI or WALLET_REQUIRE_POSTGRES set) a missing
// pgbouncer fails the test, elsewhere it skips it.
func requireBouncer(tb testing.TB) string {
	tb.Helper()
	bin := BouncerBin()
	if bin == "" {
		if os.Getenv("CI") != "" || os.Getenv("WALLET_REQUIRE_POSTGRES") != "" {
			tb.Fatal("pgbouncer is not installed (Debian package pgbouncer; .ci/run installs it)")
		}
		tb.Skip("pgbouncer is not installed")
	}
	return bin
}

// Bouncer starts PgBouncer with pool_mode=transaction in front of database
// "test" of c, with poolSize server connections at most, stopped when the
// test ends. Clients connect with Bouncer.URL; authentication is trust, as
// on the cluster. As root it runs as the postgres user (pgbouncer refuses
// root).
func (c *Cluster) Bouncer(tb testing.TB, poolSize int) *Bouncer {
	tb.Helper()
	bin := requireBouncer(tb)
	out, _ := exec.Command(bin, "--version").Output()
	b := &Bouncer{dir: tempDir(tb), Port: freePort(tb), Version: strings.SplitN(string(out), "\n", 2)[0]}
	ini := fmt.Sprintf(`[databases]
test = host=127.0.0.1 port=%d dbname=test user=postgres

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s
pool_mode = transaction
default_pool_size = %d
max_client_conn = 1000
ignore_startup_parameters = extra_float_digits
server_reset_query =
logfile = %s
pidfile = %s
`, c.Port, b.Port, filepath.Join(b.dir, "users.txt"), poolSize, filepath.Join(b.dir, "log"), filepath.Join(b.dir, "pid"))
	files := map[string]string{"pgbouncer.ini": ini, "users.txt": `"postgres" ""` + "\n"}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(b.dir, name), []byte(text), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	args := []string{filepath.Join(b.dir, "pgbouncer.ini")}
	if os.Geteuid() == 0 {
		args = append([]string{"-u", "postgres"}, args...)
	}
	b.cmd = exec.Command(bin, args...)
	b.cmd.Dir = b.dir
	if err := b.cmd.Start(); err != nil {
		tb.Fatalf("start pgbouncer: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- b.cmd.Wait() }()
	tb.Cleanup(func() {
		_ = b.cmd.Process.Kill()
		<-done
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(b.Port), time.Second)
		if err == nil {
			conn.Close()
			return b
		}
		select {
		case err := <-done:
			tb.Fatalf("pgbouncer exited: %v\n%s", err, b.Log())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			tb.Fatalf("pgbouncer not listening after 20s\n%s", b.Log())
		}
	}
}

// URL is the client connection URL of database "test" through the bouncer.
func (b *Bouncer) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/test?sslmode=disable", b.Port)
}

// Log returns PgBouncer's log so far.
func (b *Bouncer) Log() string {
	out, _ := os.ReadFile(filepath.Join(b.dir, "log"))
	return string(out)
}
