package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/otp"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/session"
)

func wrong(code string) string {
	b := []byte(code)
	b[0] = '0' + (b[0]-'0'+1)%10
	return string(b)
}

func TestRegisterCustomer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		role string
		cmd  app.RegisterCustomer
		dup  bool
		want fault.Kind
	}{
		{"new number registers pending", "PARTNER", app.RegisterCustomer{MobileNumber: "081234567890", FirstName: "Budi", LastName: "Santoso", Email: "budi@example.com"}, false, -1},
		{"landline is an invalid mobile", "PARTNER", app.RegisterCustomer{MobileNumber: "0215551234", FirstName: "Budi"}, false, fault.InvalidMobile},
		{"missing first name is invalid", "PARTNER", app.RegisterCustomer{MobileNumber: "081234567890"}, false, fault.Invalid},
		{"bad e-mail is invalid", "PARTNER", app.RegisterCustomer{MobileNumber: "081234567890", FirstName: "Budi", Email: "budi@"}, false, fault.Invalid},
		{"second registration is already registered", "PARTNER", app.RegisterCustomer{MobileNumber: "+6281234567890", FirstName: "Budi"}, true, fault.AlreadyRegistered},
		{"channel partner is forbidden", "CHANNEL", app.RegisterCustomer{MobileNumber: "081234567890", FirstName: "Budi"}, false, fault.Forbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			ctx := context.Background()
			tt.cmd.Partner = f.partner(tt.role)
			if tt.dup {
				if _, err := f.app.RegisterCustomer(ctx, app.RegisterCustomer{Partner: f.partner("PARTNER"), MobileNumber: "6281234567890", FirstName: "X"}); err != nil {
					t.Fatal(err)
				}
			}
			res, err := f.app.RegisterCustomer(ctx, tt.cmd)
			if tt.want >= 0 {
				if fault.KindOf(err) != tt.want {
					t.Fatalf("err = %v (kind %d), want kind %d", err, fault.KindOf(err), tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c := res.Customer
			if c.Mobile() != "6281234567890" || c.Status() != customer.StatusPendingVerification ||
				c.AccountType() != customer.AccountBasic || c.KYCStatus() != customer.KYCUnverified {
				t.Fatalf("unexpected customer %+v", c)
			}
			if res.OTPExpiresIn != 300 {
				t.Fatalf("OTP expires in %d, want 300", res.OTPExpiresIn)
			}
			v, err := f.app.InquireCustomer(ctx, app.InquireCustomer{Partner: tt.cmd.Partner, MobileNumber: "081234567890"})
			if err != nil {
				t.Fatal(err)
			}
			if v.Pocket.Available() != 0 || v.Customer.FullName() != "Budi Santoso" {
				t.Fatalf("inquiry: pocket %d, name %q", v.Pocket.Available(), v.Customer.FullName())
			}
		})
	}
}

func TestInquireCustomerNeedsBinding(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	p1, p2 := f.partner("PARTNER"), f.partner("PARTNER")
	f.registered(p1, "081234567890")
	if _, err := f.app.InquireCustomer(ctx, app.InquireCustomer{Partner: p2, MobileNumber: "081234567890"}); !errors.Is(err, partner.ErrNotBound) {
		t.Fatalf("unbound partner: %v, want ErrNotBound", err)
	}
	// An unknown number is answered as an unbound one: a partner cannot
	// learn whether a number has a wallet.
	if _, err := f.app.InquireCustomer(ctx, app.InquireCustomer{Partner: p1, MobileNumber: "081299999999"}); !errors.Is(err, partner.ErrNotBound) {
		t.Fatalf("unknown number: %v, want ErrNotBound", err)
	}
	// A LOGIN OTP validated through p2 binds the customer to p2.
	f.clock.Advance(61 * time.Second)
	if _, err := f.app.RequestOTP(ctx, app.RequestOTP{Partner: p2, MobileNumber: "081234567890"}); err != nil {
		t.Fatal(err)
	}
	v, err := f.app.ValidateOTP(ctx, app.ValidateOTP{Partner: p2, MobileNumber: "081234567890", Code: f.lastOTP()})
	if err != nil || v.Purpose != otp.PurposeLogin || v.Token == "" {
		t.Fatalf("login via p2: %+v, %v", v, err)
	}
	if _, err := f.app.InquireCustomer(ctx, app.InquireCustomer{Partner: p2, MobileNumber: "081234567890"}); err != nil {
		t.Fatalf("after login p2 may inquire: %v", err)
	}
}

func TestRequestOTP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("cooldown then hourly cap refuse with too frequent", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		p := f.partner("PARTNER")
		f.registered(p, "081234567890") // one REGISTRATION code issued at t0
		req := app.RequestOTP{Partner: p, MobileNumber: "081234567890"}
		if _, err := f.app.RequestOTP(ctx, req); !errors.Is(err, otp.ErrTooFrequent) {
			t.Fatalf("within cooldown: %v", err)
		}
		for i := range 4 {
			f.clock.Advance(61 * time.Second)
			if _, err := f.app.RequestOTP(ctx, req); err != nil {
				t.Fatalf("send %d: %v", i+2, err)
			}
		}
		f.clock.Advance(61 * time.Second)
		if _, err := f.app.RequestOTP(ctx, req); !errors.Is(err, otp.ErrTooFrequent) {
			t.Fatalf("sixth in the hour: %v", err)
		}
		f.clock.Advance(time.Hour)
		if _, err := f.app.RequestOTP(ctx, req); err != nil {
			t.Fatalf("after an hour: %v", err)
		}
	})
	cases := []struct {
		name    string
		prepare func(f *fixture, p, other *partner.Partner)
		req     func(p, other *partner.Partner) app.RequestOTP
		want    error
	}{
		{"unknown number is not found", nil,
			func(p, _ *partner.Partner) app.RequestOTP {
				return app.RequestOTP{Partner: p, MobileNumber: "081234567890"}
			}, customer.ErrNotFound},
		{"login for a pending customer is not active", func(f *fixture, p, _ *partner.Partner) {
			_, _ = f.app.RegisterCustomer(ctx, app.RegisterCustomer{Partner: p, MobileNumber: "081234567890", FirstName: "A"})
			f.clock.Advance(time.Minute)
		}, func(p, _ *partner.Partner) app.RequestOTP {
			return app.RequestOTP{Partner: p, MobileNumber: "081234567890", Purpose: "LOGIN"}
		}, customer.ErrNotActive},
		{"registration for an active customer is already registered", func(f *fixture, p, _ *partner.Partner) {
			f.registered(p, "081234567890")
			f.clock.Advance(time.Minute)
		}, func(p, _ *partner.Partner) app.RequestOTP {
			return app.RequestOTP{Partner: p, MobileNumber: "081234567890", Purpose: "REGISTRATION"}
		}, customer.ErrAlreadyRegistered},
		{"transaction code from an unbound partner is forbidden", func(f *fixture, p, _ *partner.Partner) {
			f.registered(p, "081234567890")
			f.clock.Advance(time.Minute)
		}, func(_, other *partner.Partner) app.RequestOTP {
			return app.RequestOTP{Partner: other, MobileNumber: "081234567890", Purpose: "TRANSACTION"}
		}, partner.ErrNotBound},
		{"login code from an unbound partner is allowed", func(f *fixture, p, _ *partner.Partner) {
			f.registered(p, "081234567890")
			f.clock.Advance(time.Minute)
		}, func(_, other *partner.Partner) app.RequestOTP {
			return app.RequestOTP{Partner: other, MobileNumber: "081234567890"}
		}, nil},
		{"unknown purpose is invalid", func(f *fixture, p, _ *partner.Partner) {
			f.registered(p, "081234567890")
		}, func(p, _ *partner.Partner) app.RequestOTP {
			return app.RequestOTP{Partner: p, MobileNumber: "081234567890", Purpose: "PAYMENT"}
		}, nil},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			p, other := f.partner("PARTNER"), f.partner("PARTNER")
			if tt.prepare != nil {
				tt.prepare(f, p, other)
			}
			_, err := f.app.RequestOTP(ctx, tt.req(p, other))
			if tt.name == "unknown purpose is invalid" {
				if fault.KindOf(err) != fault.Invalid {
					t.Fatalf("err = %v, want Invalid", err)
				}
				return
			}
			if !errors.Is(err, tt.want) && !(tt.want == nil && err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestValidateOTP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	setup := func(t *testing.T) (*fixture, *partner.Partner, string) {
		f := newFixture(t)
		p := f.partner("PARTNER")
		if _, err := f.app.RegisterCustomer(ctx, app.RegisterCustomer{Partner: p, MobileNumber: "081234567890", FirstName: "Budi"}); err != nil {
			t.Fatal(err)
		}
		return f, p, f.lastOTP()
	}
	validate := func(f *fixture, p *partner.Partner, code string) (app.OTPValidated, error) {
		return f.app.ValidateOTP(ctx, app.ValidateOTP{Partner: p, MobileNumber: "081234567890", Code: code})
	}

	t.Run("right code activates and starts a session", func(t *testing.T) {
		t.Parallel()
		f, p, code := setup(t)
		v, err := validate(f, p, code)
		if err != nil {
			t.Fatal(err)
		}
		if v.Customer.Status() != customer.StatusActive || v.Purpose != otp.PurposeRegistration || v.Token == "" || v.ExpiresIn != 86400 {
			t.Fatalf("unexpected %+v", v)
		}
		s, err := f.app.AuthenticateCustomer(ctx, p.ID(), v.Token)
		if err != nil || s.CustomerID != v.Customer.ID() {
			t.Fatalf("token: %+v, %v", s, err)
		}
		_, err = f.app.ValidateOTP(ctx, app.ValidateOTP{Partner: p, MobileNumber: "081234567890", Code: code, Purpose: "REGISTRATION"})
		if !errors.Is(err, otp.ErrExpired) {
			t.Fatalf("second use: %v, want ErrExpired", err)
		}
	})
	t.Run("wrong code is invalid and counts", func(t *testing.T) {
		t.Parallel()
		f, p, code := setup(t)
		for i := range 4 {
			if _, err := validate(f, p, wrong(code)); !errors.Is(err, otp.ErrInvalid) {
				t.Fatalf("attempt %d: %v", i+1, err)
			}
		}
		if _, err := validate(f, p, wrong(code)); !errors.Is(err, otp.ErrTooManyAttempts) {
			t.Fatalf("fifth: %v, want ErrTooManyAttempts", err)
		}
		if _, err := validate(f, p, code); !errors.Is(err, otp.ErrTooManyAttempts) {
			t.Fatalf("right code after lock: %v, want ErrTooManyAttempts", err)
		}
	})
	t.Run("expired code is expired", func(t *testing.T) {
		t.Parallel()
		f, p, code := setup(t)
		f.clock.Advance(300 * time.Second)
		if _, err := validate(f, p, code); !errors.Is(err, otp.ErrExpired) {
			t.Fatalf("%v, want ErrExpired", err)
		}
	})
	t.Run("newer code invalidates the older", func(t *testing.T) {
		t.Parallel()
		f, p, old := setup(t)
		f.clock.Advance(61 * time.Second)
		if _, err := f.app.RequestOTP(ctx, app.RequestOTP{Partner: p, MobileNumber: "081234567890"}); err != nil {
			t.Fatal(err)
		}
		fresh := f.lastOTP()
		if old != fresh {
			if _, err := validate(f, p, old); !errors.Is(err, otp.ErrInvalid) {
				t.Fatalf("old code: %v, want ErrInvalid (hash differs from the new one)", err)
			}
		}
		if _, err := validate(f, p, fresh); err != nil {
			t.Fatalf("new code: %v", err)
		}
	})
	t.Run("malformed code is an invalid request", func(t *testing.T) {
		t.Parallel()
		f, p, _ := setup(t)
		if _, err := validate(f, p, "12ab56"); fault.KindOf(err) != fault.Invalid {
			t.Fatalf("%v, want Invalid", err)
		}
	})
	t.Run("no code ever issued is invalid", func(t *testing.T) {
		t.Parallel()
		f, p, code := setup(t)
		if _, err := validate(f, p, code); err != nil {
			t.Fatal(err)
		}
		_, err := f.app.ValidateOTP(ctx, app.ValidateOTP{Partner: p, MobileNumber: "081234567890", Code: code, Purpose: "LOGIN"})
		if !errors.Is(err, otp.ErrInvalid) {
			t.Fatalf("%v, want ErrInvalid", err)
		}
	})
	t.Run("transaction code gives no token", func(t *testing.T) {
		t.Parallel()
		f, p, code := setup(t)
		if _, err := validate(f, p, code); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(61 * time.Second)
		if _, err := f.app.RequestOTP(ctx, app.RequestOTP{Partner: p, MobileNumber: "081234567890", Purpose: "TRANSACTION"}); err != nil {
			t.Fatal(err)
		}
		v, err := f.app.ValidateOTP(ctx, app.ValidateOTP{Partner: p, MobileNumber: "081234567890", Code: f.lastOTP(), Purpose: "TRANSACTION"})
		if err != nil || v.Token != "" {
			t.Fatalf("%+v, %v", v, err)
		}
	})
}

func TestSessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	p, other := f.partner("PARTNER"), f.partner("PARTNER")
	v := f.registered(p, "081234567890")
	if _, err := f.app.AuthenticateCustomer(ctx, other.ID(), v.Token); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("token via another partner: %v", err)
	}
	if _, err := f.app.AuthenticateCustomer(ctx, p.ID(), "nope"); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("unknown token: %v", err)
	}
	if err := f.app.Logout(ctx, p.ID(), v.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.AuthenticateCustomer(ctx, p.ID(), v.Token); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("after logout: %v", err)
	}
	v2 := f.registered(p, "081234567891")
	f.clock.Advance(24 * time.Hour)
	if _, err := f.app.AuthenticateCustomer(ctx, p.ID(), v2.Token); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("after expiry: %v", err)
	}
}

