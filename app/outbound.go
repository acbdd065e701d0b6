package app

import (
	"context"
	"time"
)

// The bank gateway and the QRIS switch are called on the request path. A
// provider that does not answer must not use up the request's deadline:
// after its call the request still has to answer "in process" (the money
// is held and the settlement job asks again). So each call gets at most
// MoneyConfig.GatewayTimeout, whatever the adapter's own timeout is.

type boundedBank struct {
	BankGateway
	d time.Duration
}

func (b boundedBank) InquireAccount(ctx context.Context, bankCode, account string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, b.d)
	defer cancel()
	return b.BankGateway.InquireAccount(ctx, bankCode, account)
}

func (b boundedBank) Disburse(ctx context.Context, d Disbursement) (DisbursementResult, error) {
	ctx, cancel := context.WithTimeout(ctx, b.d)
	defer cancel()
	return b.BankGateway.Disburse(ctx, d)
}

func (b boundedBank) Status(ctx context.Context, d Disbursement) (DisbursementResult, error) {
	ctx, cancel := context.WithTimeout(ctx, b.d)
	defer cancel()
	return b.BankGateway.Status(ctx, d)
}

type boundedQRIS struct {
	QRISSwitch
	d time.Duration
}

func (q boundedQRIS) Pay(ctx context.Context, p QRISPayment) (DisbursementResult, error) {
	ctx, cancel := context.WithTimeout(ctx, q.d)
	defer cancel()
	return q.QRISSwitch.Pay(ctx, p)
}

func (q boundedQRIS) Status(ctx context.Context, p QRISPayment) (DisbursementResult, error) {
	ctx, cancel := context.WithTimeout(ctx, q.d)
	defer cancel()
	return q.QRISSwitch.Status(ctx, p)
}

// bounded wraps the providers with d (d <= 0: unbounded).
func bounded(out Gateways, d time.Duration) Gateways {
	if d <= 0 {
		return out
	}
	if out.Bank != nil {
		out.Bank = boundedBank{BankGateway: out.Bank, d: d}
	}
	if out.QRIS != nil {
		out.QRIS = boundedQRIS{QRISSwitch: out.QRIS, d: d}
	}
	return out
}
