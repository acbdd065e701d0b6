// Package whatsapp sends notifications through the WhatsApp Cloud API and
// reads its webhooks.
//
// One-time passwords go out as an authentication template (body parameter
// plus copy-code button); everything else as a plain text message, which
// Meta only delivers inside the 24-hour customer service window.
//
// Errors wrap app.ErrUndeliverable when sending the same request again on
// WhatsApp cannot succeed, so the caller falls back to another channel:
//
//   - 131026 (undeliverable, usually not a WhatsApp user), 131030 (not in the
//     test allow-list) and 131021 (recipient is the sender);
//   - 100 (invalid parameter), whichever parameter it names: the API does
//     not say so in a machine-readable way and resending the same body gets
//     the same answer;
//   - any other 4xx, including 401/403 (expired token, missing permission):
//     while WhatsApp is misconfigured the customer still gets the message on
//     the fallback channel instead of waiting for an operator.
//
// Rate limits and temporary failures are returned as plain errors, which the
// caller retries: HTTP 429 and 5xx, network errors and timeouts, Graph codes
// 1, 2, 4, 80007, 130429, 131000, 131016, 131048 and 131056, and any error
// Graph flags with is_transient. A 2xx response without a message id is also
// transient: it most likely came from something other than Meta.
package whatsapp

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dompet/wallet/app"
)

// Config configures a Sender. Zero values take the documented defaults.
type Config struct {
	BaseURL       string // default "https://graph.facebook.com"
	APIVersion    string // default "v21.0"
	PhoneNumberID string
	AccessToken   string
	TemplateName  string // authentication template for OTPs; default "otp"
	LanguageCode  string // template language; default "id"
	// AppSecret, when set, adds appsecret_proof to every call, which Graph
	// requires when the app enables "Require App Secret". It is also the key
	// for VerifySignature on webhooks.
	AppSecret  string
	HTTPClient *http.Client // default: 10s timeout
}

// Sender is a WhatsApp Cloud API client. It is safe for concurrent use.
type Sender struct {
	endpoint string
	cfg      Config
}

var _ app.WhatsAppSender = (*Sender)(nil)

const maxResponse = 1 << 20

