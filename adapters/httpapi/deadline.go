package httpapi

import (
	"context"
	"net/http"
	"strings"
	"time"
)

// Deadline bounds every request's context by d, so that a request waiting
// on a slow or unreachable dependency (a pooled database connection, a
// lock) gives up and is answered code 90 instead of hanging; the partner
// retries with the same X-EXTERNAL-ID. Websocket upgrades (GraphQL
// subscriptions) live as long as their connection and are left alone.
// d <= 0 disables it.
func Deadline(d time.Duration, next http.Handler) http.Handler {
	if d <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			next.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
