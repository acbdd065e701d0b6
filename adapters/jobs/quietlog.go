package jobs

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// quietHandler passes River's warnings and errors through at most once per
// message per interval, adding how many it held back ("suppressed"). While
// the database is down every producer logs a failed fetch on every poll
// (five queues × 5 per second at the default 200 ms): an hour's outage
// would write 90 000 identical lines. Info and debug lines pass untouched.
type quietHandler struct {
	next  slog.Handler
	every time.Duration
	state *quietState
}

type quietState struct {
	mu      sync.Mutex
	last    map[string]time.Time
	dropped map[string]int
}

func quiet(next slog.Handler, every time.Duration) slog.Handler {
	return quietHandler{next: next, every: every, state: &quietState{last: map[string]time.Time{}, dropped: map[string]int{}}}
}

func (h quietHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h quietHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelWarn {
		return h.next.Handle(ctx, r)
	}
	s, now := h.state, time.Now()
	s.mu.Lock()
	if last, ok := s.last[r.Message]; ok && now.Sub(last) < h.every {
		s.dropped[r.Message]++
		s.mu.Unlock()
		return nil
	}
	n := s.dropped[r.Message]
	s.last[r.Message], s.dropped[r.Message] = now, 0
	s.mu.Unlock()
	if n > 0 {
		r = r.Clone()
		r.AddAttrs(slog.Int("suppressed", n))
	}
	return h.next.Handle(ctx, r)
}

func (h quietHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return quietHandler{next: h.next.WithAttrs(as), every: h.every, state: h.state}
}

func (h quietHandler) WithGroup(name string) slog.Handler {
	return quietHandler{next: h.next.WithGroup(name), every: h.every, state: h.state}
}
