package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/fault"
)

// Channel is a delivery channel.
type Channel string

// Channels. The console adapter stands in for SMS in local runs.
const (
	ChannelWhatsApp Channel = "whatsapp"
	ChannelSMS      Channel = "sms"
)

// DeliveryMode is the WALLET_NOTIFIER setting.
type DeliveryMode string

// Delivery modes.
const (
	ModeConsole        DeliveryMode = "console"
	ModeWhatsApp       DeliveryMode = "whatsapp"
	ModeSMS            DeliveryMode = "sms"
	ModeWhatsAppAndSMS DeliveryMode = "whatsapp+sms"
)

// ParseDeliveryMode validates WALLET_NOTIFIER.
func ParseDeliveryMode(s string) (DeliveryMode, error) {
	switch m := DeliveryMode(s); m {
	case ModeConsole, ModeWhatsApp, ModeSMS, ModeWhatsAppAndSMS:
		return m, nil
	case "":
		return ModeConsole, nil
	}
	return "", fmt.Errorf("unknown notifier %q (want console, whatsapp, sms or whatsapp+sms)", s)
}

func (m DeliveryMode) firstChannel() Channel {
	if m == ModeWhatsApp || m == ModeWhatsAppAndSMS {
		return ChannelWhatsApp
	}
	return ChannelSMS
}

// NotificationState is where a notification is in its delivery.
type NotificationState string

// Notification states.
const (
	NotificationQueued    NotificationState = "QUEUED"   // waiting for its first send
	NotificationAwaiting  NotificationState = "AWAITING" // WhatsApp accepted it; waiting for a delivery status
	NotificationFallback  NotificationState = "FALLBACK" // WhatsApp could not deliver; SMS queued
	NotificationSent      NotificationState = "SENT"     // handed to the final channel
	NotificationDelivered NotificationState = "DELIVERED"
	NotificationFailed    NotificationState = "FAILED"  // no channel can deliver it
	NotificationExpired   NotificationState = "EXPIRED" // its OTP expired before any channel took it
)

// ErrNotificationNotFound is returned by NotificationStore lookups.
var ErrNotificationNotFound = fault.New(fault.NotFound, "notification not found")