// New returns a Sender for cfg.
func New(cfg Config) *Sender {
	if cfg.BaseURL == "" {
		cfg.BaseURL = "https://graph.facebook.com"
	}
	if cfg.APIVersion == "" {
		cfg.APIVersion = "v21.0"
	}
	if cfg.TemplateName == "" {
		cfg.TemplateName = "otp"
	}
	if cfg.LanguageCode == "" {
		cfg.LanguageCode = "id"
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	endpoint := strings.TrimRight(cfg.BaseURL, "/") + "/" + url.PathEscape(cfg.APIVersion) +
		"/" + url.PathEscape(cfg.PhoneNumberID) + "/messages"
	if cfg.AppSecret != "" {
		mac := hmac.New(sha256.New, []byte(cfg.AppSecret))
		mac.Write([]byte(cfg.AccessToken))
		endpoint += "?appsecret_proof=" + hex.EncodeToString(mac.Sum(nil))
	}
	return &Sender{endpoint: endpoint, cfg: cfg}
}

type message struct {
	MessagingProduct string    `json:"messaging_product"`
	RecipientType    string    `json:"recipient_type"`
	To               string    `json:"to"`
	Type             string    `json:"type"`
	Text             *text     `json:"text,omitempty"`
	Template         *template `json:"template,omitempty"`
}

type text struct {
	PreviewURL bool   `json:"preview_url"`
	Body       string `json:"body"`
}

type template struct {
	Name       string      `json:"name"`
	Language   language    `json:"language"`
	Components []component `json:"components"`
}

type language struct {
	Code string `json:"code"`
}

type component struct {
	Type       string      `json:"type"`
	SubType    string      `json:"sub_type,omitempty"`
	Index      string      `json:"index,omitempty"`
	Parameters []parameter `json:"parameters"`
}

type parameter struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type graphError struct {
	Message      string `json:"message"`
	Type         string `json:"type"`
	Code         int    `json:"code"`
	ErrorSubcode int    `json:"error_subcode"`
	IsTransient  bool   `json:"is_transient"`
	ErrorData    struct {
		Details string `json:"details"`
	} `json:"error_data"`
	FBTraceID string `json:"fbtrace_id"`
}

type response struct {
	Messages []struct {
		ID string `json:"id"`
	} `json:"messages"`
	Error *graphError `json:"error"`
}

// SendWhatsApp sends n and returns the WhatsApp message id (wamid). A nil
// error means Meta accepted the message; delivery arrives by webhook.
func (s *Sender) SendWhatsApp(ctx context.Context, n app.Notification) (string, error) {
	msg := message{MessagingProduct: "whatsapp", RecipientType: "individual", To: string(n.To)}
	if n.OTP != "" {
		code := []parameter{{Type: "text", Text: n.OTP}}
		msg.Type = "template"
		msg.Template = &template{
			Name:     s.cfg.TemplateName,
			Language: language{Code: s.cfg.LanguageCode},
			Components: []component{
				{Type: "body", Parameters: code},
				{Type: "button", SubType: "url", Index: "0", Parameters: code},
			},
		}
	} else {
		msg.Type = "text"
		msg.Text = &text{Body: n.Text}
	}
	body, err := json.Marshal(msg)
	if err != nil {
		return "", fmt.Errorf("whatsapp: encode message %s: %w", n.ID, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint, bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("whatsapp: build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+s.cfg.AccessToken)
	req.Header.Set("Content-Type", "application/json")

	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		// url.Error quotes the request URL, which carries appsecret_proof.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return "", fmt.Errorf("whatsapp: send message %s: %w", n.ID, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return "", fmt.Errorf("whatsapp: send message %s: read response: %w", n.ID, err)
	}
	var r response
	decodeErr := json.Unmarshal(raw, &r)

	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if decodeErr != nil || len(r.Messages) == 0 || r.Messages[0].ID == "" {
			return "", fmt.Errorf("whatsapp: send message %s: HTTP %d without a message id", n.ID, resp.StatusCode)
		}
		return r.Messages[0].ID, nil
	}

	err = fmt.Errorf("whatsapp: send message %s: HTTP %d", n.ID, resp.StatusCode)
	if r.Error != nil {
		err = fmt.Errorf("%w: %s", err, describe(r.Error, s.cfg.AccessToken, n.OTP, n.Text))
	}
	if undeliverable(resp.StatusCode, r.Error) {
		return "", fmt.Errorf("%w: %w", app.ErrUndeliverable, err)
	}
	return "", err
}

func undeliverable(status int, e *graphError) bool {
	if e != nil {
		if e.IsTransient {
			return false
		}
		switch e.Code {
		case 1, 2, 4, 80007, 130429, 131000, 131016, 131048, 131056:
			return false
		}
	}
	return status >= 400 && status < 500 && status != http.StatusTooManyRequests
}

// describe renders a Graph error without the secrets of the request, which
// Graph sometimes quotes back in message or details.
func describe(e *graphError, secrets ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "code %d", e.Code)
	if e.ErrorSubcode != 0 {
		fmt.Fprintf(&b, "/%d", e.ErrorSubcode)
	}
	if e.Type != "" {
		fmt.Fprintf(&b, " %s", clip(e.Type, secrets))
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", clip(e.Message, secrets))
	}
	if e.ErrorData.Details != "" {
		fmt.Fprintf(&b, " (%s)", clip(e.ErrorData.Details, secrets))
	}
	if e.FBTraceID != "" {
		fmt.Fprintf(&b, " fbtrace_id=%s", clip(e.FBTraceID, secrets))
	}
	return b.String()
}

func clip(s string, secrets []string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	const limit = 300
	if len(s) > limit {
		s = strings.ToValidUTF8(s[:limit], "") + "…"
	}
	return s
}
