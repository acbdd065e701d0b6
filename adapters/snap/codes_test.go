package snap

import (
	"errors"
	"fmt"
	"testing"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/transfer"
	"github.com/dompet/wallet/domain/wallet"
)

// TestCasesCoverEveryKind checks the table row by row: every fault kind
// has a SNAP case, and each one is what SNAP.md §3 lists for it.
func TestCasesCoverEveryKind(t *testing.T) {
	t.Parallel()
	want := map[fault.Kind]string{
		fault.Internal:            "5001101 Internal Server Error",
		fault.Invalid:             "4001101 Invalid Field Format amount",
		fault.InvalidMobile:       "4001101 Invalid Field Format accountNo",
		fault.TooLarge:            "4001100 Bad Request",
		fault.Unauthenticated:     "4011100 Unauthorized. [Signature]",
		fault.Forbidden:           "4031101 Feature Not Allowed [detail]",
		fault.NotFound:            "4041111 Invalid Card/Account/Customer/Virtual Account",
		fault.AlreadyRegistered:   "4091100 Conflict",
		fault.AccountNotActive:    "4031118 Inactive Card/Account/Customer",
		fault.OTPInvalid:          "4041115 Invalid OTP",
		fault.OTPExpired:          "4031112 OTP Lifetime Expired",
		fault.OTPTooManyAttempts:  "4031111 OTP Blocked",
		fault.OTPTooFrequent:      "4291100 Too Many Requests",
		fault.InsufficientBalance: "4031114 Insufficient Funds",
		fault.LimitExceeded:       "4031102 Exceeds Transaction Amount Limit",
		fault.KYCLevel:            "4031115 Transaction Not Permitted. [detail]",
		fault.IdempotencyConflict: "4091100 Conflict",
		fault.BankAccountInvalid:  "4041111 Invalid Card/Account/Customer/Virtual Account",
		fault.QRISInvalid:         "4001101 Invalid Field Format qrContent",
		fault.DestinationRejected: "4031105 Do Not Honor",
		fault.Unavailable:         "5001100 General Error",
	}
	svc := &service{code: "11", customerField: "accountNo"}
	for k := fault.Internal; k <= fault.Unavailable; k++ {
		if _, ok := Cases[k]; !ok {
			t.Errorf("kind %d has no SNAP case", k)
			continue
		}
		err := &fault.Error{Kind: k, Detail: "detail"}
		if k == fault.Invalid {
			err.Field = "amount"
		}
		code, msg, status := describe(err, svc)
		if got := code + " " + msg; got != want[k] {
			t.Errorf("kind %d: %q, want %q", k, got, want[k])
		}
		if fmt.Sprint(status) != code[:3] {
			t.Errorf("kind %d: HTTP %d for %s", k, status, code)
		}
	}
	if len(Cases) != len(want) {
		t.Errorf("%d cases for %d kinds", len(Cases), len(want))
	}
}

func TestRefinements(t *testing.T) {
	t.Parallel()
	svc := &service{code: "38", customerField: "customerNumber"}
	for _, tt := range []struct {
		err  error
		want string
	}{
		{mandatory("partnerReferenceNo"), "4003802 Invalid Mandatory Field partnerReferenceNo"},
		{fault.Invalidf("", "x"), "4003800 Bad Request"},
		{errBadRequest, "4003800 Bad Request"},
		{customer.ErrInvalidMobile, "4003801 Invalid Field Format customerNumber"},
		{errNotSupported, "4053800 Requested Function Is Not Supported"},
		{app.ErrSNAPTokenInvalid, "4013801 Invalid Token (B2B)"},
		{partner.ErrSNAPBadSignature, "4013800 Unauthorized. [Signature]"},
		{partner.ErrStaleTimestamp, "4013800 Unauthorized. [Signature]"},
		{errDuplicateRef, "4093801 Duplicate partnerReferenceNo"},
		{fmt.Errorf("pay: %w", transfer.ErrOrderIDUsed), "4093801 Duplicate partnerReferenceNo"},
		{transfer.ErrReferenceReused, "4093801 Duplicate partnerReferenceNo"},
		{transfer.ErrExternalIDReused, "4093801 Duplicate partnerReferenceNo"},
		{app.ErrIdempotencyConflict, "4093800 Conflict"},
		{transfer.ErrNotFound, "4043801 Transaction Not Found"},
		{customer.ErrNotFound, "4043811 Invalid Card/Account/Customer/Virtual Account"},
		{partner.ErrNotBound, "4033801 Feature Not Allowed [customer is not bound to this partner]"},
		{app.ErrUnknownVA, "4043812 Invalid Bill/Virtual Account [virtual account not found]"},
		{app.ErrCashOutClosed, "4043800 Invalid Transaction Status"},
		{transfer.ErrRefundExceeds, "4043813 Invalid Amount"},
		{app.ErrGatewayUnavailable, "5003802 External Server Error"},
		{wallet.ErrInsufficientBalance, "4033814 Insufficient Funds"},
		{errors.New("boom: secret detail"), "5003801 Internal Server Error"},
	} {
		code, msg, _ := describe(tt.err, svc)
		if got := code + " " + msg; got != tt.want {
			t.Errorf("%v: %q, want %q", tt.err, got, tt.want)
		}
	}
}
