package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dompet/wallet/domain/partner"
)

var wib = time.FixedZone("WIB", 7*3600)

// client sends SPEC §4 signed requests.
type client struct {
	base string
	hc   *http.Client
	run  string
	seq  atomic.Uint64
	pay  *payClient
}

func newClient(base string, conns int) *client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 0
	// The open-loop phase may have more requests in flight than -concurrency.
	tr.MaxIdleConnsPerHost = 4 * conns
	tr.DisableCompression = true
	c := &client{
		base: base,
		hc:   &http.Client{Transport: tr, Timeout: 30 * time.Second},
		run:  strconv.FormatInt(time.Now().UnixNano(), 36),
	}
	c.pay = newPayClient(strings.TrimPrefix(base, "http://"), c, conns)
	return c
}

// nextID is unique across runs and requests: X-EXTERNAL-ID, orderId, bank
// reference.
func (c *client) nextID() string {
	return c.run + "-" + strconv.FormatUint(c.seq.Add(1), 36)
}

// appendID appends the next id (as nextID makes it) to dst.
func (c *client) appendID(dst []byte) []byte {
	dst = append(append(dst, c.run...), '-')
	return strconv.AppendUint(dst, c.seq.Add(1), 36)
}

// callError is any answer but HTTP 200 with code 0, or no answer at all.
type callError struct {
	Status, Code int
	Body         string
	Err          error
}

func (e *callError) Error() string {
	if e.Err != nil {
		return "transport: " + e.Err.Error()
	}
	return fmt.Sprintf("HTTP %d code %d: %s", e.Status, e.Code, e.Body)
}

// kind groups errors for the report.
func (e *callError) kind() string {
	if e.Err != nil {
		return "transport error"
	}
	return fmt.Sprintf("HTTP %d code %d", e.Status, e.Code)
}

func (c *client) call(ctx context.Context, p partnerCred, method, path, body string) (json.RawMessage, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	ts := time.Now().In(wib).Format(time.RFC3339)
	req.Header.Set("X-PARTNER-ID", p.ID)
	req.Header.Set("X-TIMESTAMP", ts)
	req.Header.Set("X-SIGNATURE", partner.Sign([]byte(p.Secret), method, path, []byte(body), ts))
	if method == http.MethodPost {
		req.Header.Set("X-EXTERNAL-ID", c.nextID())
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, &callError{Err: err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, &callError{Err: err}
	}
	env := struct {
		Code int             `json:"code"`
		Data json.RawMessage `json:"data"`
	}{Code: -1}
	_ = json.Unmarshal(raw, &env)
	if resp.StatusCode != http.StatusOK || env.Code != 0 {
		return nil, &callError{Status: resp.StatusCode, Code: env.Code, Body: truncate(string(raw), 300)}
	}
	return env.Data, nil
}

// op is one measured request.
type op func(ctx context.Context, rng *rand.Rand) error

// payOp charges a random customer of set amount rupiah through the
// merchant it is bound to (payClient: the lean client of the measured
// payments).
func (c *client) payOp(set []customer, amount int64) op { return c.pay.payOp(set, amount) }

// historyOp reads the first history page of a random customer of set, or
// the page below cursor (a deep page) when cursor is not empty.
func (c *client) historyOp(set []customer, cursor string) op {
	return func(ctx context.Context, rng *rand.Rand) error {
		cu := set[rng.IntN(len(set))]
		path := "/transaction-history/?limit=20&mobileNumber=" + cu.mobile
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		_, err := c.call(ctx, *cu.merchant, http.MethodGet, path, "")
		return err
	}
}

// phaseStats is one load phase. Rate counts successful payments only;
// latencies cover every answered or failed request.
type phaseStats struct {
	Name         string            `json:"name"`
	Mode         string            `json:"mode"`
	Concurrency  int               `json:"concurrency,omitempty"`
	TargetRate   float64           `json:"targetRate,omitempty"`
	Seconds      float64           `json:"seconds"`
	Requests     int               `json:"requests"`
	Errors       int               `json:"errors"`
	Rate         float64           `json:"paymentsPerSecond"`
	P50          float64           `json:"p50Ms"`
	P95          float64           `json:"p95Ms"`
	P99          float64           `json:"p99Ms"`
	Max          float64           `json:"maxMs"`
	ErrorKinds   map[string]int    `json:"errorKinds,omitempty"`
	ErrorSamples map[string]string `json:"errorSamples,omitempty"`
	CPU          *cpuStats         `json:"cpu,omitempty"`
}

// recorder collects one worker's latencies and errors.
type recorder struct {
	lat     []time.Duration
	kinds   map[string]int
	samples map[string]string
}

func (r *recorder) add(d time.Duration, err error) {
	r.lat = append(r.lat, d)
	if err == nil {
		return
	}
	if r.kinds == nil {
		r.kinds, r.samples = map[string]int{}, map[string]string{}
	}
	kind := "other"
	var ce *callError
	if errors.As(err, &ce) {
		kind = ce.kind()
	}
	r.kinds[kind]++
	if _, ok := r.samples[kind]; !ok {
		r.samples[kind] = err.Error()
	}
}

func summarize(name, mode string, elapsed time.Duration, recs []*recorder) *phaseStats {
	s := &phaseStats{Name: name, Mode: mode, Seconds: round(elapsed.Seconds(), 2)}
	var all []time.Duration
	for _, r := range recs {
		all = append(all, r.lat...)
		for k, n := range r.kinds {
			if s.ErrorKinds == nil {
				s.ErrorKinds, s.ErrorSamples = map[string]int{}, map[string]string{}
			}
			s.ErrorKinds[k] += n
			s.Errors += n
			if _, ok := s.ErrorSamples[k]; !ok {
				s.ErrorSamples[k] = r.samples[k]
			}
		}
	}
	s.Requests = len(all)
	s.Rate = round(float64(s.Requests-s.Errors)/elapsed.Seconds(), 1)
	slices.Sort(all)
	s.P50, s.P95, s.P99 = percentile(all, 0.50), percentile(all, 0.95), percentile(all, 0.99)
	s.Max = percentile(all, 1)
	return s
}

// percentile is the nearest-rank percentile in milliseconds.
func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := max(int(math.Ceil(p*float64(len(sorted))))-1, 0)
	return round(ms(sorted[i]), 2)
}

