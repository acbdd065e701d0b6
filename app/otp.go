package app

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/otp"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/session"
)

// RequestOTP is a partner asking for a code to be sent to a customer.
type RequestOTP struct {
	Partner      *partner.Partner
	MobileNumber string
	Purpose      string // optional: REGISTRATION for unverified customers, LOGIN otherwise
}

// OTPSent tells when the code expires.
type OTPSent struct {
	Purpose   otp.Purpose
	ExpiresIn int
}

// RequestOTP issues a new code and queues its delivery. LOGIN codes may be
// requested by any partner (that is how a customer binds to a new partner);
// the other purposes need an existing binding.
// Errors: InvalidMobile, Invalid (purpose), NotFound, Forbidden,
// AccountNotActive, AlreadyRegistered (REGISTRATION for a verified
// customer), OTPTooFrequent.
func (a *App) RequestOTP(ctx context.Context, cmd RequestOTP) (_ OTPSent, retErr error) {
	ctx, end := a.span(ctx, "RequestOTP")
	defer func() { end(retErr) }()
	if err := cmd.Partner.RequireRole(partner.RolePartner); err != nil {
		return OTPSent{}, err
	}
	mobile, err := a.phones.Normalize(cmd.MobileNumber)
	if err != nil {
		return OTPSent{}, err
	}
	var out OTPSent
	err = a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		c, err := lookupCustomer(ctx, r, mobile)
		if err != nil {
			return err
		}
		purpose, err := otpPurpose(cmd.Purpose, c)
		if err != nil {
			return err
		}
		if err := otpAllowed(ctx, r, cmd.Partner, c, purpose); err != nil {
			return err
		}
		o, err := a.issueOTP(ctx, r, c, purpose)
		if err != nil {
			return err
		}
		out = OTPSent{Purpose: purpose, ExpiresIn: o.ExpiresIn(a.now())}
		return nil
	})
	if err != nil {
		return OTPSent{}, fmt.Errorf("request otp: %w", err)
	}
	return out, nil
}

// otpPurpose applies the default purpose.
func otpPurpose(raw string, c *customer.Customer) (otp.Purpose, error) {
	if raw == "" {
		if c.Status() == customer.StatusPendingVerification {
			return otp.PurposeRegistration, nil
		}
		return otp.PurposeLogin, nil
	}
	return otp.ParsePurpose(raw)
}

// otpAllowed checks customer state and partner binding for a purpose.
func otpAllowed(ctx context.Context, r Repos, p *partner.Partner, c *customer.Customer, purpose otp.Purpose) error {
	switch purpose {
	case otp.PurposeRegistration:
		if c.Status() == customer.StatusActive {
			return customer.ErrAlreadyRegistered
		}
		if c.Status() != customer.StatusPendingVerification {
			return customer.ErrNotActive
		}
	default:
		if err := c.EnsureActive(); err != nil {
			return err
		}
	}
	if purpose == otp.PurposeLogin {
		return nil
	}
	return requireBinding(ctx, r, p.ID(), c.ID())
}

// issueOTP enforces the throttle, retires the previous code of the same
// purpose, stores the new one and queues its delivery. The caller holds the
// customer's row lock, so concurrent requests cannot both pass the throttle.
func (a *App) issueOTP(ctx context.Context, r Repos, c *customer.Customer, purpose otp.Purpose) (*otp.OTP, error) {
	now := a.now()
	mobile := c.Mobile().String()
	recent, err := r.OTPs.IssuedSince(ctx, mobile, now.Add(-timeHour))
	if err != nil {
		return nil, err
	}
	if err := otp.CheckIssue(recent, now, a.cfg.OTP); err != nil {
		return nil, err
	}
	prev, err := r.OTPs.Latest(ctx, mobile, purpose)
	switch {
	case err == nil:
		if prev.State() == otp.StateActive {
			prev.Invalidate()
			if err := r.OTPs.Update(ctx, prev); err != nil {
				return nil, err
			}
		}
	case !errors.Is(err, otp.ErrNotFound):
		return nil, err
	}
	code, err := otp.GenerateCode(a.rand)
	if err != nil {
		return nil, err
	}
	o := otp.Issue(a.ids.New(), mobile, purpose, otp.Hash(a.cfg.OTPKey, mobile, purpose, code), now, a.cfg.OTP)
	if err := r.OTPs.Add(ctx, o); err != nil {
		return nil, err
	}
	text := fmt.Sprintf("JANGAN BERIKAN KODE INI KEPADA SIAPA PUN. Kode OTP %s Anda: %s. Berlaku %d menit.",
		purposeText(purpose), code, int(a.cfg.OTP.TTL.Minutes()))
	return o, a.enqueueNotification(ctx, r, Notification{ID: a.ids.New(), To: c.Mobile(), Text: text, OTP: code}, o.ExpiresAt())
}

