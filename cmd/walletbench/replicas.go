package main

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// replicasResult is the spread phase again on -replicas servers sharing
// the database, optionally through PgBouncer (issue 12). The one-replica
// spread phase and pgbench of the same run are its reference.
type replicasResult struct {
	Replicas  int           `json:"replicas"`
	PgBouncer string        `json:"pgbouncer,omitempty"` // version, when the servers went through it
	PoolSize  int           `json:"pgbouncerPoolSize,omitempty"`
	Spread    *phaseStats   `json:"spread,omitempty"`
	RSS       []rssStats    `json:"rss,omitempty"` // per replica
	Servers   []serverStats `json:"servers,omitempty"`
	Error     string        `json:"error,omitempty"`
}

// measureReplicas starts cfg.Replicas servers on dbURL (through a PgBouncer
// in transaction mode with -pgbouncer) and runs the spread phase with the
// clients spread over them at random.
func measureReplicas(ctx context.Context, cfg config, bin string, env []string, dbURL string, pop population, conns int) *replicasResult {
	r := &replicasResult{Replicas: cfg.Replicas}
	serverURL := dbURL
	extra := []string{}
	if cfg.PgBouncer {
		// As many server connections as one replica's pool: the replicas
		// share what one process had.
		r.PoolSize = 20
		b, err := startBouncer(ctx, dbURL, r.PoolSize)
		if err != nil {
			r.Error = err.Error()
			return r
		}
		defer b.stop()
		r.PgBouncer = b.version
		serverURL = b.url
		extra = append(extra, "WALLET_DB_POOLER=pgbouncer")
	}
	var ops []op
	var samplers []*rssSampler
	var servers []*server
	defer func() {
		for i, s := range servers {
			if i < len(samplers) {
				r.RSS = append(r.RSS, samplers[i].stop())
			}
			r.Servers = append(r.Servers, s.stop())
		}
	}()
	for range cfg.Replicas {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			r.Error = err.Error()
			return r
		}
		addr := ln.Addr().String()
		ln.Close()
		e := append(append(append([]string{}, env...), "DATABASE_URL="+serverURL, "WALLET_HTTP_ADDR="+addr), extra...)
		s, err := startServer(ctx, bin, e, addr)
		if err != nil {
			r.Error = err.Error()
			return r
		}
		servers = append(servers, s)
		ops = append(ops, newClient("http://"+addr, conns).payOp(pop.spread, cfg.Amount))
	}
	for _, s := range servers {
		samplers = append(samplers, sampleRSS(s.pid(), 200*time.Millisecond))
	}
	name := fmt.Sprintf("spread, %d replicas", cfg.Replicas)
	if cfg.PgBouncer {
		name += " via PgBouncer"
	}
	log.Printf("%s: %d clients, %s", name, cfg.Concurrency, cfg.Duration)
	r.Spread = closedLoop(ctx, name, cfg.Duration, cfg.Concurrency, func(ctx context.Context, rng *rand.Rand) error {
		return ops[rng.IntN(len(ops))](ctx, rng)
	})
	log.Printf("%s: %.1f payments/s, p99 %.1f ms, %d errors", name, r.Spread.Rate, r.Spread.P99, r.Spread.Errors)
	return r
}

// bouncer is a PgBouncer process of the benchmark.
type bouncer struct {
	cmd     *exec.Cmd
	dir     string
	url     string
	version string
}

// startBouncer runs pgbouncer (pool_mode=transaction, trust) in front of
// dbURL's database; as root it runs as the postgres user.
func startBouncer(ctx context.Context, dbURL string, poolSize int) (*bouncer, error) {
	bin, err := exec.LookPath("pgbouncer")
	if err != nil {
		if _, e := os.Stat("/usr/sbin/pgbouncer"); e != nil {
			return nil, fmt.Errorf("-pgbouncer: pgbouncer is not installed (Debian package pgbouncer)")
		}
		bin = "/usr/sbin/pgbouncer"
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "walletbench-pgbouncer-")
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	db := strings.Trim(u.Path, "/")
	userName := u.User.Username()
	ini := fmt.Sprintf(`[databases]
%s = host=%s port=%s dbname=%s user=%s

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s
pool_mode = transaction
default_pool_size = %d
max_client_conn = 2000
ignore_startup_parameters = extra_float_digits
logfile = %s
`, db, u.Hostname(), cmpPort(u.Port()), db, userName, port, filepath.Join(dir, "users.txt"), poolSize, filepath.Join(dir, "log"))
	if err := os.WriteFile(filepath.Join(dir, "pgbouncer.ini"), []byte(ini), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "users.txt"), []byte(strconv.Quote(userName)+` ""`+"\n"), 0o644); err != nil {
		return nil, err
	}
	args := []string{filepath.Join(dir, "pgbouncer.ini")}
	if os.Geteuid() == 0 {
		if _, err := user.Lookup("postgres"); err != nil {
			return nil, fmt.Errorf("-pgbouncer as root needs a postgres user to run it as")
		}
		args = append([]string{"-u", "postgres"}, args...)
		_ = exec.Command("chown", "postgres", dir).Run()
	}
	out, _ := exec.Command(bin, "--version").Output()
	b := &bouncer{dir: dir, version: strings.SplitN(string(out), "\n", 2)[0]}
	b.cmd = exec.CommandContext(ctx, bin, args...)
	if err := b.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start pgbouncer: %w", err)
	}
	q := u.Query()
	u.Host = "127.0.0.1:" + strconv.Itoa(port)
	u.RawQuery = q.Encode()
	b.url = u.String()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", u.Host); err == nil {
			c.Close()
			log.Printf("%s on %s, pool_mode=transaction, default_pool_size=%d", b.version, u.Host, poolSize)
			return b, nil
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "log"))
			b.stop()
			return nil, fmt.Errorf("pgbouncer not listening after 10s: %s", log)
		}
	}
}

func (b *bouncer) stop() {
	_ = b.cmd.Process.Kill()
	_ = b.cmd.Wait()
	os.RemoveAll(b.dir)
}

func cmpPort(p string) string {
	if p == "" {
		return "5432"
	}
	return p
}
