// Package password hashes operator passwords with argon2id (RFC 9106) in
// the PHC string format.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"

	"github.com/dompet/wallet/app"
)

// Parameters: RFC 9106's second recommendation (64 MiB, 3 passes) is
// heavy for a 2-core box signing in a handful of operators; 64 MiB with 2
// passes keeps a check under ~100 ms here while staying memory-hard.
const (
	memory  = 64 * 1024 // KiB
	passes  = 2
	threads = 2
	keyLen  = 32
	saltLen = 16
)

// Argon2id implements app.PasswordHasher.
type Argon2id struct{}

var _ app.PasswordHasher = Argon2id{}

// NewArgon2id returns the hasher.
func NewArgon2id() Argon2id { return Argon2id{} }

var b64 = base64.RawStdEncoding

// Hash returns $argon2id$v=19$m=…,t=…,p=…$salt$key.
func (Argon2id) Hash(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, passes, memory, threads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, memory, passes, threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify recomputes the key with the parameters stored in the hash, so
// that raising them later keeps old hashes valid.
func (Argon2id) Verify(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || m > 1<<20 || t == 0 || t > 10 || p == 0 {
		return false
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}
