// Package pgcluster starts throwaway PostgreSQL clusters for tests that must
// control the server itself: stop it (an outage), restart it, or follow it
// with a streaming standby. Tests that only need a database use testdb.
//
// The binaries come from Debian's packages (/usr/lib/postgresql/N/bin). The
// server refuses to run as root, so as root every server command runs as the
// postgres user through runuser.
package pgcluster

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// Cluster is one running (or stopped) PostgreSQL server of a test.
type Cluster struct {
	bin  string
	dir  string // owns data/, sock/, log
	Port int
	// Settings are extra -c settings, kept across Start.
	Settings []string

	mu      sync.Mutex
	running bool
}

// Bin returns the directory of the newest installed PostgreSQL binaries, or
// "" when none is installed.
func Bin() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) < version(dirs[j]) })
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i]
		}
	}
	return ""
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// skipOrFail skips a test that cannot run here, or fails it on CI
// (WALLET_REQUIRE_POSTGRES), where a skip would hide untested code.
func skipOrFail(tb testing.TB, why string) {
	tb.Helper()
	if os.Getenv("WALLET_REQUIRE_POSTGRES") != "" {
		tb.Fatal(why)
	}
	tb.Skip(why)
}

// New initialises and starts a cluster on a free port, with database "test",
// trust authentication and fsync off (the tests crash processes, not the
// machine). It is stopped and removed when the test ends. settings are extra
// server settings ("statement_timeout=2s").
func New(tb testing.TB, settings ...string) *Cluster {
	tb.Helper()
	if testing.Short() {
		tb.Skip("-short: skipping a test that starts its own PostgreSQL")
	}
	bin := Bin()
	if bin == "" {
		skipOrFail(tb, "no PostgreSQL binaries under /usr/lib/postgresql")
	}
	c := &Cluster{bin: bin, dir: tempDir(tb), Settings: settings}
	if out, err := c.pg("initdb", "-D", c.data(), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"); err != nil {
		tb.Fatalf("initdb: %v\n%s", err, out)
	}
	c.Port = freePort(tb)
	c.Start(tb)
	tb.Cleanup(func() { c.stop("immediate") })
	if err := c.exec("postgres", "CREATE DATABASE test"); err != nil {
		tb.Fatalf("create database: %v", err)
	}
	return c
}

// Standby starts a streaming replica of c (pg_basebackup -R), removed when
// the test ends.
func (c *Cluster) Standby(tb testing.TB) *Cluster {
	tb.Helper()
	s := &Cluster{bin: c.bin, dir: tempDir(tb), Settings: c.Settings}
	if out, err := s.pg("pg_basebackup", "-h", "127.0.0.1", "-p", strconv.Itoa(c.Port), "-U", "postgres",
		"-D", s.data(), "-R", "-X", "stream", "--no-sync", "--checkpoint=fast"); err != nil {
		tb.Fatalf("pg_basebackup: %v\n%s", err, out)
	}
	s.Port = freePort(tb)
	s.Start(tb)
	tb.Cleanup(func() { s.stop("immediate") })
	return s
}

// URL is the connection URL of database db ("test" when empty).
func (c *Cluster) URL(db string) string {
	if db == "" {
		db = "test"
	}
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.Port, db)
}

// Start starts a stopped cluster on its port and waits until it accepts
// connections.
func (c *Cluster) Start(tb testing.TB) {
	tb.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
		c.Port, filepath.Join(c.dir, "sock"))
	for _, s := range c.Settings {
		opts += " -c " + s
	}
	if out, err := c.pg("pg_ctl", "-D", c.data(), "-l", filepath.Join(c.dir, "log"), "-w", "-t", "60", "-o", opts, "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		tb.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	c.running = true
}

// Stop shuts the cluster down (fast mode: sessions are cut, as in an
// outage), leaving its data for Start.
func (c *Cluster) Stop(tb testing.TB) {
	tb.Helper()
	if out, err := c.stop("fast"); err != nil {
		tb.Fatalf("pg_ctl stop: %v\n%s", err, out)
	}
}

// Log returns the server's log so far.
func (c *Cluster) Log() string {
	b, _ := os.ReadFile(filepath.Join(c.dir, "log"))
	return string(b)
}

func (c *Cluster) stop(mode string) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.running {
		return nil, nil
	}
	c.running = false
	return c.pg("pg_ctl", "-D", c.data(), "-m", mode, "-w", "-t", "60", "stop")
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

func (c *Cluster) exec(db, stmt string) error {
	conn, err := sql.Open("pgx", c.URL(db))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = conn.ExecContext(ctx, stmt)
	return err
}

// pg runs a PostgreSQL program, as the postgres user when we are root.
func (c *Cluster) pg(program string, args ...string) ([]byte, error) {
	path := filepath.Join(c.bin, program)
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

// tempDir makes a directory the server's user can own (t.TempDir is 0700
// and root's), removed when the test ends.
func tempDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.MkdirTemp("", "wallet-pg-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.MkdirAll(filepath.Join(dir, "sock"), 0o755); err != nil {
		tb.Fatal(err)
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			skipOrFail(tb, "running as root and there is no postgres user to run the server")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		for _, p := range []string{dir, filepath.Join(dir, "sock")} {
			if err := os.Chown(p, uid, gid); err != nil {
				tb.Fatal(err)
			}
		}
	}
	return dir
}

func freePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	_, p, _ := net.SplitHostPort(ln.Addr().String())
	n, _ := strconv.Atoi(strings.TrimSpace(p))
	return n
}
