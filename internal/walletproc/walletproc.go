// Package walletproc runs the real `wallet` binary as a child process for
// tests that crash, restart or multiply it: fault tests, replica tests. The
// binary is built once per test binary from the working tree.
package walletproc

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/internal/logcheck"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Binary builds ./cmd/wallet (once per test binary) and returns its path.
func Binary(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "walletproc-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "wallet")
		cmd := exec.Command("go", "build", "-o", binPath, "github.com/dompet/wallet/cmd/wallet")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/wallet: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return binPath
}

// Env is the environment of a test's wallet processes: databaseURL ("" for
// the embedded SQLite in dataDir), a fixed master key (every replica must
// share it), console notifications and fast job polling. extra overrides
// any of them (later entries win).
func Env(databaseURL, dataDir string, extra ...string) []string {
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0x42}, 32))
	env := append(os.Environ(),
		"DATABASE_URL="+databaseURL,
		"WALLET_DATA_DIR="+dataDir,
		"WALLET_MASTER_KEY="+key,
		"WALLET_NOTIFIER=console",
		"WALLET_JOB_POLL_INTERVAL=50ms",
	)
	return append(env, extra...)
}

// CLI runs `wallet args...` to completion and returns its standard output;
// secrets it prints (a new partner's) are registered with logcheck.
func CLI(tb testing.TB, env []string, args ...string) []byte {
	tb.Helper()
	cmd := exec.Command(Binary(tb), args...)
	cmd.Env = env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, logcheck.Writer(&errOut)
	if err := cmd.Run(); err != nil {
		tb.Fatalf("wallet %v: %v\n%s%s", args, err, out.String(), errOut.String())
	}
	logcheck.JSON(out.Bytes())
	return out.Bytes()
}

// Server is a running `wallet serve`.
type Server struct {
	URL  string // http://host:port
	Addr string
	env  []string
	cmd  *exec.Cmd
	logs *Log
	done chan struct{}
	err  error
}

// Start runs `wallet serve` on a free port with env and waits until /readyz
// answers 200. The process is killed when the test ends if still running.
func Start(tb testing.TB, env []string) *Server {
	tb.Helper()
	return StartAt(tb, env, FreeAddr(tb))
}

// StartAt is Start on a given address (a restart on the same port).
func StartAt(tb testing.TB, env []string, addr string) *Server {
	tb.Helper()
	s := &Server{URL: "http://" + addr, Addr: addr, env: env, logs: &Log{}, done: make(chan struct{})}
	s.cmd = exec.Command(Binary(tb), "serve")
	s.cmd.Env = append(append([]string{}, env...), "WALLET_HTTP_ADDR="+addr)
	w := logcheck.Writer(s.logs)
	s.cmd.Stdout, s.cmd.Stderr = w, w
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		tb.Fatalf("start wallet serve: %v", err)
	}
	go func() { s.err = s.cmd.Wait(); close(s.done) }()
	tb.Cleanup(s.Kill)
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-s.done:
			tb.Fatalf("wallet serve exited during start-up: %v\n%s", s.err, s.logs.String())
		case <-time.After(50 * time.Millisecond):
		}
		if resp, err := http.Get(s.URL + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			s.Kill()
			tb.Fatalf("wallet serve not ready after 60s\n%s", s.logs.String())
		}
	}
}

// Restart starts a new process with the same environment on the same
// address (the old one must have exited).
func (s *Server) Restart(tb testing.TB) *Server {
	tb.Helper()
	return StartAt(tb, s.env, s.Addr)
}

// Kill sends SIGKILL: no drain, no deferred work, as in a crash.
func (s *Server) Kill() {
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

// Stop sends SIGTERM and waits for the graceful exit (SIGKILL after 20 s);
// it returns the exit error, nil on a clean exit.
func (s *Server) Stop() error {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		s.Kill()
	}
	return s.err
}

// Logs is everything the process wrote so far.
func (s *Server) Logs() *Log { return s.logs }

// Log collects a process's output; safe for concurrent use.
type Log struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *Log) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.buf.String() }

// Wait polls until the log contains substr, and returns the log's text
// from that line on; it fails the test after timeout.
func (l *Log) Wait(tb testing.TB, substr string, timeout time.Duration) string {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s := l.String()
		if i := strings.Index(s, substr); i >= 0 {
			return s[i:]
		}
		if time.Now().After(deadline) {
			tb.Fatalf("log has no %q after %v", substr, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// FreeAddr returns a free 127.0.0.1 port.
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Partner is a partner as `wallet partner create` prints it.
type Partner struct {
	PartnerID string `json:"partnerId"`
	Secret    string `json:"secret"`
	Role      string `json:"role"`
}

// CreatePartner runs `wallet partner create` (role "" is PARTNER).
func CreatePartner(tb testing.TB, env []string, name, role string) Partner {
	tb.Helper()
	args := []string{"partner", "create", "--name", name}
	if role != "" {
		args = append(args, "--role", role)
	}
	var p Partner
	if err := json.Unmarshal(CLI(tb, env, args...), &p); err != nil || p.PartnerID == "" || p.Secret == "" {
		tb.Fatalf("partner create %q: %v %+v", name, err, p)
	}
	return p
}

// Answer is one HTTP exchange with the legacy REST door.
type Answer struct {
	Status int            // HTTP status; 0 when the request failed
	Err    error          // transport error (connection refused, reset, timeout)
	Body   []byte         // raw answer
	Env    map[string]any // decoded envelope (nil when not JSON)
}

// Code is the envelope's code, -1 when there is none.
func (a Answer) Code() int {
	if c, ok := a.Env["code"].(float64); ok {
		return int(c)
	}
	return -1
}

// Call sends a signed request to the legacy REST door at base as p, with
// X-EXTERNAL-ID extID (none when empty). It never fails the test: crash
// tests need the transport errors.
func (p Partner) Call(client *http.Client, base, method, path, body, extID string) Answer {
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		return Answer{Err: err}
	}
	ts := time.Now().Format(time.RFC3339)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-PARTNER-ID", p.PartnerID)
	req.Header.Set("X-TIMESTAMP", ts)
	req.Header.Set("X-SIGNATURE", partner.Sign([]byte(p.Secret), method, path, []byte(body), ts))
	if extID != "" {
		req.Header.Set("X-EXTERNAL-ID", extID)
	}
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return Answer{Err: err}
	}
	defer resp.Body.Close()
	a := Answer{Status: resp.StatusCode}
	a.Body, a.Err = io.ReadAll(resp.Body)
	_ = json.Unmarshal(a.Body, &a.Env)
	logcheck.JSON(a.Body)
	return a
}

var otpInText = regexp.MustCompile(`\b(\d{6})\b`)

// OTP returns the newest code the console notifier printed for to (628…),
// registered with logcheck as a secret; false when there is none yet.
func (l *Log) OTP(to string) (string, bool) {
	lines := strings.Split(l.String(), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		var m struct{ Msg, To, Text string }
		if json.Unmarshal([]byte(lines[i]), &m) == nil && m.Msg == "notification" && m.To == to {
			if c := otpInText.FindStringSubmatch(m.Text); c != nil {
				logcheck.Secret("OTP", c[1])
				return c[1], true
			}
		}
	}
	return "", false
}

// WaitOTP waits up to 20 s for an OTP sent to to in any of the servers'
// logs (the delivery job runs on whichever process takes it).
func WaitOTP(tb testing.TB, to string, servers ...*Server) string {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		for _, s := range servers {
			if code, ok := s.logs.OTP(to); ok {
				return code
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("no OTP for %s in the servers' logs", to)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
