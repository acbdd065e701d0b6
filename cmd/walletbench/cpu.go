package main

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// CPU accounting. Throughput moves with whatever else the machine runs;
// the CPU time each process spends per payment does not (much): it is what
// the work costs, and on a machine where the server, PostgreSQL and the
// load generator share the cores it is what sets the throughput. So every
// measured phase also records the CPU seconds of the wallet server
// (/proc/<pid>/stat), of the PostgreSQL backends connected to the benchmark
// database (summed over /proc, sampled) and of walletbench itself
// (getrusage), and divides them by the payments completed. pgbench's runs
// get the same accounting per transaction (its client from the child's
// rusage), so the two sides compare like for like.

// userHZ is the unit of utime/stime in /proc/<pid>/stat: USER_HZ, 100 on
// every Linux architecture Go supports.
const userHZ = 100

// cpuStats is the CPU a phase cost. Seconds are totals over the phase;
// the *Ms fields are milliseconds per completed payment (or pgbench
// transaction).
type cpuStats struct {
	Completed       int     `json:"completed"`
	ServerSeconds   float64 `json:"serverSeconds"`
	PostgresSeconds float64 `json:"postgresSeconds"`
	ClientSeconds   float64 `json:"clientSeconds"`
	ServerMs        float64 `json:"serverMsPerPayment"`
	PostgresMs      float64 `json:"postgresMsPerPayment"`
	ClientMs        float64 `json:"clientMsPerPayment"`
	TotalMs         float64 `json:"totalMsPerPayment"`
	// Backends counts the PostgreSQL processes of the benchmark database
	// seen during the phase.
	Backends int `json:"postgresBackends"`
	// WAL is what the phase wrote to PostgreSQL's log per payment.
	WAL *walStats `json:"wal,omitempty"`
}

func newCPUStats(completed int, server, pg, client time.Duration, backends int) *cpuStats {
	c := &cpuStats{Completed: completed, Backends: backends,
		ServerSeconds: round(server.Seconds(), 3), PostgresSeconds: round(pg.Seconds(), 3), ClientSeconds: round(client.Seconds(), 3)}
	if completed > 0 {
		per := func(d time.Duration) float64 {
			return round(ms(d)/float64(completed), 3)
		}
		c.ServerMs, c.PostgresMs, c.ClientMs = per(server), per(pg), per(client)
		c.TotalMs = round(c.ServerMs+c.PostgresMs+c.ClientMs, 3)
	}
	return c
}

// cpuMeter measures one phase: the server process (serverPID, 0 for
// none), the backends of the database at dbURL ("" for none: the store is
// inside the server), the WAL the cluster wrote, and this process.
type cpuMeter struct {
	serverPID int
	dbURL     string
}

// metered runs a phase and attaches what it cost.
func (m cpuMeter) metered(phase func() *phaseStats) *phaseStats {
	// Polled every 500 ms: the poll runs in this process, whose CPU is the
	// load generator's; pool connections live through the phase anyway.
	ctx := context.Background()
	pg := watchBackends(dbNameOf(m.dbURL), 500*time.Millisecond)
	wal0, walOK := readWAL(ctx, m.dbURL)
	server0, _ := procCPU(m.serverPID)
	self0 := selfCPU()
	s := phase()
	self := selfCPU() - self0
	server, _ := procCPU(m.serverPID)
	pgCPU, n := pg.stop()
	s.CPU = newCPUStats(s.Requests-s.Errors, server-server0, pgCPU, self, n)
	s.CPU.WAL = walSince(ctx, m.dbURL, wal0, walOK, s.CPU.Completed)
	return s
}

