// Package pgnotify is the process's one PostgreSQL LISTEN connection
// (ADR 0013). The database's triggers NOTIFY "wallet:<schema>" when a
// partner changes and when a customer session is revoked, and the store
// (adapters/bunstore) after committing partner events; the listener turns each notification into
// calls: the application drops its cached partner, and the GraphQL
// subscriptions of the customer (or partner) concerned wake up and read.
// Subscribers never query on a timer while the listener is live, so the
// database load of live updates does not grow with their number.
//
// The listener needs a session-level connection: behind PgBouncer in
// transaction-pooling mode point it at PostgreSQL directly. When its
// connection is lost it wakes every subscriber on a polling interval and
// reconnects with backoff; after each (re)connection it asks for a resync
// (drop every cached partner, every subscriber reads) so that nothing
// notified while it was away is missed.
package pgnotify

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// Config tunes the listener.
type Config struct {
	// URL is a postgres:// URL with session semantics (not a PgBouncer
	// transaction pool). Its search_path selects the schema listened to.
	URL string
	// Poll is how often subscribers are woken while the listener is not
	// connected (default 1 s).
	Poll time.Duration
	// MinBackoff and MaxBackoff bound the wait between reconnection
	// attempts (defaults 100 ms and 5 s).
	MinBackoff, MaxBackoff time.Duration
	// Recheck is how often subscribers check their access token and
	// partner while the listener is not connected (default 30 s).
	Recheck time.Duration
	// Ping is how long the connection may stay silent before the listener
	// checks it with a query (default 30 s): a database host that vanished
	// without closing the TCP connection is found this way.
	Ping time.Duration
}

// Listener is the process's LISTEN connection and the fan-out of its
// notifications to the watchers (GraphQL subscriptions).
type Listener struct {
	cfg Config
	log *slog.Logger

	// onPartner runs for each changed partner, onResync after each
	// (re)connection; both are set before Run.
	onPartner []func(id string)
	onResync  []func()

	live      atomic.Bool
	connected atomic.Int64 // how many times a connection started listening

	mu         sync.Mutex
	byCustomer map[string]map[*watch]struct{}
	byPartner  map[string]map[*watch]struct{}
	all        map[*watch]struct{}
}

type watch struct {
	events chan struct{}
	auth   chan struct{}
}

// New returns a listener; Run starts it.
func New(cfg Config, log *slog.Logger) *Listener {
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 100 * time.Millisecond
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(5*time.Second, cfg.MinBackoff)
	}
	if cfg.Recheck <= 0 {
		cfg.Recheck = 30 * time.Second
	}
	if cfg.Ping <= 0 {
		cfg.Ping = 30 * time.Second
	}
	return &Listener{cfg: cfg, log: log, byCustomer: map[string]map[*watch]struct{}{},
		byPartner: map[string]map[*watch]struct{}{}, all: map[*watch]struct{}{}}
}

// OnPartner makes fn run for every partner changed by any process. Call
// before Run.
func (l *Listener) OnPartner(fn func(id string)) { l.onPartner = append(l.onPartner, fn) }

// OnResync makes fn run whenever notifications may have been missed: after
// every (re)connection. Call before Run.
func (l *Listener) OnResync(fn func()) { l.onResync = append(l.onResync, fn) }

// Live reports whether the listener is connected and listening.
func (l *Listener) Live() bool { return l.live.Load() }

// Connections counts the connections that started listening (tests wait
// for the first, or for a reconnection).
func (l *Listener) Connections() int64 { return l.connected.Load() }

// Watch registers a subscriber of customerID acting through partnerID.
// events receives (coalesced) when the customer may have new partner
// events; auth when the partner changed or one of the customer's sessions
// was revoked, so the subscriber checks it may go on. While the listener is
// not connected events is woken every Poll and auth every Recheck; both
// after every (re)connection. stop ends the watch.
func (l *Listener) Watch(partnerID, customerID string) (events, auth <-chan struct{}, stop func()) {
	w := &watch{events: make(chan struct{}, 1), auth: make(chan struct{}, 1)}
	l.mu.Lock()
	add(l.byCustomer, customerID, w)
	add(l.byPartner, partnerID, w)
	l.all[w] = struct{}{}
	l.mu.Unlock()
	var once sync.Once
	return w.events, w.auth, func() {
		once.Do(func() {
			l.mu.Lock()
			remove(l.byCustomer, customerID, w)
			remove(l.byPartner, partnerID, w)
			delete(l.all, w)
			l.mu.Unlock()
		})
	}
}

