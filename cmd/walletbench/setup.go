package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// createDatabase creates dbName on the server serverURL points at (through
// its database, the maintenance DB) and returns the new database's URL and a
// function that drops it.
func createDatabase(ctx context.Context, serverURL, dbName string) (string, func() error, error) {
	u, err := url.Parse(serverURL)
	if err != nil {
		return "", nil, fmt.Errorf("-db-url: %w", err)
	}
	if strings.Trim(u.Path, "/") == "" {
		u.Path = "/postgres"
	}
	admin := u.String()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", nil, fmt.Errorf("connect to %s: %w", u.Redacted(), err)
	}
	defer conn.Close(ctx)
	ident := pgx.Identifier{dbName}.Sanitize()
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		return "", nil, fmt.Errorf("create database %s: %w", dbName, err)
	}
	log.Printf("created database %s", dbName)
	u.Path = "/" + dbName
	drop := func() error {
		// Dropping a large database on a busy disk can take a while.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)")
		return err
	}
	return u.String(), drop, nil
}

// buildWallet compiles the server from the working tree, so the benchmark
// measures the code as it is now.
func buildWallet(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "wallet")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/wallet")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/wallet: %w\n%s", err, out)
	}
	return bin, nil
}

// serverEnv is the environment of every wallet process of the run. Other
// WALLET_* variables of the caller (e.g. WALLET_DB_MAX_CONNS) pass through.
func serverEnv(dbURL, dataDir string) ([]string, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	addr := ln.Addr().String()
	ln.Close()
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0x42}, 32))
	return append(os.Environ(),
		"DATABASE_URL="+dbURL,
		"WALLET_HTTP_ADDR="+addr,
		"WALLET_DATA_DIR="+dataDir,
		"WALLET_LOG_LEVEL=warn",
		"WALLET_MASTER_KEY="+key,
		"WALLET_NOTIFIER=console",
	), addr, nil
}

// partnerCred is a partner as `wallet partner create` prints it.
type partnerCred struct {
	ID     string `json:"partnerId"`
	Name   string `json:"name"`
	Role   string `json:"role"`
	Secret string `json:"secret"`
}

type partners struct {
	merchants []partnerCred // the spread variant
	hot       partnerCred   // the hot variant's only merchant
	bank      partnerCred   // CHANNEL that tops customers up
}

func createPartner(ctx context.Context, bin string, env []string, name, role string) (partnerCred, error) {
	cmd := exec.CommandContext(ctx, bin, "partner", "create", "--name", name, "--role", role)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return partnerCred{}, fmt.Errorf("wallet partner create %q: %w\n%s", name, err, stderr.Bytes())
	}
	var p partnerCred
	if err := json.Unmarshal(out, &p); err != nil || p.ID == "" || p.Secret == "" {
		return partnerCred{}, fmt.Errorf("wallet partner create %q printed %q", name, out)
	}
	return p, nil
}

// createPartners runs the CLI once alone (it migrates the empty database),
// then the rest concurrently.
func createPartners(ctx context.Context, bin string, env []string, merchants int) (partners, error) {
	var ps partners
	var err error
	if ps.bank, err = createPartner(ctx, bin, env, "Bench Bank", "CHANNEL"); err != nil {
		return ps, err
	}
	ps.merchants = make([]partnerCred, merchants)
	errs := make([]error, merchants+1)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i := range merchants + 1 {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if i == merchants {
				ps.hot, errs[i] = createPartner(ctx, bin, env, "Bench Hot Merchant", "PARTNER")
				return
			}
			ps.merchants[i], errs[i] = createPartner(ctx, bin, env, fmt.Sprintf("Bench Merchant %02d", i+1), "PARTNER")
		})
	}
	wg.Wait()
	return ps, errors.Join(errs...)
}

// server is the running `wallet serve` child.
type server struct {
	cmd      *exec.Cmd
	otps     *mailbox
	logs     *serverLog
	exited   chan struct{}
	waitErr  error
	stopOnce sync.Once
	stats    serverStats
}

