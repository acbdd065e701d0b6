package whatsapp

import (
	"context"
	"io"
	"log/slog"
	"net/http"

	"github.com/dompet/wallet/app"
)

// StatusSink receives delivery statuses; app.Courier is one.
type StatusSink interface {
	WhatsAppStatuses(ctx context.Context, statuses []app.WhatsAppStatus) error
}

const maxWebhookBody = 1 << 20

// NewWebhook serves Meta's webhook at one path: GET answers the
// verification handshake, POST takes signed status updates.
func NewWebhook(appSecret, verifyToken string, sink StatusSink, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			challenge, ok := VerifyChallenge(r.URL.Query(), verifyToken)
			if !ok {
				http.Error(w, "verification failed", http.StatusForbidden)
				return
			}
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, challenge)
		case http.MethodPost:
			body, err := io.ReadAll(io.LimitReader(r.Body, maxWebhookBody+1))
			if err != nil || len(body) > maxWebhookBody {
				http.Error(w, "body too large or unreadable", http.StatusRequestEntityTooLarge)
				return
			}
			if !VerifySignature(appSecret, body, r.Header.Get("X-Hub-Signature-256")) {
				http.Error(w, "bad signature", http.StatusUnauthorized)
				return
			}
			statuses, err := ParseStatuses(body)
			if err != nil {
				// Signed by Meta but not something we understand: answering
				// an error would only make Meta redeliver it for days.
				log.WarnContext(r.Context(), "ignoring unparsable WhatsApp webhook", "err", err)
				w.WriteHeader(http.StatusOK)
				return
			}
			out := make([]app.WhatsAppStatus, 0, len(statuses))
			for _, s := range statuses {
				out = append(out, app.WhatsAppStatus{ProviderID: s.MessageID, Status: s.Status, Undeliverable: s.Undeliverable(), At: s.Timestamp})
			}
			if err := sink.WhatsAppStatuses(r.Context(), out); err != nil {
				// Our fault (database) or a status that overtook our own
				// record of the send: let Meta deliver it again.
				log.ErrorContext(r.Context(), "applying WhatsApp statuses failed", "err", err)
				http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
				return
			}
			w.WriteHeader(http.StatusOK)
		default:
			w.Header().Set("Allow", "GET, POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		}
	})
}
