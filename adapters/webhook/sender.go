// Package webhook posts signed partner events over HTTP.
package webhook

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/google/wire"

	"github.com/dompet/wallet/app"
)

// Sender is the HTTP client for partner webhooks.
type Sender struct {
	client *http.Client
}

var _ app.WebhookSender = (*Sender)(nil)

// ProviderSet binds the sender to the port.
var ProviderSet = wire.NewSet(NewSender, wire.Bind(new(app.WebhookSender), new(*Sender)))

// NewSender returns a sender with a short timeout, so that a slow partner
// holds a worker for seconds, not minutes; redirects are not followed (a
// signature covers one URL).
func NewSender() *Sender { return NewSenderWithTimeout(10 * time.Second) }

// NewSenderWithTimeout returns a sender giving up on a partner after d.
func NewSenderWithTimeout(d time.Duration) *Sender {
	return &Sender{client: &http.Client{
		Timeout: d,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

// Post implements app.WebhookSender.
func (s *Sender) Post(ctx context.Context, url string, headers map[string]string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		var uerr interface{ Timeout() bool }
		if errors.As(err, &uerr) && uerr.Timeout() {
			return 0, errors.New("partner endpoint timed out")
		}
		return 0, errors.New("partner endpoint unreachable")
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}
