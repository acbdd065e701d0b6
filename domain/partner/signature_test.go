package partner_test

import (
	"errors"
	"testing"
	"time"

	"github.com/dompet/wallet/domain/partner"
)

func TestVerify(t *testing.T) {
	t.Parallel()
	secret := []byte("s3cret")
	now := time.Date(2026, 11, 25, 17, 0, 0, 0, time.FixedZone("WIB", 7*3600))
	ts := now.Format(time.RFC3339)
	body := []byte(`{"mobileNumber":"081234567890"}`)
	good := partner.Sign(secret, "POST", "/register-customer/", body, ts)

	tests := []struct {
		name         string
		secret       []byte
		method, path string
		body         []byte
		ts, sig      string
		want         error
	}{
		{"valid signature passes", secret, "POST", "/register-customer/", body, ts, good, nil},
		{"changed body fails", secret, "POST", "/register-customer/", []byte(`{}`), ts, good, partner.ErrBadSignature},
		{"changed path fails", secret, "POST", "/register-customer", body, ts, good, partner.ErrBadSignature},
		{"changed method fails", secret, "PUT", "/register-customer/", body, ts, good, partner.ErrBadSignature},
		{"other secret fails", []byte("other"), "POST", "/register-customer/", body, ts, good, partner.ErrBadSignature},
		{"not base64 fails", secret, "POST", "/register-customer/", body, ts, "%%%", partner.ErrBadSignature},
		{"timestamp 301 s old fails", secret, "POST", "/register-customer/", body, now.Add(-301 * time.Second).Format(time.RFC3339),
			partner.Sign(secret, "POST", "/register-customer/", body, now.Add(-301*time.Second).Format(time.RFC3339)), partner.ErrStaleTimestamp},
		{"timestamp 300 s ahead passes", secret, "POST", "/register-customer/", body, now.Add(300 * time.Second).Format(time.RFC3339),
			partner.Sign(secret, "POST", "/register-customer/", body, now.Add(300*time.Second).Format(time.RFC3339)), nil},
		{"unparsable timestamp fails", secret, "POST", "/register-customer/", body, "yesterday", good, partner.ErrStaleTimestamp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := partner.Verify(tt.secret, tt.method, tt.path, tt.body, tt.ts, tt.sig, now)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestStringToSign(t *testing.T) {
	t.Parallel()
	got := partner.StringToSign("GET", "/customer-account-inquiry/?mobileNumber=0812", nil, "2026-11-25T17:00:00+07:00")
	want := "GET:/customer-account-inquiry/?mobileNumber=0812:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855:2026-11-25T17:00:00+07:00"
	if got != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}
