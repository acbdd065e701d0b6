// Package session models customer access tokens issued after OTP login: a
// random bearer token, stored only as a hash, scoped to one partner, with an
// expiry and explicit revocation.
package session

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"time"

	"github.com/dompet/wallet/domain/fault"
)

// Errors.
var (
	ErrNotFound = fault.New(fault.Unauthenticated, "invalid or expired access token")
)

// Session is one issued access token.
type Session struct {
	id         string
	tokenHash  []byte
	partnerID  string
	customerID string
	createdAt  time.Time
	expiresAt  time.Time
	revokedAt  time.Time
}

// NewToken draws a 256-bit token from r (crypto/rand.Reader outside tests).
func NewToken(r io.Reader) (string, error) {
	var b [32]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("session: random source: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// HashToken is what is stored and looked up. The token carries 256 bits of
// entropy, so a plain hash is enough: there is nothing to brute-force.
func HashToken(token string) []byte {
	s := sha256.Sum256([]byte(token))
	return s[:]
}

// Start creates a session for token lasting ttl.
func Start(id, token, partnerID, customerID string, now time.Time, ttl time.Duration) *Session {
	return &Session{id: id, tokenHash: HashToken(token), partnerID: partnerID, customerID: customerID,
		createdAt: now, expiresAt: now.Add(ttl)}
}

// Check returns ErrNotFound unless the session is usable by partnerID now.
func (s *Session) Check(partnerID string, now time.Time) error {
	if s.partnerID != partnerID || !s.revokedAt.IsZero() || !now.Before(s.expiresAt) {
		return ErrNotFound
	}
	return nil
}

// Revoke ends the session; revoking twice keeps the first time.
func (s *Session) Revoke(now time.Time) {
	if s.revokedAt.IsZero() {
		s.revokedAt = now
	}
}

// ID returns the session identifier.
func (s *Session) ID() string { return s.id }

// TokenHash returns the stored hash of the token.
func (s *Session) TokenHash() []byte { return s.tokenHash }

// PartnerID returns the partner the token was issued through.
func (s *Session) PartnerID() string { return s.partnerID }

// CustomerID returns the customer the token acts for.
func (s *Session) CustomerID() string { return s.customerID }

// CreatedAt returns the issue time.
func (s *Session) CreatedAt() time.Time { return s.createdAt }

// ExpiresAt returns the expiry time.
func (s *Session) ExpiresAt() time.Time { return s.expiresAt }

// RevokedAt returns the revocation time, zero while active.
func (s *Session) RevokedAt() time.Time { return s.revokedAt }

// Rehydrate rebuilds a session from storage.
func Rehydrate(id string, tokenHash []byte, partnerID, customerID string, createdAt, expiresAt, revokedAt time.Time) *Session {
	return &Session{id: id, tokenHash: tokenHash, partnerID: partnerID, customerID: customerID,
		createdAt: createdAt, expiresAt: expiresAt, revokedAt: revokedAt}
}

// Repository stores sessions.
type Repository interface {
	// Add stores a new session.
	Add(ctx context.Context, s *Session) error
	// ByTokenHash returns the session or ErrNotFound.
	ByTokenHash(ctx context.Context, hash []byte) (*Session, error)
	// Update saves the revocation; ErrNotFound when missing.
	Update(ctx context.Context, s *Session) error
}
