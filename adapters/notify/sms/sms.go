// Package sms sends text messages through an HTTP SMS gateway.
//
// Gateways differ, so this package defines the contract a gateway (or a thin
// proxy in front of one) must speak:
//
//	POST {URL}
//	Authorization: Bearer {APIKey}
//	Content-Type: application/json
//	Idempotency-Key: {notification id}
//
//	{"to": "6281234567890", "from": "{SenderID}", "text": "...", "reference": "{notification id}"}
//
// "to" is the canonical number: country code 62, no plus sign. A gateway
// that honours Idempotency-Key must not send or charge twice for a repeated
// key, because the caller retries after timeouts it cannot tell apart from
// lost responses.
//
// Responses:
//
//   - 2xx: accepted. The body is empty or {"messageId": "..."}; anything else
//     is treated as a transient failure, since it usually comes from a proxy
//     rather than the gateway.
//   - 400, 422: the gateway rejects this message or number. The error wraps
//     app.ErrUndeliverable and the caller should not retry on SMS.
//   - 401, 403: our credentials or sender id are wrong. Transient, so the
//     message is kept and goes out once an operator fixes the configuration.
//   - 429, 5xx, any other status, network errors: transient.
//
// Error bodies are not read into errors: gateways tend to quote the request,
// which holds the message text.
package sms

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/dompet/wallet/app"
)

// Config configures a Sender.
type Config struct {
	URL        string
	APIKey     string
	SenderID   string       // alphanumeric sender id or short code, sent as "from"
	HTTPClient *http.Client // default: 10s timeout
}

// Sender is an SMS gateway client. It is safe for concurrent use.
type Sender struct {
	cfg Config
}

var _ app.TextSender = (*Sender)(nil)

const maxResponse = 1 << 20

// New returns a Sender for cfg.
func New(cfg Config) *Sender {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	return &Sender{cfg: cfg}
}

type request struct {
	To        string `json:"to"`
	From      string `json:"from"`
	Text      string `json:"text"`
	Reference string `json:"reference"`
}

// SendText sends n.Text to n.To and returns the gateway's message id, which
// is empty when the gateway does not report one.
func (s *Sender) SendText(ctx context.Context, n app.Notification) (string, error) {
	body, err := json.Marshal(request{To: string(n.To), From: s.cfg.SenderID, Text: n.Text, Reference: n.ID})
	if err != nil {
		return "", fmt.Errorf("sms: encode message %s: %w", n.ID, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("sms: build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+s.cfg.APIKey)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Idempotency-Key", n.ID)

	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("sms: send message %s: %w", n.ID, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return "", fmt.Errorf("sms: send message %s: read response: %w", n.ID, err)
	}

	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		if len(bytes.TrimSpace(raw)) == 0 {
			return "", nil
		}
		var r struct {
			MessageID string `json:"messageId"`
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			return "", fmt.Errorf("sms: send message %s: HTTP %d with a body that is not JSON", n.ID, resp.StatusCode)
		}
		return r.MessageID, nil
	case resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusUnprocessableEntity:
		return "", fmt.Errorf("%w: sms: send message %s: HTTP %d", app.ErrUndeliverable, n.ID, resp.StatusCode)
	default:
		return "", fmt.Errorf("sms: send message %s: HTTP %d", n.ID, resp.StatusCode)
	}
}
