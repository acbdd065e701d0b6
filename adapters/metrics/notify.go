package metrics

import (
	"context"
	"errors"

	"github.com/dompet/wallet/app"
)

// WhatsApp counts the sends of s by outcome.
func (m *Metrics) WhatsApp(s app.WhatsAppSender) app.WhatsAppSender {
	if s == nil {
		return nil
	}
	return whatsAppSender{next: s, m: m}
}

// Text counts the sends of s (SMS, or the console standing in for it).
func (m *Metrics) Text(s app.TextSender) app.TextSender {
	if s == nil {
		return nil
	}
	return textSender{next: s, m: m}
}

type whatsAppSender struct {
	next app.WhatsAppSender
	m    *Metrics
}

func (s whatsAppSender) SendWhatsApp(ctx context.Context, n app.Notification) (string, error) {
	id, err := s.next.SendWhatsApp(ctx, n)
	s.m.sent(app.ChannelWhatsApp, err)
	return id, err
}

type textSender struct {
	next app.TextSender
	m    *Metrics
}

func (s textSender) SendText(ctx context.Context, n app.Notification) (string, error) {
	id, err := s.next.SendText(ctx, n)
	s.m.sent(app.ChannelSMS, err)
	return id, err
}

func (m *Metrics) sent(ch app.Channel, err error) {
	outcome := "sent"
	switch {
	case errors.Is(err, app.ErrUndeliverable):
		outcome = "undeliverable"
	case err != nil:
		outcome = "error"
	}
	m.notifications.WithLabelValues(string(ch), outcome).Inc()
}

// SenderName passes the wrapped sender's name to the delivery log.
func (s whatsAppSender) SenderName() string { return app.SenderNameOf(s.next) }

// SenderName passes the wrapped sender's name to the delivery log.
func (s textSender) SenderName() string { return app.SenderNameOf(s.next) }