func TestAuthenticatePartner(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	res, err := f.app.CreatePartner(ctx, app.NewPartner{Name: "Shop", Role: "PARTNER"})
	if err != nil {
		t.Fatal(err)
	}
	ts := f.clock.Now().Format(time.RFC3339)
	sig := partner.Sign([]byte(res.Secret), "GET", "/x", nil, ts)
	req := app.SignedRequest{PartnerID: res.Partner.ID(), Method: "GET", PathWithQuery: "/x", Timestamp: ts, Signature: sig}
	if p, err := f.app.AuthenticatePartner(ctx, req); err != nil || p.ID() != res.Partner.ID() {
		t.Fatalf("valid: %v", err)
	}
	bad := req
	bad.PartnerID = "unknown"
	if _, err := f.app.AuthenticatePartner(ctx, bad); fault.KindOf(err) != fault.Unauthenticated {
		t.Fatalf("unknown partner: %v", err)
	}
	bad = req
	bad.Signature = ""
	if _, err := f.app.AuthenticatePartner(ctx, bad); fault.KindOf(err) != fault.Unauthenticated {
		t.Fatalf("missing signature: %v", err)
	}
	if _, err := f.app.CreatePartner(ctx, app.NewPartner{Name: "X", Role: "ADMIN"}); fault.KindOf(err) != fault.Invalid {
		t.Fatalf("bad role: %v", err)
	}
}