func round(x float64, digits int) float64 {
	f := math.Pow(10, float64(digits))
	return math.Round(x*f) / f
}

// closedLoop runs conc workers, each sending its next request as soon as the
// previous one is answered, for d. Requests in flight at the end finish (and
// count), so the phase lasts slightly longer than d.
func closedLoop(ctx context.Context, name string, d time.Duration, conc int, do op) *phaseStats {
	start := time.Now()
	deadline := start.Add(d)
	recs := make([]*recorder, conc)
	var wg sync.WaitGroup
	for w := range conc {
		recs[w] = &recorder{}
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(start.UnixNano()), uint64(w)))
			for ctx.Err() == nil && time.Now().Before(deadline) {
				t0 := time.Now()
				err := do(ctx, rng)
				recs[w].add(time.Since(t0), err)
			}
		})
	}
	wg.Wait()
	s := summarize(name, "closed loop", time.Since(start), recs)
	s.Concurrency = conc
	return s
}

// openLoop starts requests at a fixed rate whatever the answers do, so a
// slow answer cannot hold back the next request (no coordinated omission).
// Latency is measured from the moment a request was due, not sent. With a
// timeline, each request's due offset and latency are kept for it too.
func openLoop(ctx context.Context, name string, d time.Duration, rate float64, do op, tl *timeline) *phaseStats {
	var mu sync.Mutex
	rec := &recorder{}
	var wg sync.WaitGroup
	start := time.Now()
	seed := uint64(start.UnixNano())
	for sent := 0; ; {
		elapsed := time.Since(start)
		if elapsed >= d || ctx.Err() != nil {
			break
		}
		// Request n is due at n/rate, the first at once.
		for due := int(elapsed.Seconds()*rate) + 1; sent < due; sent++ {
			at := start.Add(time.Duration(float64(sent) / rate * float64(time.Second)))
			rng := rand.New(rand.NewPCG(seed, uint64(sent)))
			wg.Go(func() {
				err := do(ctx, rng)
				lat := time.Since(at)
				mu.Lock()
				rec.add(lat, err)
				tl.add(at.Sub(start), lat)
				mu.Unlock()
			})
		}
		// Sleep until the next request is due (a 1 ms ticker woke the
		// load generator a thousand times a second whatever the rate).
		next := start.Add(time.Duration(float64(sent) / rate * float64(time.Second)))
		if wait := time.Until(next); wait > 0 {
			time.Sleep(wait)
		}
	}
	wg.Wait()
	if tl != nil {
		tl.start = start
	}
	s := summarize(name, "open loop", time.Since(start), []*recorder{rec})
	s.TargetRate = round(rate, 1)
	return s
}

// rssStats is the server's memory while load ran.
type rssStats struct {
	PeakRSSMiB float64 `json:"peakRssMiB"` // highest VmRSS sampled during the load phases
	HWMMiB     float64 `json:"vmHwmMiB"`   // kernel's lifetime peak (VmHWM), setup included
	Samples    int     `json:"samples"`
}

