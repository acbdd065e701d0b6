// Package httpapi is what the partner HTTP doors (REST, GraphQL) share: the
// SPEC §2 code table and its messages, the request body limit, the signed
// request as the app checks it, and the one validator. Each door imports
// it, never the other door, so either can change alone.
package httpapi

import (
	"io"
	"net/http"
	"strings"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/fault"
)

// MaxBody is the request body limit (SPEC §2 code 12).
const MaxBody = 64 << 10

// ReadBody reads at most MaxBody bytes; larger bodies are a TooLarge fault.
func ReadBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	if r.ContentLength > MaxBody {
		return nil, fault.New(fault.TooLarge, "body exceeds 64 KiB")
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		return nil, fault.Invalidf("body", "could not be read")
	}
	if len(b) > MaxBody {
		return nil, fault.New(fault.TooLarge, "body exceeds 64 KiB")
	}
	return b, nil
}

// SignedRequest extracts what the signature covers.
func SignedRequest(r *http.Request, body []byte) app.SignedRequest {
	return app.SignedRequest{
		PartnerID:     r.Header.Get("X-PARTNER-ID"),
		Method:        r.Method,
		PathWithQuery: r.URL.RequestURI(),
		Body:          body,
		Timestamp:     r.Header.Get("X-TIMESTAMP"),
		Signature:     r.Header.Get("X-SIGNATURE"),
	}
}

// Indonesian reports whether the caller asked for Indonesian messages.
func Indonesian(r *http.Request) bool {
	al := strings.ToLower(strings.TrimSpace(r.Header.Get("Accept-Language")))
	return strings.HasPrefix(al, "id")
}
