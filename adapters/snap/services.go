package snap

import (
	"context"
	"time"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/transfer"
	"github.com/dompet/wallet/domain/wallet"
)

// services lists every SNAP service this door answers (SNAP.md §5).
func (s *Server) services() []*service {
	return []*service{
		{code: "11", path: "balance-inquiry", run: s.balanceInquiry, customerField: "accountNo", role: partner.RolePartner},
		{code: "12", path: "transaction-history-list", run: s.historyList, customerField: "customerNumber", role: partner.RolePartner},
		{code: "13", path: "transaction-history-detail", run: s.historyDetail, role: partner.RolePartner},
		{code: "24", path: "transfer-va/inquiry", run: s.vaInquiry, role: partner.RoleChannel},
		{code: "25", path: "transfer-va/payment", run: s.vaPayment, role: partner.RoleChannel},
		{code: "26", path: "transfer-va/status", run: s.vaStatus, role: partner.RoleChannel},
		{code: "36", path: "transfer/status", run: s.status(transfer.TypeBank), role: partner.RolePartner},
		{code: "37", path: "emoney/account-inquiry", run: s.topUpInquiry, customerField: "customerNumber", role: partner.RoleChannel},
		{code: "38", path: "emoney/topup", run: s.topUp, customerField: "customerNumber", role: partner.RoleChannel},
		{code: "39", path: "emoney/topup-status", run: s.status(transfer.TypeTopUpRetail, transfer.TypeTopUpVA), role: partner.RoleChannel},
		{code: "42", path: "emoney/bank-account-inquiry", run: s.bankAccountInquiry, customerField: "customerNumber", role: partner.RolePartner},
		{code: "43", path: "emoney/transfer-bank", run: s.transferBank, customerField: "customerNumber", role: partner.RolePartner},
		{code: "44", path: "emoney/otc-cashout", run: s.cashOut, customerField: "customerNumber", role: partner.RolePartner},
		{code: "45", path: "emoney/otc-status", run: s.status(transfer.TypeCashOut), role: partner.RolePartner},
		{code: "46", path: "emoney/otc-cancel", run: s.cancelCashOut, role: partner.RolePartner},
		{code: "48", path: "qr/qr-mpm-decode", run: s.qrDecode, role: partner.RolePartner},
		{code: "50", path: "qr/qr-mpm-payment", run: s.qrPayment, customerField: "customerNumber", role: partner.RolePartner},
		{code: "51", path: "qr/qr-mpm-query", run: s.status(transfer.TypeQRIS), role: partner.RolePartner},
		{code: "54", path: "debit/payment-host-to-host", run: s.debitPayment, customerField: "customerNumber", role: partner.RolePartner},
		{code: "55", path: "debit/status", run: s.status(transfer.TypePayment), role: partner.RolePartner},
		{code: "58", path: "debit/refund", run: s.debitRefund, role: partner.RolePartner},
		// Registration, binding and OTP belong to customer-present flows
		// with B2B2C tokens; this product registers customers through the
		// legacy door and GraphQL (ADR 0007).
		{code: "06", path: "registration-account-creation", run: notSupported},
		{code: "07", path: "registration-account-binding", run: notSupported},
		{code: "81", path: "otp", run: notSupported},
	}
}

func notSupported(context.Context, *call) (answer, error) { return nil, errNotSupported }

// iso renders a time as SNAP does: ISO 8601 in WIB.
func iso(t time.Time) string { return t.In(wallet.WIB).Format(time.RFC3339) }

// moved refuses a money answer that only found an earlier movement: the
// partnerReferenceNo (or paymentRequestId, partnerRefundNo) already moved
// money, which SNAP answers 409xx01.
func moved(m app.Moved, err error) (app.Moved, error) {
	if err == nil && m.Replayed {
		return app.Moved{}, errDuplicateRef
	}
	return m, err
}

// statusRequest is SNAP's status shape.
type statusRequest struct {
	OriginalPartnerReferenceNo string `json:"originalPartnerReferenceNo" validate:"max=64"`
	OriginalReferenceNo        string `json:"originalReferenceNo" validate:"max=64"`
	OriginalExternalID         string `json:"originalExternalId" validate:"max=36"`
	ServiceCode                string `json:"serviceCode" validate:"max=2"`
}