type rssSampler struct {
	pid  int
	done chan struct{}
	res  chan rssStats
}

// sampleRSS reads /proc/<pid>/status every interval until stop.
func sampleRSS(pid int, every time.Duration) *rssSampler {
	s := &rssSampler{pid: pid, done: make(chan struct{}), res: make(chan rssStats, 1)}
	go func() {
		var st rssStats
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if kb, ok := procStatusKB(pid, "VmRSS"); ok {
				st.PeakRSSMiB = max(st.PeakRSSMiB, round(float64(kb)/1024, 1))
				st.Samples++
			}
			select {
			case <-s.done:
				if kb, ok := procStatusKB(pid, "VmHWM"); ok {
					st.HWMMiB = round(float64(kb)/1024, 1)
				}
				s.res <- st
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *rssSampler) stop() rssStats {
	close(s.done)
	return <-s.res
}

// procStatusKB reads one "Name:   1234 kB" field of /proc/<pid>/status.
func procStatusKB(pid int, field string) (int64, bool) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		v, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		return v, err == nil
	}
	return 0, false
}

// pgbenchResult is pgbench tpcb-like on the benchmark database.
type pgbenchResult struct {
	Scale        int     `json:"scale"`
	Clients      int     `json:"clients"`
	Threads      int     `json:"threads"`
	Seconds      int     `json:"seconds"`
	TPS          float64 `json:"tps"`
	LatencyAvgMs float64 `json:"latencyAvgMs"`
	// CPU per transaction: PostgreSQL's backends and pgbench's client
	// (the "server" of a payment has no counterpart here).
	CPU   *cpuStats `json:"cpu,omitempty"`
	Error string    `json:"error,omitempty"`
	// HalfLoad is the same pgbench open loop (-R) at the wallet's
	// half-load rate, through as many connections as the wallet's pool:
	// PostgreSQL's own latency at that rate on this machine, the floor
	// under the wallet's.
	HalfLoad *pgbenchOpenLoop `json:"halfLoad,omitempty"`
}

// pgbenchOpenLoop is pgbench -R: latency from each transaction's
// scheduled start (schedule lag included), as the wallet's open loop
// measures from the moment a payment was due.
type pgbenchOpenLoop struct {
	TargetRate float64 `json:"targetRate"`
	Clients    int     `json:"clients"`
	TPS        float64 `json:"tps"`
	Requests   int     `json:"transactions"`
	P50        float64 `json:"p50Ms"`
	P95        float64 `json:"p95Ms"`
	P99        float64 `json:"p99Ms"`
	Max        float64 `json:"maxMs"`
	Error      string  `json:"error,omitempty"`
}

var (
	txLine      = regexp.MustCompile(`number of transactions actually processed: ([0-9]+)`)
	tpsLine     = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)
	latencyLine = regexp.MustCompile(`latency average = ([0-9.]+) ms`)
)

// meteredPgbench runs pgbench with args and measures its CPU and WAL per
// transaction: the backends of the database at dbURL and the pgbench
// process.
func meteredPgbench(ctx context.Context, bin, dbURL string, args ...string) ([]byte, *cpuStats, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	pg := watchBackends(dbNameOf(dbURL), 100*time.Millisecond)
	wal0, walOK := readWAL(ctx, dbURL)
	out, err := cmd.CombinedOutput()
	pgCPU, n := pg.stop()
	if err != nil {
		return out, nil, err
	}
	var client time.Duration
	if st := cmd.ProcessState; st != nil {
		client = st.UserTime() + st.SystemTime()
	}
	tx := 0
	if m := txLine.FindSubmatch(out); m != nil {
		tx, _ = strconv.Atoi(string(m[1]))
	}
	c := newCPUStats(tx, 0, pgCPU, client, n)
	c.WAL = walSince(ctx, dbURL, wal0, walOK, tx)
	return out, c, nil
}

