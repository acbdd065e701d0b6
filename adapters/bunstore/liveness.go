package bunstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/uptrace/bun"
)

// liveness names this process in the idempotency claims it holds and tells
// whether the process behind another claim still runs (ADR 0011), so that a
// retry takes over the claim of a crashed process at once instead of after
// a lease.
//
// On PostgreSQL the process holds a session-level advisory lock on its own
// id over one dedicated idle connection. When the process dies the kernel
// closes the socket, the server ends the session and the lock is gone: a
// claim whose holder's lock is not in pg_locks belongs to a dead process.
// A dead host is noticed by TCP keepalives (set short on that session).
//
// On SQLite, where processes share a file and not a server, the process
// holds an exclusive flock on a file named by its id in a directory beside
// the database (wallet.db-holders/); the kernel drops the lock when the
// process dies, and a claim whose holder's file is not locked is dead.
type liveness struct {
	dialect Dialect
	dsn     string // PostgreSQL only
	holders string // SQLite only: the directory of the holders' lock files
	file    *os.File

	id atomic.Pointer[string] // "pg:<n>" or "sqlite:<hex>"; nil until the first claim

	mu     sync.Mutex
	key    int32 // PostgreSQL: the second advisory key, n
	pool   *sql.DB
	conn   *sql.Conn
	stop   chan struct{}
	closed bool
}

// livenessNS is the first key of the (int4, int4) advisory locks that name
// processes ("WALL"), so they never meet the migration lock.
const livenessNS = 0x57414c4c

// newLiveness prepares the process's name; it takes its lock when the
// process first claims a key (the CLI commands never do). dsn is the
// PostgreSQL DSN, or the SQLite file's path.
func newLiveness(dialect Dialect, dsn string) *liveness {
	l := &liveness{dialect: dialect, stop: make(chan struct{})}
	if dialect == Postgres {
		l.dsn = dsn
	} else {
		l.holders = dsn + "-holders"
	}
	return l
}

// self returns this process's holder id. On PostgreSQL the first call opens
// the dedicated session and takes its lock; later calls cost nothing.
func (l *liveness) self(ctx context.Context) (string, error) {
	if id := l.id.Load(); id != nil {
		return *id, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if id := l.id.Load(); id != nil {
		return *id, nil
	}
	if l.closed {
		return "", errors.New("bunstore: store closed")
	}
	if l.dialect != Postgres {
		return l.lockFile()
	}
	if l.dsn == "" {
		// Behind a transaction pooler with no direct connection: no lock
		// can name this process, so its claims carry no holder and keep
		// the fixed lease (ADR 0014).
		none := ""
		l.id.Store(&none)
		return none, nil
	}
	if err := l.lockLocked(ctx); err != nil {
		return "", fmt.Errorf("take the process's liveness lock: %w", err)
	}
	go l.keep()
	return *l.id.Load(), nil
}

// lockLocked opens the dedicated session and takes the advisory lock on a
// random key (another on the rare collision with a live process).
func (l *liveness) lockLocked(ctx context.Context) error {
	if l.pool == nil {
		pool, err := sql.Open("pgx", l.dsn)
		if err != nil {
			return err
		}
		pool.SetMaxOpenConns(1)
		l.pool = pool
	}
	conn, err := l.pool.Conn(ctx)
	if err != nil {
		return err
	}
	// Server-side keepalives of this session: a host that vanishes without
	// closing the socket releases its claims in about 10 s. (No effect
	// over a Unix socket, where the peer cannot vanish that way.)
	if _, err := conn.ExecContext(ctx, "SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3"); err != nil {
		_ = conn.Close()
		return err
	}
	for range 8 {
		key := l.key
		if key == 0 {
			key = randomKey()
		}
		var got bool
		if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1::int4, $2::int4)", int32(livenessNS), key).Scan(&got); err != nil {
			_ = conn.Close()
			return err
		}
		if got {
			id := "pg:" + strconv.Itoa(int(key))
			l.key, l.conn = key, conn
			l.id.Store(&id)
			return nil
		}
		l.key = 0 // a live process has this key: draw another
	}
	_ = conn.Close()
	return errors.New("no free liveness key")
}

// lockFile creates and locks this process's file among the SQLite
// holders.
func (l *liveness) lockFile() (string, error) {
	var b [8]byte
	_, _ = rand.Read(b[:])
	name := hex.EncodeToString(b[:])
	if err := os.MkdirAll(l.holders, 0o700); err != nil {
		return "", err
	}
	f, err := os.OpenFile(filepath.Join(l.holders, name), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return "", err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		return "", fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	l.file = f
	id := "sqlite:" + name
	l.id.Store(&id)
	return id, nil
}

// fileAlive tries the lock of holder's file: taken means its process runs.
// A dead holder's file is removed.
func (l *liveness) fileAlive(holder string) (bool, error) {
	name, ok := strings.CutPrefix(holder, "sqlite:")
	if _, err := hex.DecodeString(name); !ok || err != nil || name == "" {
		return false, nil // not an SQLite process's id
	}
	f, err := os.Open(filepath.Join(l.holders, name))
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	_ = os.Remove(f.Name())
	return false, nil
}

func randomKey() int32 {
	var b [4]byte
	for {
		_, _ = rand.Read(b[:])
		if k := int32(binary.BigEndian.Uint32(b[:]) & 0x7fffffff); k != 0 {
			return k
		}
	}
}

// keep checks the session every second and takes the lock again on a new
// session when it broke (the database restarted): until then other
// processes see this one's claims as dead, which only the database's own
// outage can cause, and during which this process's requests fail anyway.
func (l *liveness) keep() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		l.mu.Lock()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		if l.conn == nil || l.conn.PingContext(ctx) != nil {
			if l.conn != nil {
				_ = l.conn.Close()
				l.conn = nil
			}
			_ = l.lockLocked(ctx) // keeps l.key when it is still free
		}
		cancel()
		l.mu.Unlock()
	}
}

// alive reports whether the process that wrote holder still runs; db is
// the caller's connection (a read of pg_locks, only when a retry meets an
// unfinished claim).
func (l *liveness) alive(ctx context.Context, db bun.IDB, holder string) (bool, error) {
	if holder == "" {
		return false, nil
	}
	if id := l.id.Load(); id != nil && holder == *id {
		return true, nil
	}
	if l.dialect != Postgres {
		return l.fileAlive(holder)
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(holder, "pg:"), 10, 32)
	if err != nil || !strings.HasPrefix(holder, "pg:") {
		return false, nil // not a PostgreSQL process's id: nobody holds it here
	}
	var held bool
	err = db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND classid = ?::int4::oid AND objid = ?::int4::oid AND objsubid = 2)`, int32(livenessNS), int32(n)).Scan(&held)
	return held, err
}

// close ends the session (and so the lock): the process's claims are dead.
func (l *liveness) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	l.closed = true
	close(l.stop)
	if l.conn != nil {
		_ = l.conn.Close()
	}
	if l.pool != nil {
		_ = l.pool.Close()
	}
	if l.file != nil {
		_ = os.Remove(l.file.Name())
		_ = l.file.Close()
	}
}
