package rest

import (
	"net/http"
	"time"
)

// HTTPLimits bound what one connection may cost the server (README
// "Reliability"): a client that sends its headers or body too slowly is cut
// off, headers beyond MaxHeaderBytes are refused by net/http with HTTP 431,
// and bodies beyond MaxBody with code 12 (HTTP 413) before they are read.
type HTTPLimits struct {
	ReadHeaderTimeout time.Duration // slow-loris headers
	ReadTimeout       time.Duration // slow-loris bodies: the whole request
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	MaxHeaderBytes    int
}

// DefaultHTTPLimits are the limits of `wallet serve`.
func DefaultHTTPLimits() HTTPLimits {
	return HTTPLimits{ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second, WriteTimeout: 30 * time.Second,
		IdleTimeout: 120 * time.Second, MaxHeaderBytes: 32 << 10}
}

// NewHTTPServer returns a server for h with the limits applied.
func NewHTTPServer(h http.Handler, l HTTPLimits) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: l.ReadHeaderTimeout, ReadTimeout: l.ReadTimeout,
		WriteTimeout: l.WriteTimeout, IdleTimeout: l.IdleTimeout, MaxHeaderBytes: l.MaxHeaderBytes}
}