// runPgbench initializes pgbench's tables, runs tpcb-like closed loop and,
// when halfRate > 0, open loop at halfRate through poolSize connections,
// the wallet server's own (its per-transaction log goes to dir).
func runPgbench(ctx context.Context, bin, dbURL, dir string, scale, clients int, d time.Duration, halfRate float64, poolSize int) pgbenchResult {
	r := pgbenchResult{Scale: scale, Clients: clients, Threads: min(2, clients), Seconds: max(1, int(d.Seconds()))}
	pg := func(args ...string) ([]byte, error) {
		out, err := exec.CommandContext(ctx, bin, append(args, dbURL)...).CombinedOutput()
		if err != nil {
			return out, fmt.Errorf("pgbench %s: %w: %s", strings.Join(args, " "), err, truncate(string(bytes.TrimSpace(out)), 500))
		}
		return out, nil
	}
	if _, err := pg("-i", "-q", "-s", strconv.Itoa(scale)); err != nil {
		r.Error = err.Error()
		return r
	}
	out, cpu, err := meteredPgbench(ctx, bin, dbURL, "-c", strconv.Itoa(clients), "-j", strconv.Itoa(r.Threads), "-T", strconv.Itoa(r.Seconds), "-M", "prepared", dbURL)
	if err != nil {
		r.Error = fmt.Sprintf("pgbench: %v: %s", err, truncate(string(bytes.TrimSpace(out)), 500))
		return r
	}
	r.CPU = cpu
	m := tpsLine.FindSubmatch(out)
	if m == nil {
		r.Error = "no tps line in pgbench output: " + truncate(string(out), 500)
		return r
	}
	r.TPS, _ = strconv.ParseFloat(string(m[1]), 64)
	if m := latencyLine.FindSubmatch(out); m != nil {
		r.LatencyAvgMs, _ = strconv.ParseFloat(string(m[1]), 64)
	}
	if halfRate > 0 {
		r.HalfLoad = pgbenchAtRate(ctx, bin, dbURL, dir, poolSize, min(2, poolSize), r.Seconds, halfRate)
	}
	return r
}

// pgbenchAtRate runs tpcb-like open loop at rate transactions/s and reads
// its per-transaction log.
func pgbenchAtRate(ctx context.Context, bin, dbURL, dir string, clients, threads, seconds int, rate float64) *pgbenchOpenLoop {
	r := &pgbenchOpenLoop{TargetRate: round(rate, 1), Clients: clients}
	prefix := filepath.Join(dir, "pgbench_rate")
	out, err := exec.CommandContext(ctx, bin, "-c", strconv.Itoa(clients), "-j", strconv.Itoa(threads),
		"-T", strconv.Itoa(seconds), "-R", strconv.FormatFloat(rate, 'f', 1, 64), "-M", "prepared",
		"-l", "--log-prefix", prefix, dbURL).CombinedOutput()
	if err != nil {
		r.Error = fmt.Sprintf("pgbench -R: %v: %s", err, truncate(string(bytes.TrimSpace(out)), 500))
		return r
	}
	if m := tpsLine.FindSubmatch(out); m != nil {
		r.TPS, _ = strconv.ParseFloat(string(m[1]), 64)
	}
	logs, _ := filepath.Glob(prefix + ".*")
	var lat []time.Duration
	for _, f := range logs {
		b, err := os.ReadFile(f)
		if err != nil {
			r.Error = err.Error()
			return r
		}
		lat = append(lat, pgbenchLatencies(b)...)
	}
	if len(lat) == 0 {
		r.Error = "pgbench -R wrote no transaction log"
		return r
	}
	slices.Sort(lat)
	r.Requests = len(lat)
	r.P50, r.P95, r.P99, r.Max = percentile(lat, 0.50), percentile(lat, 0.95), percentile(lat, 0.99), percentile(lat, 1)
	return r
}

// pgbenchLatencies reads pgbench's per-transaction log ("client_id
// transaction_no time script_no time_epoch time_us schedule_lag", times
// in µs): each transaction's time plus its schedule lag.
func pgbenchLatencies(log []byte) []time.Duration {
	var out []time.Duration
	for line := range bytes.Lines(log) {
		f := strings.Fields(string(line))
		if len(f) < 7 {
			continue
		}
		us, err1 := strconv.ParseInt(f[2], 10, 64)
		lag, err2 := strconv.ParseInt(f[6], 10, 64)
		if err1 != nil || err2 != nil {
			continue // "skipped" (only with --latency-limit)
		}
		out = append(out, time.Duration(us+lag)*time.Microsecond)
	}
	return out
}

// timeline is an open-loop phase request by request: where its slow
// answers fall in time, to line them up with the database's log, a sampler
// of pg_stat_activity or the kernel's counters. A nil timeline keeps
// nothing.
type timeline struct {
	start time.Time
	due   []time.Duration // offset from start at which the request was due
	lat   []time.Duration
}

func (t *timeline) add(due, lat time.Duration) {
	if t != nil {
		t.due = append(t.due, due)
		t.lat = append(t.lat, lat)
	}
}

// write saves the timeline as text: a first line "# start <Unix µs>",
// then "<due ms> <latency ms>" a request, in the order answers came.
func (t *timeline) write(path string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# start %d\n", t.start.UnixMicro())
	for i := range t.due {
		fmt.Fprintf(&b, "%.3f %.3f\n", ms(t.due[i]), ms(t.lat[i]))
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
