package app

import (
	"context"
	"fmt"
	"time"

	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/qris"
	"github.com/dompet/wallet/domain/transfer"
)

// QRISPayment is a payment to a QRIS merchant as sent to the switch.
// Reference is the reffId; the switch treats a repeated reference as the
// same payment.
type QRISPayment struct {
	Reference   string
	Payload     string // the merchant's QR
	NMID        string
	Amount      int64 // price plus tip or convenience fee
	SubmittedAt time.Time
}

// QRISSwitch routes QRIS payments to the merchant's acquirer. Results are
// asynchronous: Pay usually answers Pending; Status tells the outcome
// (Unknown when the switch never received the payment). An error means the
// outcome is unknown.
type QRISSwitch interface {
	Pay(ctx context.Context, p QRISPayment) (DisbursementResult, error)
	Status(ctx context.Context, p QRISPayment) (DisbursementResult, error)
}

// PayQRIS is a partner paying a QRIS merchant from its customer's wallet.
type PayQRIS struct {
	Partner      *partner.Partner
	ExternalID   string
	MobileNumber string
	QRContent    string
	Amount       int64 // required for a static QR without an amount; must match a dynamic QR's
	Tip          int64 // for QRs that prompt the payer for a tip
}

// QRISPaid is a held QRIS payment in flight.
type QRISPaid struct {
	Moved
	Price int64 // the merchant's price, before tip or convenience fee
	QR    *qris.Payload
}

// PayQRIS holds price + tip/fee, submits the payment to the QRIS switch and
// answers "in process"; the settlement job (or an early final answer from
// the switch) captures into QRIS settlement or releases.
// Errors: Forbidden, InvalidMobile, Invalid (amounts), QRISInvalid,
// NotFound, AccountNotActive, LimitExceeded, InsufficientBalance,
// DestinationRejected.
func (a *App) PayQRIS(ctx context.Context, cmd PayQRIS) (_ QRISPaid, retErr error) {
	ctx, end := a.span(ctx, "PayQRIS")
	defer func() { end(retErr) }()
	if err := cmd.Partner.RequireRole(partner.RolePartner); err != nil {
		return QRISPaid{}, err
	}
	qr, err := qris.Parse(cmd.QRContent)
	if err != nil {
		return QRISPaid{}, err
	}
	price, fee, err := qrisAmounts(qr, cmd.Amount, cmd.Tip)
	if err != nil {
		return QRISPaid{}, err
	}
	total := price + fee
	if err := a.cfg.Money.QRIS.Check(total); err != nil {
		return QRISPaid{}, err
	}
	mobile, err := a.phones.Normalize(cmd.MobileNumber)
	if err != nil {
		return QRISPaid{}, err
	}
	held, err := a.move(ctx, cmd.Partner.ID(), cmd.ExternalID, func(ctx context.Context, r Repos) (Moved, error) {
		c, err := boundTo(ctx, r, cmd.Partner, mobile)
		if err != nil {
			return Moved{}, err
		}
		if err := c.EnsureActive(); err != nil {
			return Moved{}, err
		}
		pocket, err := r.Accounts.PocketOf(ctx, c.ID(), true)
		if err != nil {
			return Moved{}, err
		}
		now := a.now()
		// The merchant receives price + tip/fee; the platform charges no
		// service fee on QRIS.
		t, err := transfer.Start(transfer.New{ID: a.ids.New(), Type: transfer.TypeQRIS, PartnerID: cmd.Partner.ID(),
			CustomerID: c.ID(), Counterparty: qr.MerchantName(), Amount: total, Reference: qr.NMID(),
			ExternalID: cmd.ExternalID, QRIS: qr.Raw()}, now)
		if err != nil {
			return Moved{}, err
		}
		before := pocket.Balance()
		if err := hold(ctx, r, pocket, t); err != nil {
			return Moved{}, err
		}
		if err := r.Jobs.SettleBankTransfer(ctx, t.ID(), now.Add(a.cfg.Money.SettleAfter)); err != nil {
			return Moved{}, err
		}
		return Moved{Transaction: t, Customer: c, BalanceBefore: before, BalanceAfter: pocket.Balance()}, nil
	}, func(prev *transfer.Transaction, payer *customer.Customer) bool {
		return prev.Type() == transfer.TypeQRIS && prev.Amount() == total && payer.Mobile() == mobile && prev.QRISPayload() == qr.Raw()
	})
	if err != nil {
		return QRISPaid{}, fmt.Errorf("qris payment: %w", err)
	}
	out := QRISPaid{Moved: held, Price: price, QR: qr}
	if !held.Transaction.Pending() {
		return out, nil
	}
	res, err := a.qris.Pay(ctx, qrisPayment(held.Transaction))
	if err != nil {
		a.log.WarnContext(ctx, "QRIS payment outcome unknown; the settlement job will ask", "reffId", held.Transaction.ID(), "err", err)
		return out, nil
	}
	settled, err := a.settle(ctx, held.Transaction.ID(), res)
	if err != nil {
		return QRISPaid{}, err
	}
	out.Transaction = settled.Transaction
	if settled.Transaction.Status() == transfer.StatusFailed {
		return out, ErrDestinationRejected
	}
	return out, nil
}

// qrisAmounts applies the QR's amount and tip rules to the request.
func qrisAmounts(qr *qris.Payload, requested, tip int64) (price, fee int64, err error) {
	if requested < 0 || tip < 0 {
		return 0, 0, fault.Invalidf("amount", "must not be negative")
	}
	price, fixed := qr.Amount()
	switch {
	case fixed && requested != 0 && requested != price:
		return 0, 0, fault.Invalidf("amount", "differs from the amount in the QR (%d)", price)
	case !fixed && requested == 0:
		return 0, 0, fault.Invalidf("amount", "is required for a QR without an amount")
	case !fixed:
		price = requested
	}
	rule := qr.TipRule()
	if tip != 0 && rule.Kind() != qris.TipPrompt {
		return 0, 0, fault.Invalidf("tip", "this QR does not take a tip")
	}
	if rule.Kind() == qris.TipPrompt {
		return price, tip, nil
	}
	return price, qr.Fee(price), nil
}

func qrisPayment(t *transfer.Transaction) QRISPayment {
	return QRISPayment{Reference: t.ID(), Payload: t.QRISPayload(), NMID: t.Reference(), Amount: t.Amount(), SubmittedAt: t.CreatedAt()}
}
