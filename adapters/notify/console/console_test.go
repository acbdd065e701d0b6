package console_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/dompet/wallet/adapters/notify/console"
	"github.com/dompet/wallet/app"
)

func TestSend(t *testing.T) {
	t.Parallel()
	type send func(*console.Sender, context.Context, app.Notification) (string, error)
	tests := []struct {
		name string
		send send
		n    app.Notification
	}{
		{"text", (*console.Sender).SendText, app.Notification{ID: "n1", To: "6281234567890", Text: "Top up Rp50.000 berhasil."}},
		{"whatsapp otp", (*console.Sender).SendWhatsApp, app.Notification{ID: "n2", To: "6285712345678", Text: "Kode OTP Anda 482913", OTP: "482913"}},
		{"text with quotes and newline", (*console.Sender).SendText, app.Notification{ID: "n3", To: "6281234567890", Text: "Halo \"Budi\"\nsaldo Rp0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			id, err := tt.send(console.New(&buf), context.Background(), tt.n)
			if err != nil {
				t.Fatalf("send: %v", err)
			}
			if id != "console-"+tt.n.ID {
				t.Errorf("id = %q, want console-%s", id, tt.n.ID)
			}
			if bytes.Count(buf.Bytes(), []byte("\n")) != 1 {
				t.Fatalf("want exactly one line, got %q", buf.String())
			}
			var line map[string]any
			if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
				t.Fatalf("line is not JSON: %v: %s", err, buf.Bytes())
			}
			want := map[string]string{
				"level":   "INFO",
				"msg":     "notification",
				"channel": "console",
				"id":      tt.n.ID,
				"to":      string(tt.n.To),
				"text":    tt.n.Text,
			}
			if tt.n.OTP != "" {
				want["otp"] = tt.n.OTP
			}
			for k, v := range want {
				if line[k] != v {
					t.Errorf("%s = %#v, want %q", k, line[k], v)
				}
			}
			if _, ok := line["otp"]; ok && tt.n.OTP == "" {
				t.Errorf("otp present without an OTP: %s", buf.Bytes())
			}
			if _, ok := line["time"].(string); !ok {
				t.Errorf("time missing: %s", buf.Bytes())
			}
		})
	}
}

func TestSendConcurrent(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	s := console.New(&buf)
	const n = 50
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			note := app.Notification{ID: fmt.Sprint(i), To: "6281234567890", Text: "pesan"}
			var err error
			if i%2 == 0 {
				_, err = s.SendText(context.Background(), note)
			} else {
				_, err = s.SendWhatsApp(context.Background(), note)
			}
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	sc := bufio.NewScanner(&buf)
	for sc.Scan() {
		var line struct{ ID string }
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("interleaved output: %v: %s", err, sc.Bytes())
		}
		seen[line.ID] = true
	}
	if len(seen) != n {
		t.Errorf("got %d distinct lines, want %d", len(seen), n)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestSendWriteError(t *testing.T) {
	t.Parallel()
	_, err := console.New(failingWriter{}).SendText(context.Background(), app.Notification{ID: "n1", To: "6281234567890", Text: "x"})
	if err == nil {
		t.Fatal("want the write error")
	}
}
