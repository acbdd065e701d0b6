// Package console is a development notification channel: instead of sending
// anything it writes each notification as one JSON line.
package console

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/dompet/wallet/app"
)

// Sender writes notifications to a writer. It stands in for every channel
// and is safe for concurrent use.
type Sender struct {
	h slog.Handler
}

var (
	_ app.TextSender     = (*Sender)(nil)
	_ app.WhatsAppSender = (*Sender)(nil)
	_ app.NamedSender    = (*Sender)(nil)
)

// SenderName tells the delivery log that nothing left the machine.
func (s *Sender) SenderName() string { return "console" }

// New returns a Sender that writes to w.
func New(w io.Writer) *Sender {
	return &Sender{h: slog.NewJSONHandler(w, nil)}
}

// SendText writes n and returns "console-" + n.ID.
func (s *Sender) SendText(ctx context.Context, n app.Notification) (string, error) {
	return s.write(ctx, n)
}

// SendWhatsApp writes n and returns "console-" + n.ID.
func (s *Sender) SendWhatsApp(ctx context.Context, n app.Notification) (string, error) {
	return s.write(ctx, n)
}

func (s *Sender) write(ctx context.Context, n app.Notification) (string, error) {
	r := slog.NewRecord(time.Now(), slog.LevelInfo, "notification", 0)
	r.AddAttrs(
		slog.String("channel", "console"),
		slog.String("id", n.ID),
		slog.String("to", string(n.To)),
		slog.String("text", n.Text),
	)
	// A real WhatsApp channel sends only the code, so show it even when the
	// text does not contain it.
	if n.OTP != "" {
		r.AddAttrs(slog.String("otp", n.OTP))
	}
	// Calling the handler directly, unlike slog.Logger, reports write errors.
	if err := s.h.Handle(ctx, r); err != nil {
		return "", fmt.Errorf("console: write notification %s: %w", n.ID, err)
	}
	return "console-" + n.ID, nil
}