func startServer(ctx context.Context, bin string, env []string, addr string) (*server, error) {
	s := &server{otps: newMailbox(), exited: make(chan struct{})}
	s.logs = &serverLog{otps: s.otps}
	// Not CommandContext: the server gets SIGTERM and time to drain, not SIGKILL.
	s.cmd = exec.Command(bin, "serve")
	s.cmd.Env = env
	s.cmd.Stderr = &lineWriter{line: s.logs.line}
	s.cmd.Stdout = s.cmd.Stderr
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start wallet serve: %w", err)
	}
	go func() { s.waitErr = s.cmd.Wait(); close(s.exited) }()

	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-s.exited:
			return nil, fmt.Errorf("wallet serve exited during start-up (%v):\n%s", s.waitErr, strings.Join(s.logs.problems(), "\n"))
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				log.Printf("wallet serve ready on %s (pid %d)", addr, s.pid())
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, errors.New("wallet serve not ready after 60s")
		}
	}
}

func (s *server) pid() int { return s.cmd.Process.Pid }

// stop sends SIGTERM, waits for a graceful exit (SIGKILL after 20s) and
// returns what the server logged. Safe to call more than once.
func (s *server) stop() serverStats {
	s.stopOnce.Do(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(20 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exited
			s.stats.Killed = true
		}
		s.stats.ExitError = errString(s.waitErr)
		s.stats.Warnings, s.stats.Errors, s.stats.Other = s.logs.counts()
		s.stats.Samples = s.logs.problems()
	})
	return s.stats
}

// lineWriter calls line for every complete line written to it.
type lineWriter struct {
	buf  []byte
	line func([]byte)
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.line(w.buf[:i])
		w.buf = w.buf[i+1:]
	}
	return len(p), nil
}

// serverLog reads the server's stderr: OTP notifications go to the mailbox,
// warnings, errors and anything that is not a JSON log line (a panic) are
// counted and the first few kept.
type serverLog struct {
	otps               *mailbox
	mu                 sync.Mutex
	warns, errs, other int
	samples            []string
}

var otpInText = regexp.MustCompile(`\b(\d{6})\b`)

func (l *serverLog) line(b []byte) {
	var rec struct {
		Level string `json:"level"`
		Msg   string `json:"msg"`
		To    string `json:"to"`
		Text  string `json:"text"`
		OTP   string `json:"otp"`
	}
	if err := json.Unmarshal(b, &rec); err == nil && rec.Msg == "notification" {
		otp := rec.OTP
		if m := otpInText.FindStringSubmatch(rec.Text); otp == "" && m != nil {
			otp = m[1]
		}
		if otp != "" {
			l.otps.put(rec.To, otp)
		}
		return
	} else if err == nil && rec.Level != "WARN" && rec.Level != "ERROR" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case rec.Level == "WARN":
		l.warns++
	case rec.Level == "ERROR":
		l.errs++
	case len(bytes.TrimSpace(b)) > 0:
		l.other++
	default:
		return
	}
	if len(l.samples) < 20 {
		l.samples = append(l.samples, truncate(string(b), 400))
	}
}

func (l *serverLog) counts() (warns, errs, other int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.warns, l.errs, l.other
}

func (l *serverLog) problems() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.samples...)
}

// mailbox hands OTPs read from the server's stderr to the goroutine waiting
// for that number.
type mailbox struct {
	mu    sync.Mutex
	slots map[string]chan string
}

func newMailbox() *mailbox { return &mailbox{slots: map[string]chan string{}} }

func (m *mailbox) slot(to string) chan string {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.slots[to]
	if !ok {
		c = make(chan string, 4)
		m.slots[to] = c
	}
	return c
}

func (m *mailbox) put(to, otp string) {
	select {
	case m.slot(to) <- otp:
	default:
	}
}

func (m *mailbox) wait(ctx context.Context, to string, d time.Duration) (string, error) {
	select {
	case otp := <-m.slot(to):
		return otp, nil
	case <-ctx.Done():
		return "", ctx.Err()
	case <-time.After(d):
		return "", fmt.Errorf("no OTP for %s within %s", to, d)
	}
}

// customer is a registered, funded customer and the merchant that charges it.
type customer struct {
	mobile   string // 08…
	merchant *partnerCred
}

type population struct{ spread, hot []customer }

