package partner

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"time"

	"github.com/dompet/wallet/domain/fault"
)

// Signature errors. They all mean "unauthenticated" to the caller, on
// purpose: telling a forger which part was wrong helps the forger.
var (
	ErrBadSignature = fault.New(fault.Unauthenticated, "invalid signature")
	// ErrStaleTimestamp is the one signature error that names its cause: a
	// wrong clock is the commonest mistake of an honest caller, and the
	// window is public (SPEC §4), so saying so tells a forger nothing. It is
	// checked before the partner is looked up, so it reveals nothing about
	// partner ids either.
	ErrStaleTimestamp = &fault.Error{Kind: fault.Unauthenticated, Field: "X-TIMESTAMP",
		Detail: "must be an RFC 3339 time (2026-11-25T17:04:05+07:00) within 300 s of the server's clock"}
)

// MaxClockSkew is how far X-TIMESTAMP may be from the server's clock.
const MaxClockSkew = 300 * time.Second

// StringToSign builds METHOD:PATH_WITH_QUERY:hex(sha256(body)):TIMESTAMP.
func StringToSign(method, pathWithQuery string, body []byte, timestamp string) string {
	sum := sha256.Sum256(body)
	return method + ":" + pathWithQuery + ":" + hex.EncodeToString(sum[:]) + ":" + timestamp
}

// Sign returns base64(HMAC-SHA512(secret, StringToSign(...))).
func Sign(secret []byte, method, pathWithQuery string, body []byte, timestamp string) string {
	m := hmac.New(sha512.New, secret)
	m.Write([]byte(StringToSign(method, pathWithQuery, body, timestamp)))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// CheckTimestamp returns ErrStaleTimestamp unless timestamp is RFC 3339 and
// within MaxClockSkew of now.
func CheckTimestamp(timestamp string, now time.Time) error {
	ts, err := time.Parse(time.RFC3339, timestamp)
	if err != nil {
		return ErrStaleTimestamp
	}
	if d := now.Sub(ts); d > MaxClockSkew || d < -MaxClockSkew {
		return ErrStaleTimestamp
	}
	return nil
}

// Verify checks a request signature and its timestamp window in constant
// time with respect to the signature.
func Verify(secret []byte, method, pathWithQuery string, body []byte, timestamp, signature string, now time.Time) error {
	if err := CheckTimestamp(timestamp, now); err != nil {
		return err
	}
	got, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return ErrBadSignature
	}
	m := hmac.New(sha512.New, secret)
	m.Write([]byte(StringToSign(method, pathWithQuery, body, timestamp)))
	if !hmac.Equal(got, m.Sum(nil)) {
		return ErrBadSignature
	}
	return nil
}