// selfCPU is this process's user + system time (walletbench: the load
// generator, plus its samplers and the server's log reader, all small).
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procCPU is utime + stime of a process (all its threads, exited ones
// included) from /proc/<pid>/stat.
func procCPU(pid int) (time.Duration, bool) {
	if pid <= 0 {
		return 0, false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// The command name (field 2) is in parentheses and may hold spaces;
	// fields count from after its closing one: state is field 3, utime 14.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 13 {
		return 0, false
	}
	ut, err1 := strconv.ParseInt(string(f[11]), 10, 64)
	st, err2 := strconv.ParseInt(string(f[12]), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(ut+st) * time.Second / userHZ, true
}

// backendWatch sums the CPU of the PostgreSQL backends of one database.
// A backend's command line is "postgres: <cluster>: <user> <db> <host>
// <state>" (update_process_title, on by default). Backends come and go (a
// pool opens one, pgbench opens its clients), so the watch polls: a backend
// present at the start counts from its CPU then, one that appears later
// counts from zero (its connection start-up is part of the work), and one
// that exits counts up to its last sample. It needs to read other users'
// /proc/<pid>/stat, which Linux allows; with PostgreSQL on another host it
// finds no backend and reports zero.
type backendWatch struct {
	db    string
	done  chan struct{}
	res   chan backendTotal
	first map[int]time.Duration // CPU when first seen (0 if born during the watch)
	last  map[int]time.Duration
	other map[int]bool // pids known not to be ours
	once  sync.Once
}

type backendTotal struct {
	cpu time.Duration
	n   int
}

func watchBackends(db string, every time.Duration) *backendWatch {
	w := &backendWatch{db: db, done: make(chan struct{}), res: make(chan backendTotal, 1),
		first: map[int]time.Duration{}, last: map[int]time.Duration{}, other: map[int]bool{}}
	if db == "" {
		w.res <- backendTotal{}
		return w
	}
	w.scan(true)
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-w.done:
				w.scan(false)
				var sum time.Duration
				for pid, c := range w.last {
					sum += c - w.first[pid]
				}
				w.res <- backendTotal{cpu: sum, n: len(w.last)}
				return
			case <-t.C:
				w.scan(false)
			}
		}
	}()
	return w
}

// stop ends the watch and returns the backends' CPU and their number.
// Call it once.
func (w *backendWatch) stop() (time.Duration, int) {
	if w.db != "" {
		close(w.done)
	}
	r := <-w.res
	return r.cpu, r.n
}

// scan reads every process once; only command lines of pids not seen
// before are read, so a poll costs a directory read and a stat per backend.
func (w *backendWatch) scan(initial bool) {
	d, err := os.Open("/proc")
	if err != nil {
		return
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	for _, name := range names {
		pid, err := strconv.Atoi(name)
		if err != nil || w.other[pid] {
			continue
		}
		if _, ours := w.last[pid]; !ours {
			ours, final := w.isBackend(pid)
			if !ours {
				w.other[pid] = final
				continue
			}
		}
		c, ok := procCPU(pid)
		if !ok {
			continue // exited: its last sample stands
		}
		if _, seen := w.first[pid]; !seen {
			if initial {
				w.first[pid] = c
			} else {
				w.first[pid] = 0
			}
		}
		w.last[pid] = c
	}
}

// isBackend tells whether pid is a backend of the database; final is
// false while the answer may still change: a child the postmaster has
// just forked shows the postmaster's command line until it sets its title.
func (w *backendWatch) isBackend(pid int) (ours, final bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return false, true
	}
	if !bytes.HasPrefix(b, []byte("postgres: ")) {
		return false, !bytes.Contains(b, []byte("postgres"))
	}
	// "postgres: 15/main: user db 127.0.0.1(1234) idle" (the cluster part
	// may be absent); the database name is unique to the run.
	for _, f := range bytes.FieldsFunc(b, func(r rune) bool { return r == ' ' || r == 0 }) {
		if string(f) == w.db {
			return true, true
		}
	}
	return false, true
}

// dbNameOf is the database a postgres:// URL names.
func dbNameOf(dbURL string) string {
	if dbURL == "" {
		return ""
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		return ""
	}
	return strings.Trim(u.Path, "/")
}
