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

func TestRotateSecret(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name        string
		grace       time.Duration
		wantRetired bool
		wantErr     bool
	}{
		{"a day of grace keeps the old secret until then", 24 * time.Hour, true, false},
		{"no grace drops the old secret at once", 0, false, false},
		{"negative grace is refused and changes nothing", -time.Second, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := partner.Rehydrate("p1", "Toko", partner.RolePartner, []byte("old"), now)
			err := p.RotateSecret([]byte("new"), now, tt.grace)
			if (err != nil) != tt.wantErr {
				t.Fatalf("RotateSecret error = %v, want error %v", err, tt.wantErr)
			}
			if tt.wantErr {
				if string(p.SealedSecret()) != "old" {
					t.Fatal("a refused rotation changed the secret")
				}
				return
			}
			if string(p.SealedSecret()) != "new" {
				t.Fatalf("secret = %q after rotation", p.SealedSecret())
			}
			retired, until := p.RetiredSecret()
			if tt.wantRetired != (retired != nil) {
				t.Fatalf("retired = %q", retired)
			}
			if tt.wantRetired && (string(retired) != "old" || !until.Equal(now.Add(tt.grace))) {
				t.Fatalf("retired = %q until %v", retired, until)
			}
		})
	}
	t.Run("a second rotation retires only the newest secret", func(t *testing.T) {
		t.Parallel()
		p := partner.Rehydrate("p1", "Toko", partner.RolePartner, []byte("a"), now)
		_ = p.RotateSecret([]byte("b"), now, time.Hour)
		_ = p.RotateSecret([]byte("c"), now.Add(time.Minute), time.Hour)
		if retired, _ := p.RetiredSecret(); string(retired) != "b" || string(p.SealedSecret()) != "c" {
			t.Fatalf("secret %q retired %q", p.SealedSecret(), retired)
		}
	})
}
