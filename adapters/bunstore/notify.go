package bunstore

import (
	"context"
	"strings"
	"sync"
	"time"
)

// eventNotes collects the customers of the partner events one unit of work
// writes, to be notified after it commits.
type eventNotes struct{ ids []string }

func (n *eventNotes) add(ids ...string) {
	if n == nil {
		return
	}
	for _, id := range ids {
		if id != "" {
			n.ids = append(n.ids, id)
		}
	}
}

// notifier sends "e <customer>…" on the change channel after commits
// (ADR 0013), batching the customers of every commit since its last send.
// Not a trigger, unlike partner and session changes: PostgreSQL serialises
// the commits of transactions that NOTIFY (a global lock held through the
// commit's WAL flush), which cut a money movement's throughput four-fold
// at 8 clients. Sent outside the money transaction, a NOTIFY holds that
// lock only for its own short, WAL-less commit, and one NOTIFY carries the
// customers of many commits under load. A process dying between a commit
// and its notification leaves other processes' subscribers of that
// customer to their next wakeup (another event, a listener reconnection).
type notifier struct {
	db      *DB
	mu      sync.Mutex
	pending map[string]struct{}
	wake    chan struct{}
	start   sync.Once
	done    chan struct{}
}

// maxPayload keeps a notification under PostgreSQL's 8000-byte limit.
const maxPayload = 7900

func newNotifier(db *DB) *notifier {
	return &notifier{db: db, pending: map[string]struct{}{}, wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// send queues customer ids; it never blocks the caller on the database.
func (n *notifier) send(ids []string) {
	n.start.Do(func() { go n.loop() })
	n.mu.Lock()
	for _, id := range ids {
		n.pending[id] = struct{}{}
	}
	n.mu.Unlock()
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

func (n *notifier) stop() {
	select {
	case <-n.done:
	default:
		close(n.done)
	}
}

// notifyEvery spaces the notifications of one process: each is a commit
// that takes PostgreSQL's global notify lock, so under load one per
// payment would cost the payments themselves; a short window gathers many
// customers into one (ADR 0013), at the price of that much latency.
const notifyEvery = 10 * time.Millisecond

func (n *notifier) loop() {
	var last time.Time
	for {
		select {
		case <-n.done:
			return
		case <-n.wake:
		}
		if wait := notifyEvery - time.Since(last); wait > 0 {
			select {
			case <-n.done:
				return
			case <-time.After(wait):
			}
		}
		last = time.Now()
		n.mu.Lock()
		ids := make([]string, 0, len(n.pending))
		for id := range n.pending {
			ids = append(ids, id)
		}
		clear(n.pending)
		n.mu.Unlock()
		for _, payload := range payloads(ids) {
			// A failed send is retried a few times; after that the
			// subscribers wait for their next wakeup.
			for attempt := 0; attempt < 3; attempt++ {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				_, err := n.db.Bun.ExecContext(ctx, "SELECT pg_notify('wallet:' || current_schema(), ?)", payload)
				cancel()
				if err == nil {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
	}
}

// payloads packs ids into "e id id …" notifications under maxPayload.
func payloads(ids []string) []string {
	var out []string
	var b strings.Builder
	for _, id := range ids {
		if b.Len() > 0 && b.Len()+1+len(id) > maxPayload {
			out = append(out, b.String())
			b.Reset()
		}
		if b.Len() == 0 {
			b.WriteString("e")
		}
		b.WriteString(" ")
		b.WriteString(id)
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}
