package httpapi

import (
	"context"
	"errors"

	"github.com/dompet/wallet/domain/fault"
)

// Code is how one fault kind looks on the wire.
type Code struct {
	HTTP   int
	Legacy int
	Name   string // GraphQL extensions.code
	EN, ID string
}

// Codes maps every fault kind to SPEC §2. GraphQL uses the same table.
var Codes = map[fault.Kind]Code{
	fault.Internal:            {500, 99, "INTERNAL", "Internal error", "Terjadi kesalahan internal"},
	fault.Invalid:             {400, 10, "INVALID_REQUEST", "Invalid request", "Permintaan tidak valid"},
	fault.InvalidMobile:       {400, 11, "INVALID_MOBILE_NUMBER", "Invalid mobile number", "Nomor ponsel tidak valid"},
	fault.TooLarge:            {413, 12, "REQUEST_TOO_LARGE", "Request body too large", "Isi permintaan terlalu besar"},
	fault.Unauthenticated:     {401, 20, "UNAUTHENTICATED", "Unauthenticated", "Autentikasi gagal"},
	fault.Forbidden:           {403, 21, "FORBIDDEN", "Forbidden", "Akses ditolak"},
	fault.NotFound:            {404, 30, "NOT_FOUND", "Not found", "Data tidak ditemukan"},
	fault.AlreadyRegistered:   {409, 31, "ALREADY_REGISTERED", "Already registered", "Nomor sudah terdaftar"},
	fault.AccountNotActive:    {403, 32, "ACCOUNT_NOT_ACTIVE", "Account not active", "Akun tidak aktif"},
	fault.OTPInvalid:          {400, 40, "OTP_INVALID", "OTP invalid", "OTP tidak valid"},
	fault.OTPExpired:          {400, 41, "OTP_EXPIRED", "OTP expired or already used", "OTP kedaluwarsa atau sudah digunakan"},
	fault.OTPTooManyAttempts:  {429, 42, "OTP_TOO_MANY_ATTEMPTS", "Too many OTP attempts", "Terlalu banyak percobaan OTP"},
	fault.OTPTooFrequent:      {429, 43, "OTP_TOO_FREQUENT", "OTP requested too often", "OTP terlalu sering diminta"},
	fault.InsufficientBalance: {422, 50, "INSUFFICIENT_BALANCE", "Insufficient balance", "Saldo tidak mencukupi"},
	fault.LimitExceeded:       {422, 51, "LIMIT_EXCEEDED", "Limit exceeded", "Melebihi batas"},
	fault.KYCLevel:            {403, 52, "KYC_LEVEL_NOT_ALLOWED", "Not allowed for this KYC level", "Tidak diizinkan untuk tingkat KYC ini"},
	fault.IdempotencyConflict: {409, 60, "IDEMPOTENCY_CONFLICT", "Idempotency conflict", "Konflik idempotensi"},
	fault.BankAccountInvalid:  {422, 70, "BANK_ACCOUNT_INVALID", "Bank account invalid", "Rekening bank tidak valid"},
	fault.QRISInvalid:         {422, 71, "QRIS_INVALID", "QRIS payload invalid", "Data QRIS tidak valid"},
	fault.DestinationRejected: {422, 72, "DESTINATION_REJECTED", "Destination rejected the transaction", "Transaksi ditolak tujuan"},
	fault.Unavailable:         {503, 90, "DEPENDENCY_UNAVAILABLE", "Service temporarily unavailable, retry with the same X-EXTERNAL-ID", "Layanan sedang tidak tersedia, ulangi dengan X-EXTERNAL-ID yang sama"},
}

// Describe returns the wire code and the client-safe message for err in the
// requested language. Internal errors never reveal their text.
func Describe(err error, indonesian bool) (Code, string) {
	f, ok := fault.As(err)
	switch {
	case !ok && errors.Is(err, context.DeadlineExceeded):
		// The request's deadline (Deadline) ran out in a dependency that
		// did not classify it: still a "retry", never an internal error.
		f = &fault.Error{Kind: fault.Unavailable}
	case !ok:
		f = &fault.Error{Kind: fault.Internal}
	}
	c, ok := Codes[f.Kind]
	if !ok {
		c = Codes[fault.Internal]
	}
	msg := c.EN
	if indonesian {
		msg = c.ID
	}
	if f.Kind == fault.Internal || f.Kind == fault.Unavailable {
		return c, msg
	}
	switch {
	case f.Field != "":
		return c, msg + ": " + f.Field + " " + f.Detail
	case (f.Kind == fault.Invalid || f.Kind == fault.LimitExceeded || f.Kind == fault.QRISInvalid ||
		f.Kind == fault.IdempotencyConflict) && f.Detail != "":
		// Code 60 has several causes (a reused X-EXTERNAL-ID, orderId or
		// channel reference): the detail says which.
		return c, msg + ": " + f.Detail
	}
	return c, msg
}
