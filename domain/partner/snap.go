package partner

import (
	"bytes"
	"crypto"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"time"

	"github.com/dompet/wallet/domain/fault"
)

// MinSNAPKeyBits is the smallest RSA key accepted for SNAP (BI requires
// 2048-bit keys).
const MinSNAPKeyBits = 2048

// SNAP errors. Like the legacy signature errors they do not tell a forger
// which part was wrong.
var (
	ErrSNAPNoKey        = fault.New(fault.Unauthenticated, "partner has no SNAP public key")
	ErrSNAPBadSignature = fault.New(fault.Unauthenticated, "invalid signature")
)

// ParseSNAPPublicKey validates a PEM "PUBLIC KEY" block (PKIX) holding an
// RSA key of at least MinSNAPKeyBits and returns its DER form, which is what
// is stored.
func ParseSNAPPublicKey(pemBytes []byte) ([]byte, error) {
	block, rest := pem.Decode(pemBytes)
	if block == nil {
		return nil, fault.Invalidf("snapPublicKey", "is not PEM (expected a -----BEGIN PUBLIC KEY----- block)")
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, fault.Invalidf("snapPublicKey", "has data after the PEM block")
	}
	if block.Type != "PUBLIC KEY" {
		return nil, fault.Invalidf("snapPublicKey", "is a %q block; expected PUBLIC KEY (PKIX, e.g. openssl rsa -pubout)", block.Type)
	}
	if _, err := snapKey(block.Bytes); err != nil {
		return nil, err
	}
	return block.Bytes, nil
}

func snapKey(der []byte) (*rsa.PublicKey, error) {
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fault.Invalidf("snapPublicKey", "is not a PKIX public key")
	}
	rk, ok := k.(*rsa.PublicKey)
	if !ok {
		return nil, fault.Invalidf("snapPublicKey", "is not an RSA key")
	}
	if rk.N.BitLen() < MinSNAPKeyBits {
		return nil, fault.Invalidf("snapPublicKey", "has %d bits; at least %d are required", rk.N.BitLen(), MinSNAPKeyBits)
	}
	return rk, nil
}

// SetSNAPPublicKey stores a key already checked by ParseSNAPPublicKey (DER);
// nil removes it.
func (p *Partner) SetSNAPPublicKey(der []byte) { p.snapKey = bytes.Clone(der) }

// SNAPPublicKey returns the partner's SNAP RSA public key (PKIX DER), nil
// when the partner does not use SNAP.
func (p *Partner) SNAPPublicKey() []byte { return p.snapKey }

// checkTimestamp applies the ±MaxClockSkew window to an ISO 8601 stamp.
func checkTimestamp(timestamp string, now time.Time) error {
	ts, err := time.Parse(time.RFC3339, timestamp)
	if err != nil {
		return ErrStaleTimestamp
	}
	if d := now.Sub(ts); d > MaxClockSkew || d < -MaxClockSkew {
		return ErrStaleTimestamp
	}
	return nil
}

// VerifySNAPTokenRequest checks the asymmetric signature of an access-token
// request: base64(SHA256withRSA(clientId + "|" + X-TIMESTAMP)) made with the
// private key whose public half the partner registered.
func (p *Partner) VerifySNAPTokenRequest(timestamp, signature string, now time.Time) error {
	if len(p.snapKey) == 0 {
		return ErrSNAPNoKey
	}
	if err := checkTimestamp(timestamp, now); err != nil {
		return err
	}
	key, err := snapKey(p.snapKey)
	if err != nil {
		return ErrSNAPNoKey
	}
	sig, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return ErrSNAPBadSignature
	}
	sum := sha256.Sum256([]byte(p.id + "|" + timestamp))
	if rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], sig) != nil {
		return ErrSNAPBadSignature
	}
	return nil
}

// Minify compacts a JSON body the way SNAP signs it; a body that is not
// JSON is used as it is (it fails decoding later, after authentication).
func Minify(body []byte) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, body); err != nil {
		return bytes.TrimSpace(body)
	}
	return b.Bytes()
}

// SNAPStringToSign builds
// METHOD:PATH_WITH_QUERY:TOKEN:hex(sha256(minify(body))):TIMESTAMP; an
// empty body hashes as the empty string.
func SNAPStringToSign(method, pathWithQuery, token string, body []byte, timestamp string) string {
	sum := sha256.Sum256(Minify(body))
	return method + ":" + pathWithQuery + ":" + token + ":" + hex.EncodeToString(sum[:]) + ":" + timestamp
}

// SNAPSign returns base64(HMAC-SHA512(clientSecret, SNAPStringToSign(...))).
func SNAPSign(secret []byte, method, pathWithQuery, token string, body []byte, timestamp string) string {
	m := hmac.New(sha512.New, secret)
	m.Write([]byte(SNAPStringToSign(method, pathWithQuery, token, body, timestamp)))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// VerifySNAP checks the symmetric signature of a transactional SNAP call
// and its timestamp window.
func VerifySNAP(secret []byte, method, pathWithQuery, token string, body []byte, timestamp, signature string, now time.Time) error {
	if err := checkTimestamp(timestamp, now); err != nil {
		return err
	}
	got, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return ErrSNAPBadSignature
	}
	m := hmac.New(sha512.New, secret)
	m.Write([]byte(SNAPStringToSign(method, pathWithQuery, token, body, timestamp)))
	if !hmac.Equal(got, m.Sum(nil)) {
		return ErrSNAPBadSignature
	}
	return nil
}
