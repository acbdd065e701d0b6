package partner_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"testing"
	"time"

	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/partner"
)

func pemOf(t *testing.T, typ string, key any) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func TestParseSNAPPublicKey(t *testing.T) {
	t.Parallel()
	k2048, _ := rsa.GenerateKey(rand.Reader, 2048)
	k1024, _ := rsa.GenerateKey(rand.Reader, 1024)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	good := pemOf(t, "PUBLIC KEY", &k2048.PublicKey)
	tests := []struct {
		name string
		in   []byte
		ok   bool
	}{
		{"rsa 2048 pkix is accepted", good, true},
		{"not pem is refused", []byte("hello"), false},
		{"rsa 1024 is refused", pemOf(t, "PUBLIC KEY", &k1024.PublicKey), false},
		{"ecdsa is refused", pemOf(t, "PUBLIC KEY", &ec.PublicKey), false},
		{"pkcs1 block type is refused", pemOf(t, "RSA PUBLIC KEY", &k2048.PublicKey), false},
		{"garbage inside the block is refused", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{1, 2, 3}}), false},
		{"trailing data is refused", append(append([]byte{}, good...), "junk"...), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			der, err := partner.ParseSNAPPublicKey(tt.in)
			if tt.ok != (err == nil) {
				t.Fatalf("err = %v, want ok %v", err, tt.ok)
			}
			if err != nil {
				if f, _ := fault.As(err); f == nil || f.Kind != fault.Invalid || f.Field != "snapPublicKey" {
					t.Fatalf("err = %#v, want Invalid snapPublicKey", err)
				}
				return
			}
			if len(der) == 0 {
				t.Fatal("no DER returned")
			}
		})
	}
}

func TestVerifySNAPTokenRequest(t *testing.T) {
	t.Parallel()
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	der, err := partner.ParseSNAPPublicKey(pemOf(t, "PUBLIC KEY", &key.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	p := partner.Rehydrate("client-1", "Bank", partner.RoleChannel, []byte("s"), time.Now())
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	sign := func(msg string) string {
		sum := sha256.Sum256([]byte(msg))
		sig, _ := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
		return base64.StdEncoding.EncodeToString(sig)
	}
	ts := "2026-12-03T17:00:00+07:00"
	if err := p.VerifySNAPTokenRequest(ts, sign("client-1|"+ts), now); !errors.Is(err, partner.ErrSNAPNoKey) {
		t.Fatalf("without key: %v", err)
	}
	p.SetSNAPPublicKey(der)
	tests := []struct {
		name, ts, sig string
		want          error
	}{
		{"valid signature", ts, sign("client-1|" + ts), nil},
		{"other client id", ts, sign("client-2|" + ts), partner.ErrSNAPBadSignature},
		{"not base64", ts, "!!", partner.ErrSNAPBadSignature},
		{"stale timestamp", "2026-12-03T16:54:59+07:00", sign("client-1|2026-12-03T16:54:59+07:00"), partner.ErrStaleTimestamp},
		{"future timestamp", "2026-12-03T17:05:01+07:00", sign("client-1|2026-12-03T17:05:01+07:00"), partner.ErrStaleTimestamp},
		{"edge of the window", "2026-12-03T16:55:00+07:00", sign("client-1|2026-12-03T16:55:00+07:00"), nil},
	}
	for _, tt := range tests {
		if err := p.VerifySNAPTokenRequest(tt.ts, tt.sig, now); !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestVerifySNAP(t *testing.T) {
	t.Parallel()
	secret := []byte("client-secret")
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	ts := "2026-12-03T17:00:00+07:00"
	body := []byte("{\n  \"a\": 1,\n  \"b\": \"x y\"\n}")
	sig := partner.SNAPSign(secret, "POST", "/snap/v1.0/balance-inquiry", "tok", []byte(`{"a":1,"b":"x y"}`), ts)
	if err := partner.VerifySNAP(secret, "POST", "/snap/v1.0/balance-inquiry", "tok", body, ts, sig, now); err != nil {
		t.Fatalf("minified body must verify the pretty one: %v", err)
	}
	for name, err := range map[string]error{
		"other token":  partner.VerifySNAP(secret, "POST", "/snap/v1.0/balance-inquiry", "tok2", body, ts, sig, now),
		"other path":   partner.VerifySNAP(secret, "POST", "/snap/v1.0/balance-inquiry?x=1", "tok", body, ts, sig, now),
		"other body":   partner.VerifySNAP(secret, "POST", "/snap/v1.0/balance-inquiry", "tok", []byte(`{"a":2}`), ts, sig, now),
		"other secret": partner.VerifySNAP([]byte("x"), "POST", "/snap/v1.0/balance-inquiry", "tok", body, ts, sig, now),
	} {
		if !errors.Is(err, partner.ErrSNAPBadSignature) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	want := "POST:/p:t:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855:" + ts
	if got := partner.SNAPStringToSign("POST", "/p", "t", nil, ts); got != want {
		t.Errorf("empty body string to sign = %q", got)
	}
}
