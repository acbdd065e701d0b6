package jobs

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestQuietHandler: repeated errors (a producer failing every poll while
// the database is down) are written once per interval with a count of the
// held-back ones; other messages and info lines are not held back.
func TestQuietHandler(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(quiet(slog.NewTextHandler(&buf, nil), 50*time.Millisecond)).With("component", "producer")
	for range 100 {
		log.Error("producer: Error fetching jobs", "queue", "notify")
	}
	log.Error("another error")
	log.Info("started")
	log.Info("started")
	time.Sleep(60 * time.Millisecond)
	log.Error("producer: Error fetching jobs", "queue", "money")
	out := buf.String()
	if n := strings.Count(out, "Error fetching jobs"); n != 2 {
		t.Errorf("%d fetch errors written, want 2:\n%s", n, out)
	}
	if !strings.Contains(out, "suppressed=99") || strings.Count(out, "another error") != 1 || strings.Count(out, "started") != 2 {
		t.Errorf("log:\n%s", out)
	}
}