// enrollAll registers two disjoint halves of -customers: the spread half
// through merchant i % M, the hot half through the hot merchant. Binding one
// customer to two merchants would need a LOGIN OTP, which the 60 s resend
// cooldown delays by a minute. A few failed enrollments (at most 1 %) are
// dropped and counted; more abort the run.
func enrollAll(ctx context.Context, c *client, otps *mailbox, ps partners, cfg config) (population, int, error) {
	nSpread := (cfg.Customers + 1) / 2
	base := 10_000_000 + rand.IntN(80_000_000)
	all := make([]customer, cfg.Customers)
	for i := range all {
		all[i].mobile = fmt.Sprintf("0812%08d", base+i)
		if i < nSpread {
			all[i].merchant = &ps.merchants[i%len(ps.merchants)]
		} else {
			all[i].merchant = &ps.hot
		}
	}
	log.Printf("enrolling %d customers (%d spread, %d hot), %d at a time", len(all), nSpread, len(all)-nSpread, cfg.SetupConc)

	ok := make([]bool, len(all))
	var failed atomic.Int64
	var firstErr error
	var errOnce sync.Once
	next := make(chan int)
	var wg sync.WaitGroup
	for range cfg.SetupConc {
		wg.Go(func() {
			for i := range next {
				err := enroll(ctx, c, otps, ps.bank, all[i], cfg.TopUp)
				if err != nil {
					failed.Add(1)
					errOnce.Do(func() { firstErr = err })
					continue
				}
				ok[i] = true
			}
		})
	}
	for i := range all {
		if failed.Load()*100 > int64(len(all)) || ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return population{}, 0, err
	}
	if n := failed.Load(); n*100 > int64(len(all)) {
		return population{}, int(n), fmt.Errorf("%d enrollments failed (more than 1%%); first: %w", n, firstErr)
	} else if n > 0 {
		log.Printf("%d enrollments failed; first: %v", n, firstErr)
	}
	var pop population
	for i, cu := range all {
		switch {
		case !ok[i]:
		case i < nSpread:
			pop.spread = append(pop.spread, cu)
		default:
			pop.hot = append(pop.hot, cu)
		}
	}
	if len(pop.spread) == 0 || len(pop.hot) == 0 {
		return pop, int(failed.Load()), errors.New("no customers left in one of the variants")
	}
	return pop, int(failed.Load()), nil
}

// enroll is the black-box path of a new customer: registration through its
// merchant, the OTP from the console notifier, validation, and a VA top-up
// through the bank channel.
func enroll(ctx context.Context, c *client, otps *mailbox, bank partnerCred, cu customer, topUp int64) error {
	body := fmt.Sprintf(`{"mobileNumber":%q,"firstName":"Bench","lastName":"Customer"}`, cu.mobile)
	if _, err := c.call(ctx, *cu.merchant, http.MethodPost, "/register-customer/", body); err != nil {
		return fmt.Errorf("register %s: %w", cu.mobile, err)
	}
	otp, err := otps.wait(ctx, "62"+cu.mobile[1:], time.Minute)
	if err != nil {
		return err
	}
	body = fmt.Sprintf(`{"mobileNumber":%q,"otp":%q}`, cu.mobile, otp)
	if _, err := c.call(ctx, *cu.merchant, http.MethodPost, "/validate-otp/", body); err != nil {
		return fmt.Errorf("validate OTP of %s: %w", cu.mobile, err)
	}
	body = fmt.Sprintf(`{"vaNumber":"39358%s","amount":"%d","bankReference":"%s"}`, cu.mobile, topUp, c.nextID())
	if _, err := c.call(ctx, bank, http.MethodPost, "/topup/va/payment/", body); err != nil {
		return fmt.Errorf("top up %s: %w", cu.mobile, err)
	}
	return nil
}

// reconcile runs `wallet reconcile` on the benchmark database.
func reconcile(ctx context.Context, bin string, env []string) reconcileResult {
	cmd := exec.CommandContext(ctx, bin, "reconcile")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	r := reconcileResult{Output: strings.TrimSpace(string(out))}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.ExitCode = exit.ExitCode()
	case err != nil:
		r.ExitCode = -1
		r.Output += "\n" + err.Error()
	}
	r.OK = r.ExitCode == 0 && strings.HasPrefix(lastLine(r.Output), "OK")
	return r
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