func purposeText(p otp.Purpose) string {
	switch p {
	case otp.PurposeRegistration:
		return "pendaftaran"
	case otp.PurposeTransaction:
		return "transaksi"
	}
	return "masuk"
}

var sixDigits = regexp.MustCompile(`^[0-9]{6}$`)

// ValidateOTP is a partner submitting the code a customer typed.
type ValidateOTP struct {
	Partner      *partner.Partner
	MobileNumber string
	Code         string
	Purpose      string // optional, defaulted as in RequestOTP
	// Source is the caller's network address (the door's view of it; ""
	// when unknown), for the per-address guessing limit.
	Source string
}

// OTPValidated is the outcome of a correct code. Token is empty for
// TRANSACTION codes, which authorise one action rather than a session.
type OTPValidated struct {
	Customer  *customer.Customer
	Purpose   otp.Purpose
	Token     string
	ExpiresIn int
}

// ValidateOTP checks a code. REGISTRATION activates the account; LOGIN binds
// the customer to the calling partner; both start a session. Wrong attempts
// are recorded even though the call fails.
// Errors: InvalidMobile, Invalid, NotFound, Forbidden, AccountNotActive,
// OTPInvalid, OTPExpired, OTPTooManyAttempts.
func (a *App) ValidateOTP(ctx context.Context, cmd ValidateOTP) (_ OTPValidated, retErr error) {
	ctx, end := a.span(ctx, "ValidateOTP")
	defer func() { end(retErr) }()
	if err := cmd.Partner.RequireRole(partner.RolePartner); err != nil {
		return OTPValidated{}, err
	}
	mobile, err := a.phones.Normalize(cmd.MobileNumber)
	if err != nil {
		return OTPValidated{}, err
	}
	if !sixDigits.MatchString(cmd.Code) {
		return OTPValidated{}, fault.Invalidf("otp", "must be 6 digits")
	}
	var out OTPValidated
	var verr error
	err = a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		verr = nil
		now := a.now()
		if err := a.checkGuesses(ctx, r, cmd.Partner.ID(), cmd.Source, now); err != nil {
			return err
		}
		c, err := lookupCustomer(ctx, r, mobile)
		if err != nil {
			return err
		}
		purpose, err := otpPurpose(cmd.Purpose, c)
		if err != nil {
			return err
		}
		if purpose != otp.PurposeLogin {
			if err := requireBinding(ctx, r, cmd.Partner.ID(), c.ID()); err != nil {
				return err
			}
		}
		o, err := r.OTPs.Latest(ctx, mobile.String(), purpose)
		if errors.Is(err, otp.ErrNotFound) {
			verr = otp.ErrInvalid
			return r.Guesses.Add(ctx, cmd.Partner.ID(), cmd.Source, now)
		}
		if err != nil {
			return err
		}
		verr = o.Verify(otp.Hash(a.cfg.OTPKey, mobile.String(), purpose, cmd.Code), now, a.cfg.OTP)
		if err := r.OTPs.Update(ctx, o); err != nil {
			return err
		}
		if verr != nil {
			// Commit the attempt, report the failure after. Every wrong
			// code counts towards the partner's and the address's limit.
			return r.Guesses.Add(ctx, cmd.Partner.ID(), cmd.Source, now)
		}
		switch purpose {
		case otp.PurposeRegistration:
			if err := c.Activate(now); err != nil {
				return err
			}
			if err := r.Customers.Update(ctx, c); err != nil {
				return err
			}
		case otp.PurposeLogin:
			if err := c.EnsureActive(); err != nil {
				return err
			}
			if err := r.Bindings.Bind(ctx, cmd.Partner.ID(), c.ID(), now); err != nil {
				return err
			}
		}
		out = OTPValidated{Customer: c, Purpose: purpose}
		if purpose == otp.PurposeTransaction {
			return nil
		}
		token, err := session.NewToken(a.rand)
		if err != nil {
			return err
		}
		s := session.Start(a.ids.New(), token, cmd.Partner.ID(), c.ID(), now, a.cfg.SessionTTL)
		if err := r.Sessions.Add(ctx, s); err != nil {
			return err
		}
		out.Token, out.ExpiresIn = token, int(a.cfg.SessionTTL.Seconds())
		return nil
	})
	if err != nil {
		return OTPValidated{}, fmt.Errorf("validate otp: %w", err)
	}
	if verr != nil {
		return OTPValidated{}, verr
	}
	return out, nil
}
