package app_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"testing"
	"time"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/partner"
)

func TestSNAPTokens(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	if _, err := f.app.CreatePartner(ctx, app.NewPartner{Name: "Bad", Role: "PARTNER", SNAPPublicKey: []byte("x")}); fault.KindOf(err) != fault.Invalid {
		t.Fatalf("bad key on create: %v", err)
	}
	res, err := f.app.CreatePartner(ctx, app.NewPartner{Name: "SNAP", Role: "PARTNER", SNAPPublicKey: pemKey})
	if err != nil {
		t.Fatal(err)
	}
	p := res.Partner
	issue := func() (app.IssuedSNAPToken, error) {
		ts := f.clock.Now().Format(time.RFC3339)
		sum := sha256.Sum256([]byte(p.ID() + "|" + ts))
		sig, _ := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
		return f.app.IssueSNAPToken(ctx, p.ID(), ts, base64.StdEncoding.EncodeToString(sig))
	}
	tok, err := issue()
	if err != nil || tok.ExpiresIn != 900*time.Second {
		t.Fatalf("issue: %+v %v", tok, err)
	}
	call := func(token string) error {
		ts := f.clock.Now().Format(time.RFC3339)
		body := []byte(`{"a":1}`)
		_, err := f.app.AuthenticateSNAP(ctx, app.SNAPRequest{PartnerID: p.ID(), Token: token, Method: "POST",
			PathWithQuery: "/snap/v1.0/x", Body: body, Timestamp: ts,
			Signature: partner.SNAPSign([]byte(res.Secret), "POST", "/snap/v1.0/x", token, body, ts)})
		return err
	}
	if err := call(tok.Token); err != nil {
		t.Fatalf("fresh token: %v", err)
	}
	f.clock.Advance(899 * time.Second)
	if err := call(tok.Token); err != nil {
		t.Fatalf("token at 899 s: %v", err)
	}
	f.clock.Advance(time.Second)
	if err := call(tok.Token); !errors.Is(err, app.ErrSNAPTokenInvalid) {
		t.Fatalf("token at 900 s: %v", err)
	}
	// A new token clears the expired one from the store; the new one works.
	next, err := issue()
	if err != nil {
		t.Fatal(err)
	}
	if err := call(next.Token); err != nil {
		t.Fatalf("next token: %v", err)
	}
	if err := call(tok.Token); !errors.Is(err, app.ErrSNAPTokenInvalid) {
		t.Fatalf("expired token after cleanup: %v", err)
	}
	// Rotation: the old key no longer issues; nothing changes on a bad key.
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	der2, _ := x509.MarshalPKIXPublicKey(&other.PublicKey)
	if _, err := f.app.SetSNAPPublicKey(ctx, p.ID(), []byte("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")); fault.KindOf(err) != fault.Invalid {
		t.Fatalf("bad key on rotation: %v", err)
	}
	if _, err := issue(); err != nil {
		t.Fatalf("key changed by a refused rotation: %v", err)
	}
	if _, err := f.app.SetSNAPPublicKey(ctx, p.ID(), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der2})); err != nil {
		t.Fatal(err)
	}
	if _, err := issue(); !errors.Is(err, partner.ErrSNAPBadSignature) {
		t.Fatalf("old key after rotation: %v", err)
	}
	if err := call(next.Token); err != nil {
		t.Fatalf("token issued before the rotation: %v", err)
	}
}