func add(m map[string]map[*watch]struct{}, key string, w *watch) {
	set := m[key]
	if set == nil {
		set = map[*watch]struct{}{}
		m[key] = set
	}
	set[w] = struct{}{}
}

func remove(m map[string]map[*watch]struct{}, key string, w *watch) {
	delete(m[key], w)
	if len(m[key]) == 0 {
		delete(m, key)
	}
}

// wake signals without blocking: a pending signal already means "read".
func wake(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// Run listens until ctx ends, reconnecting with backoff. It never returns
// an error: a lost database is logged at warn and waited for.
func (l *Listener) Run(ctx context.Context) {
	go l.pollWhileDown(ctx)
	backoff := l.cfg.MinBackoff
	for {
		started := time.Now()
		err := l.listen(ctx)
		l.live.Store(false)
		if ctx.Err() != nil {
			return
		}
		if time.Since(started) > l.cfg.MaxBackoff {
			backoff = l.cfg.MinBackoff // it was up for a while: a fresh outage
		}
		l.log.Warn("change listener disconnected; subscriptions poll and partner settings follow the cache TTL until it is back",
			"err", err, "retry_in", backoff.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, l.cfg.MaxBackoff)
	}
}

// pollWhileDown wakes every watcher each Poll while the listener is not
// live: subscriptions fall back to polling instead of going silent.
// Access tokens and partners are checked every Recheck only: a check costs
// a query per subscriber.
func (l *Listener) pollWhileDown(ctx context.Context) {
	t := time.NewTicker(l.cfg.Poll)
	defer t.Stop()
	var checked time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if l.live.Load() {
			checked = time.Time{}
			continue
		}
		if checked.IsZero() {
			checked = time.Now()
		}
		auth := time.Since(checked) >= l.cfg.Recheck
		if auth {
			checked = time.Now()
		}
		l.wakeAll(auth)
	}
}

func (l *Listener) wakeAll(auth bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for w := range l.all {
		wake(w.events)
		if auth {
			wake(w.auth)
		}
	}
}

// listen holds one connection until it fails or ctx ends.
func (l *Listener) listen(ctx context.Context) error {
	connectCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, err := pgx.Connect(connectCtx, l.cfg.URL)
	cancel()
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		_ = conn.Close(closeCtx) // the connection is being dropped anyway
	}()
	var schema string
	if err := conn.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return fmt.Errorf("current schema: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{Channel(schema)}.Sanitize()); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	// Listening from here on: whatever changed before is read now.
	l.live.Store(true)
	l.connected.Add(1)
	l.log.Info("change listener listening", "channel", Channel(schema))
	l.resync()
	for {
		waitCtx, cancel := context.WithTimeout(ctx, l.cfg.Ping)
		n, err := conn.WaitForNotification(waitCtx)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if waitCtx.Err() == nil {
				return err
			}
			// Silent for a while: make sure the database is still there.
			pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
			err = conn.Ping(pingCtx)
			cancel()
			if err != nil {
				return fmt.Errorf("ping: %w", err)
			}
			continue
		}
		l.dispatch(n.Payload)
	}
}

// Channel is the notification channel of a schema; the triggers of
// migration 20261204000030 and bunstore's event notifier notify on it.
func Channel(schema string) string { return "wallet:" + schema }

func (l *Listener) resync() {
	for _, fn := range l.onResync {
		fn()
	}
	l.wakeAll(true)
}

// dispatch routes one payload: "p <partner>", "e <customer>…" or
// "s <customer>".
func (l *Listener) dispatch(payload string) {
	kind, rest, _ := strings.Cut(payload, " ")
	ids := strings.Fields(rest)
	if len(ids) == 0 {
		return
	}
	switch kind {
	case "p":
		for _, fn := range l.onPartner {
			fn(ids[0])
		}
		l.wakeAuth(l.byPartner, ids[0])
	case "e":
		l.mu.Lock()
		for _, id := range ids {
			for w := range l.byCustomer[id] {
				wake(w.events)
			}
		}
		l.mu.Unlock()
	case "s":
		l.wakeAuth(l.byCustomer, ids[0])
	}
}

func (l *Listener) wakeAuth(m map[string]map[*watch]struct{}, id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for w := range m[id] {
		wake(w.auth)
	}
}