type statusResponse struct {
	Head
	OriginalPartnerReferenceNo string         `json:"originalPartnerReferenceNo,omitempty"`
	OriginalReferenceNo        string         `json:"originalReferenceNo"`
	OriginalExternalID         string         `json:"originalExternalId,omitempty"`
	ServiceCode                string         `json:"serviceCode"`
	LatestTransactionStatus    string         `json:"latestTransactionStatus"`
	TransactionStatusDesc      string         `json:"transactionStatusDesc"`
	TransactionDate            string         `json:"transactionDate"`
	Amount                     Amount         `json:"amount"`
	FeeAmount                  Amount         `json:"feeAmount"`
	AdditionalInfo             map[string]any `json:"additionalInfo,omitempty"`
}

// lookup finds the caller's transaction by our reference number or by its
// partnerReferenceNo; a transaction of another type is not found.
func (c *call) lookup(ctx context.Context, partnerRef, ref string, types ...transfer.Type) (*transfer.Transaction, error) {
	var t *transfer.Transaction
	var err error
	switch {
	case ref != "":
		t, err = c.s.app.TransactionStatus(ctx, c.partner, ref)
		if err == nil && partnerRef != "" && app.SNAPOriginalReference(t) != partnerRef {
			return nil, transfer.ErrNotFound
		}
	case partnerRef != "":
		t, err = c.s.app.TransactionByReference(ctx, c.partner, partnerRef)
	default:
		return nil, mandatory("originalPartnerReferenceNo")
	}
	if err != nil {
		return nil, err
	}
	if len(types) > 0 && !typeIn(t.Type(), types) {
		return nil, transfer.ErrNotFound
	}
	return t, nil
}

func typeIn(t transfer.Type, types []transfer.Type) bool {
	for _, x := range types {
		if t == x {
			return true
		}
	}
	return false
}

// status answers the status services (36, 39, 45, 51, 55).
func (s *Server) status(types ...transfer.Type) func(ctx context.Context, c *call) (answer, error) {
	return func(ctx context.Context, c *call) (answer, error) {
		var req statusRequest
		if err := c.decode(&req); err != nil {
			return nil, err
		}
		t, err := c.lookup(ctx, req.OriginalPartnerReferenceNo, req.OriginalReferenceNo, types...)
		if err != nil {
			return nil, err
		}
		code, desc := transactionStatus(t)
		svc := req.ServiceCode
		if svc == "" {
			svc = serviceOf(t)
		}
		return &statusResponse{OriginalPartnerReferenceNo: app.SNAPOriginalReference(t), OriginalReferenceNo: t.ID(),
			OriginalExternalID: req.OriginalExternalID, ServiceCode: svc, LatestTransactionStatus: code,
			TransactionStatusDesc: desc, TransactionDate: iso(t.CreatedAt()), Amount: idr(t.Amount()), FeeAmount: idr(t.Fee())}, nil
	}
}

// transactionStatus is latestTransactionStatus and its description.
func transactionStatus(t *transfer.Transaction) (string, string) {
	return app.SNAPStatus(t.Type(), t.Status(), t.Refunded() > 0 && t.Refunded() == t.Amount())
}

// serviceOf is the SNAP service that starts a transaction of t's type.
func serviceOf(t *transfer.Transaction) string {
	switch t.Type() {
	case transfer.TypeTopUpVA:
		return "25"
	case transfer.TypeTopUpRetail:
		return "38"
	case transfer.TypePayment:
		return "54"
	case transfer.TypeRefund:
		return "58"
	case transfer.TypeBank:
		return "43"
	case transfer.TypeCashOut:
		return "44"
	case transfer.TypeQRIS:
		return "50"
	}
	return ""
}

// requirePartnerRole refuses CHANNEL callers before anything is read.
func requirePartnerRole(p *partner.Partner) error { return p.RequireRole(partner.RolePartner) }
