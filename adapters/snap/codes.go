package snap

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/transfer"
)

// Case is how an error looks in a SNAP responseCode: HTTP status (the first
// three digits) and case code (the last two), with the responseMessage of
// SNAP.md §3. "{field}" in Message is replaced by the offending field and
// "[reason]" by the error's safe detail.
type Case struct {
	HTTP    int
	Case    string
	Message string
	// Field names the field for kinds whose errors carry none.
	Field string
}

// Cases maps every fault kind to its SNAP case: the SNAP counterpart of the
// legacy table (adapters/httpapi Codes). The service code comes from the
// route.
var Cases = map[fault.Kind]Case{
	fault.Internal:            {500, "01", "Internal Server Error", ""},
	fault.Invalid:             {400, "01", "Invalid Field Format {field}", ""},
	fault.InvalidMobile:       {400, "01", "Invalid Field Format {field}", "customerNumber"},
	fault.TooLarge:            {400, "00", "Bad Request", ""},
	fault.Unauthenticated:     {401, "00", "Unauthorized. [Signature]", ""},
	fault.Forbidden:           {403, "01", "Feature Not Allowed [reason]", ""},
	fault.NotFound:            {404, "11", "Invalid Card/Account/Customer/Virtual Account", ""},
	fault.AlreadyRegistered:   {409, "00", "Conflict", ""},
	fault.AccountNotActive:    {403, "18", "Inactive Card/Account/Customer", ""},
	fault.OTPInvalid:          {404, "15", "Invalid OTP", ""},
	fault.OTPExpired:          {403, "12", "OTP Lifetime Expired", ""},
	fault.OTPTooManyAttempts:  {403, "11", "OTP Blocked", ""},
	fault.OTPTooFrequent:      {429, "00", "Too Many Requests", ""},
	fault.InsufficientBalance: {403, "14", "Insufficient Funds", ""},
	fault.LimitExceeded:       {403, "02", "Exceeds Transaction Amount Limit", ""},
	fault.KYCLevel:            {403, "15", "Transaction Not Permitted. [reason]", ""},
	fault.IdempotencyConflict: {409, "00", "Conflict", ""},
	fault.BankAccountInvalid:  {404, "11", "Invalid Card/Account/Customer/Virtual Account", ""},
	fault.QRISInvalid:         {400, "01", "Invalid Field Format {field}", "qrContent"},
	fault.DestinationRejected: {403, "05", "Do Not Honor", ""},
	fault.Unavailable:         {500, "00", "General Error", ""},
}

// Errors the adapter makes itself.
var (
	// errMandatory marks a missing field (400xx02).
	errMandatory = errors.New("mandatory field missing")
	// errDuplicateRef is a partnerReferenceNo that already moved money.
	errDuplicateRef = fault.New(fault.IdempotencyConflict, "partnerReferenceNo was already used")
	// errNotSupported answers the services this product does not offer
	// (ADR 0007).
	errNotSupported = errors.New("requested function is not supported")
	// errBadRequest is a body that is not a JSON object.
	errBadRequest = fault.New(fault.Invalid, "body is not a JSON object")
)

// refinements narrow a kind where SNAP has a more precise case than the
// kind alone tells; the first match wins.
var refinements = []struct {
	err error
	c   Case
}{
	{errMandatory, Case{400, "02", "Invalid Mandatory Field {field}", ""}},
	{errNotSupported, Case{405, "00", "Requested Function Is Not Supported", ""}},
	{app.ErrSNAPTokenInvalid, Case{401, "01", "Invalid Token (B2B)", ""}},
	{errDuplicateRef, Case{409, "01", "Duplicate partnerReferenceNo", ""}},
	{transfer.ErrExternalIDReused, Case{409, "01", "Duplicate partnerReferenceNo", ""}},
	{transfer.ErrReferenceReused, Case{409, "01", "Duplicate partnerReferenceNo", ""}},
	{transfer.ErrOrderIDUsed, Case{409, "01", "Duplicate partnerReferenceNo", ""}},
	{transfer.ErrNotFound, Case{404, "01", "Transaction Not Found", ""}},
	{app.ErrUnknownVA, Case{404, "12", "Invalid Bill/Virtual Account [reason]", ""}},
	{app.ErrCashOutClosed, Case{404, "00", "Invalid Transaction Status", ""}},
	{transfer.ErrNotRefundable, Case{404, "00", "Invalid Transaction Status", ""}},
	{transfer.ErrRefundExceeds, Case{404, "13", "Invalid Amount", ""}},
	{app.ErrGatewayUnavailable, Case{500, "02", "External Server Error", ""}},
}

// describe returns the responseCode and responseMessage of err for a
// service; internal details never reach the message.
func describe(err error, svc *service) (code, msg string, status int) {
	f, ok := fault.As(err)
	switch {
	case !ok && errors.Is(err, context.DeadlineExceeded):
		// The request deadline ran out: General Error, the retryable one.
		f = &fault.Error{Kind: fault.Unavailable}
	case !ok:
		f = &fault.Error{Kind: fault.Internal}
	}
	c, ok := Cases[f.Kind]
	if !ok {
		c = Cases[fault.Internal]
	}
	if f.Kind == fault.Invalid && f.Field == "" {
		c = Cases[fault.TooLarge] // Bad Request
	}
	for _, r := range refinements {
		if errors.Is(err, r.err) {
			c = r.c
			break
		}
	}
	field := f.Field
	if field == "" {
		field = c.Field
	}
	if f.Kind == fault.InvalidMobile && svc.customerField != "" {
		field = svc.customerField
	}
	msg = strings.Replace(c.Message, "{field}", field, 1)
	reason := ""
	if f.Kind != fault.Internal && f.Kind != fault.Unavailable {
		reason = f.Detail
	}
	if reason == "" {
		msg = strings.TrimSpace(strings.Replace(msg, "[reason]", "", 1))
	} else {
		msg = strings.Replace(msg, "[reason]", "["+reason+"]", 1)
	}
	if len(msg) > 150 {
		msg = msg[:150]
	}
	return fmt.Sprintf("%d%s%s", c.HTTP, svc.code, c.Case), msg, c.HTTP
}

// mandatory reports a missing field.
func mandatory(field string) error {
	return fmt.Errorf("%w: %w", errMandatory, fault.Invalidf(field, "is mandatory"))
}