// NotificationRecord is the outbox row of one notification. The message is
// sealed: it contains an OTP in clear, which must not sit readable at rest.
type NotificationRecord struct {
	ID      string
	To      customer.MobileNumber
	Sealed  []byte
	State   NotificationState
	Channel Channel // the channel of the last send
	// ProviderID is the WhatsApp message id (wamid), the key of delivery
	// statuses. SMS gateway ids are only logged: gateways report nothing back.
	ProviderID string
	ExpiresAt  time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// NotificationStore is the notification outbox.
type NotificationStore interface {
	// Add stores a new record.
	Add(ctx context.Context, rec *NotificationRecord) error
	// Get returns the record or ErrNotificationNotFound; forUpdate locks it
	// for the transaction.
	Get(ctx context.Context, id string, forUpdate bool) (*NotificationRecord, error)
	// ByProviderID finds the record a provider's message id belongs to, or
	// ErrNotificationNotFound.
	ByProviderID(ctx context.Context, providerID string) (*NotificationRecord, error)
	// Update saves state, channel and provider id.
	Update(ctx context.Context, rec *NotificationRecord) error
}

// JobQueue schedules durable background work in the caller's transaction:
// jobs of a rolled back transaction never run, jobs of a committed one are
// never lost.
type JobQueue interface {
	// SendNotification schedules a send of a stored notification.
	SendNotification(ctx context.Context, id string, ch Channel) error
	// CheckDelivery schedules the WhatsApp delivery check at at.
	CheckDelivery(ctx context.Context, id string, at time.Time) error
	// CheckKYC schedules the e-KYC check of a submission.
	CheckKYC(ctx context.Context, customerID, submissionID string) error
	// SettleBankTransfer schedules the settlement job of a transfer at at.
	SettleBankTransfer(ctx context.Context, reffID string, at time.Time) error
	// ExpireCashOut schedules the release of an unredeemed cash-out at at.
	ExpireCashOut(ctx context.Context, reffID string, at time.Time) error
	// DeliverEvent schedules the webhook delivery of a partner event.
	DeliverEvent(ctx context.Context, id string) error
}

type sealedMessage struct {
	Text string `json:"t"`
	OTP  string `json:"o,omitempty"`
}

func (a *App) enqueueNotification(ctx context.Context, r Repos, n Notification, expiresAt time.Time) error {
	plain, err := json.Marshal(sealedMessage{Text: n.Text, OTP: n.OTP})
	if err != nil {
		return err
	}
	sealed, err := a.box.Seal(plain)
	if err != nil {
		return err
	}
	now := a.now()
	ch := a.cfg.Delivery.Mode.firstChannel()
	rec := &NotificationRecord{ID: n.ID, To: n.To, Sealed: sealed, State: NotificationQueued, Channel: ch,
		ExpiresAt: expiresAt, CreatedAt: now, UpdatedAt: now}
	if err := r.Notifications.Add(ctx, rec); err != nil {
		return err
	}
	return r.Jobs.SendNotification(ctx, n.ID, ch)
}

// DeliveryConfig configures the courier.
type DeliveryConfig struct {
	Mode DeliveryMode
	// FallbackAfter is how long a WhatsApp message may go without a
	// delivered or read status before the SMS fallback is sent.
	FallbackAfter time.Duration
}

// Courier delivers queued notifications. It runs in job workers and the
// WhatsApp webhook, never inside a request.
type Courier struct {
	uow   UnitOfWork
	box   SecretBox
	clock Clock
	wa    WhatsAppSender
	sms   TextSender
	cfg   DeliveryConfig
	log   *slog.Logger
	obs   Observer
}

// NewCourier wires a courier. wa may be nil unless the mode uses WhatsApp;
// obs may be nil.
func NewCourier(uow UnitOfWork, box SecretBox, clock Clock, wa WhatsAppSender, sms TextSender, cfg Config, log *slog.Logger, obs Observer) *Courier {
	return &Courier{uow: uow, box: box, clock: clock, wa: wa, sms: sms, cfg: cfg.Delivery, log: log, obs: observerOrNop(obs)}
}

// Send delivers notification id on channel ch. A nil error means the job is
// finished (sent, handed to the fallback, failed for good, or a duplicate);
// any other error is transient and the job must be retried.
func (c *Courier) Send(ctx context.Context, id string, ch Channel) error {
	var rec *NotificationRecord
	err := c.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		var err error
		rec, err = r.Notifications.Get(ctx, id, false)
		return err
	})
	if errors.Is(err, ErrNotificationNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !sendable(rec, ch) {
		return nil // a duplicate job: someone already moved it on
	}
	if !c.clock.Now().Before(rec.ExpiresAt) {
		c.log.WarnContext(ctx, "notification expired before delivery", "notification", id, "to", rec.To.Masked())
		return c.transition(ctx, id, rec.State, func(rec *NotificationRecord, _ Repos) error {
			rec.State = NotificationExpired
			return nil
		})
	}
	plain, err := c.box.Open(rec.Sealed)
	if err != nil {
		return fmt.Errorf("open notification %s: %w", id, err)
	}
	var msg sealedMessage
	if err := json.Unmarshal(plain, &msg); err != nil {
		return fmt.Errorf("decode notification %s: %w", id, err)
	}
	n := Notification{ID: id, To: rec.To, Text: msg.Text, OTP: msg.OTP}

	var providerID string
	if ch == ChannelWhatsApp {
		providerID, err = c.wa.SendWhatsApp(ctx, n)
	} else {
		providerID, err = c.sms.SendText(ctx, n)
	}
	undeliverable := errors.Is(err, ErrUndeliverable)
	if err != nil && !undeliverable {
		c.log.WarnContext(ctx, "notification send failed, will retry", "notification", id, "channel", ch, "err", err)
		return err
	}
	if providerID != "" {
		var sender any = c.sms
		if ch == ChannelWhatsApp {
			sender = c.wa
		}
		via := string(ch)
		if n, ok := sender.(NamedSender); ok && n.SenderName() != "" {
			via = n.SenderName()
		}
		c.log.InfoContext(ctx, "notification sent", "notification", id, "channel", via, "provider_id", providerID)
	}
	return c.transition(ctx, id, rec.State, func(rec *NotificationRecord, r Repos) error {
		rec.Channel = ch
		if ch == ChannelWhatsApp {
			rec.ProviderID = providerID
		}
		switch {
		case undeliverable && ch == ChannelWhatsApp && c.cfg.Mode == ModeWhatsAppAndSMS:
			rec.State = NotificationFallback
			return r.Jobs.SendNotification(ctx, id, ChannelSMS)
		case undeliverable:
			c.log.ErrorContext(ctx, "notification undeliverable", "notification", id, "channel", ch, "to", rec.To.Masked())
			rec.State = NotificationFailed
		case ch == ChannelWhatsApp && c.cfg.Mode == ModeWhatsAppAndSMS:
			rec.State = NotificationAwaiting
			return r.Jobs.CheckDelivery(ctx, id, c.clock.Now().Add(c.cfg.FallbackAfter))
		default:
			rec.State = NotificationSent
		}
		return nil
	})
}

