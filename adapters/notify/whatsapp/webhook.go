package whatsapp

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// VerifySignature reports whether header, the X-Hub-Signature-256 value
// "sha256=<hex>", is the HMAC-SHA256 of the raw request body under
// appSecret. An empty appSecret verifies nothing.
func VerifySignature(appSecret string, body []byte, header string) bool {
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	if !ok || appSecret == "" {
		return false
	}
	sig, err := hex.DecodeString(hexSig)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	return hmac.Equal(sig, mac.Sum(nil))
}

// VerifyChallenge answers Meta's webhook verification request: when query
// has hub.mode=subscribe and hub.verify_token equal to verifyToken, the
// handler must respond 200 with challenge as the body.
func VerifyChallenge(query url.Values, verifyToken string) (challenge string, ok bool) {
	challenge = query.Get("hub.challenge")
	if verifyToken == "" || challenge == "" || query.Get("hub.mode") != "subscribe" {
		return "", false
	}
	if subtle.ConstantTimeCompare([]byte(query.Get("hub.verify_token")), []byte(verifyToken)) != 1 {
		return "", false
	}
	return challenge, true
}

// Status is one delivery status update for a message we sent.
type Status struct {
	MessageID   string // the wamid returned by SendWhatsApp
	Status      string // "sent", "delivered", "read" or "failed"
	RecipientID string
	Timestamp   time.Time
	ErrorCodes  []int
}

// Undeliverable reports whether the message failed. Any failure counts, not
// only the codes in NotOnWhatsApp: once WhatsApp has given up on a message
// the OTP has to go out on another channel regardless of the reason.
func (s Status) Undeliverable() bool {
	return s.Status == "failed"
}

// NotOnWhatsApp reports whether the message failed because the recipient
// cannot be reached on WhatsApp at all (131026 undeliverable, 131030 not in
// the allow-list, 131021 recipient is the sender), so later messages to the
// same number will fail too.
func (s Status) NotOnWhatsApp() bool {
	return s.Undeliverable() && slices.ContainsFunc(s.ErrorCodes, func(c int) bool {
		return c == 131026 || c == 131030 || c == 131021
	})
}

type webhook struct {
	Object string `json:"object"`
	Entry  []struct {
		Changes []struct {
			Value struct {
				Statuses []struct {
					ID          string   `json:"id"`
					Status      string   `json:"status"`
					Timestamp   unixTime `json:"timestamp"`
					RecipientID string   `json:"recipient_id"`
					Errors      []struct {
						Code int `json:"code"`
					} `json:"errors"`
				} `json:"statuses"`
			} `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

// unixTime is Meta's timestamp: Unix seconds as a JSON string.
type unixTime time.Time

func (t *unixTime) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	s, err := strconv.Unquote(string(b))
	if err != nil {
		s = string(b)
	}
	sec, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("timestamp %q is not Unix seconds", s)
	}
	*t = unixTime(time.Unix(sec, 0).UTC())
	return nil
}

// ParseStatuses extracts the message status updates from a webhook body
// (object "whatsapp_business_account"). Inbound messages and other change
// fields in the same payload are ignored.
func ParseStatuses(body []byte) ([]Status, error) {
	var w webhook
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("whatsapp: parse webhook: %w", err)
	}
	if w.Object != "whatsapp_business_account" {
		return nil, errors.New("whatsapp: parse webhook: object is not whatsapp_business_account")
	}
	var out []Status
	for _, e := range w.Entry {
		for _, c := range e.Changes {
			for _, st := range c.Value.Statuses {
				s := Status{
					MessageID:   st.ID,
					Status:      st.Status,
					RecipientID: st.RecipientID,
					Timestamp:   time.Time(st.Timestamp),
				}
				for _, e := range st.Errors {
					s.ErrorCodes = append(s.ErrorCodes, e.Code)
				}
				out = append(out, s)
			}
		}
	}
	return out, nil
}