func sendable(rec *NotificationRecord, ch Channel) bool {
	switch rec.State {
	case NotificationQueued:
		return rec.Channel == ch
	case NotificationFallback:
		return ch == ChannelSMS
	}
	return false
}

// transition applies fn to the locked record if it is still in state from.
// A committed move to FALLBACK is reported to the observer.
func (c *Courier) transition(ctx context.Context, id string, from NotificationState, fn func(*NotificationRecord, Repos) error) error {
	var to NotificationState
	err := c.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		to = from
		rec, err := r.Notifications.Get(ctx, id, true)
		if err != nil {
			return err
		}
		if rec.State != from {
			return nil
		}
		if err := fn(rec, r); err != nil {
			return err
		}
		to = rec.State
		rec.UpdatedAt = c.clock.Now()
		return r.Notifications.Update(ctx, rec)
	})
	if err == nil && to == NotificationFallback && from != NotificationFallback {
		c.obs.FellBack(ChannelWhatsApp, ChannelSMS)
	}
	return err
}

// CheckDelivery falls back to SMS when a WhatsApp message is still without
// a delivery status.
func (c *Courier) CheckDelivery(ctx context.Context, id string) error {
	err := c.transition(ctx, id, NotificationAwaiting, func(rec *NotificationRecord, r Repos) error {
		c.log.InfoContext(ctx, "no WhatsApp delivery status in time, falling back to SMS", "notification", id)
		rec.State = NotificationFallback
		return r.Jobs.SendNotification(ctx, id, ChannelSMS)
	})
	if errors.Is(err, ErrNotificationNotFound) {
		return nil
	}
	return err
}

// WhatsAppStatus is one delivery status from the WhatsApp webhook.
type WhatsAppStatus struct {
	ProviderID    string
	Status        string // sent, delivered, read, failed
	Undeliverable bool
	At            time.Time
}

// ErrStatusTooEarly is returned when a recent status names a message whose
// send has not been recorded yet: the webhook can overtake the API's answer
// to our send. The webhook answers 503 so that Meta delivers it again.
var ErrStatusTooEarly = fault.New(fault.Unavailable, "status for a message not recorded yet")

// earlyStatusWindow bounds how long an unknown message id is worth waiting
// for; older statuses for unknown ids are not ours (or were lost) and are
// dropped.
const earlyStatusWindow = 10 * time.Minute

// WhatsAppStatuses applies delivery statuses: delivered or read ends the
// delivery; an undeliverable failure (error 131026: not a WhatsApp user)
// falls back to SMS when the mode allows it.
func (c *Courier) WhatsAppStatuses(ctx context.Context, statuses []WhatsAppStatus) error {
	early := false
	for _, st := range statuses {
		if st.ProviderID == "" {
			continue
		}
		var id string
		err := c.uow.Do(ctx, func(ctx context.Context, r Repos) error {
			rec, err := r.Notifications.ByProviderID(ctx, st.ProviderID)
			if err == nil {
				id = rec.ID
			}
			return err
		})
		if errors.Is(err, ErrNotificationNotFound) {
			if c.clock.Now().Sub(st.At) < earlyStatusWindow {
				early = true
			}
			continue
		}
		if err != nil {
			return err
		}
		err = c.transition(ctx, id, NotificationAwaiting, func(rec *NotificationRecord, r Repos) error {
			switch {
			case st.Status == "delivered" || st.Status == "read":
				rec.State = NotificationDelivered
			case st.Undeliverable && c.cfg.Mode == ModeWhatsAppAndSMS:
				rec.State = NotificationFallback
				return r.Jobs.SendNotification(ctx, id, ChannelSMS)
			case st.Undeliverable:
				rec.State = NotificationFailed
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if early {
		return ErrStatusTooEarly
	}
	return nil
}
