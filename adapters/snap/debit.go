package snap

import (
	"context"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/transfer"
)

type debitRequest struct {
	PartnerReferenceNo string         `json:"partnerReferenceNo" validate:"required,max=64"`
	CustomerNumber     string         `json:"customerNumber" validate:"required,max=32"`
	MerchantID         string         `json:"merchantId" validate:"max=64"`
	Amount             *Amount        `json:"amount" validate:"required"`
	AdditionalInfo     additionalInfo `json:"additionalInfo"`
}

type debitResponse struct {
	Head
	ReferenceNo        string `json:"referenceNo"`
	PartnerReferenceNo string `json:"partnerReferenceNo"`
	ApprovalCode       string `json:"approvalCode"`
	TransactionDate    string `json:"transactionDate"`
	Amount             Amount `json:"amount"`
}

// debitPayment is service 54: a PARTNER charges its bound customer. The
// partnerReferenceNo is the order id (refunds name it) and the request's
// reference: a second payment with it answers 409xx01.
func (s *Server) debitPayment(ctx context.Context, c *call) (answer, error) {
	var req debitRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	amount, err := rupiah(req.Amount, "amount")
	if err != nil {
		return nil, err
	}
	m, err := moved(s.app.Pay(ctx, app.Pay{Partner: c.partner, ExternalID: app.SNAPReference(req.PartnerReferenceNo),
		MobileNumber: req.CustomerNumber, Amount: amount, OrderID: req.PartnerReferenceNo, Description: req.AdditionalInfo.Remark}))
	if err != nil {
		return nil, err
	}
	t := m.Transaction
	return &debitResponse{ReferenceNo: t.ID(), PartnerReferenceNo: req.PartnerReferenceNo, ApprovalCode: approval(t),
		TransactionDate: iso(t.CreatedAt()), Amount: idr(t.Amount())}, nil
}

// approval is a short code a cashier can read out: the reference's tail.
func approval(t *transfer.Transaction) string {
	id := t.ID()
	if len(id) > 6 {
		return id[len(id)-6:]
	}
	return id
}

type refundRequest struct {
	OriginalPartnerReferenceNo string  `json:"originalPartnerReferenceNo" validate:"max=64"`
	OriginalReferenceNo        string  `json:"originalReferenceNo" validate:"max=64"`
	PartnerRefundNo            string  `json:"partnerRefundNo" validate:"required,max=64"`
	RefundAmount               *Amount `json:"refundAmount" validate:"required"`
	Reason                     string  `json:"reason" validate:"max=255"`
}

type refundResponse struct {
	Head
	OriginalPartnerReferenceNo string `json:"originalPartnerReferenceNo"`
	OriginalReferenceNo        string `json:"originalReferenceNo"`
	RefundNo                   string `json:"refundNo"`
	PartnerRefundNo            string `json:"partnerRefundNo"`
	RefundAmount               Amount `json:"refundAmount"`
	RefundTime                 string `json:"refundTime"`
}

// debitRefund is service 58: the partner returns (part of) a payment. A
// partnerRefundNo used before answers 409xx01.
func (s *Server) debitRefund(ctx context.Context, c *call) (answer, error) {
	var req refundRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	amount, err := rupiah(req.RefundAmount, "refundAmount")
	if err != nil {
		return nil, err
	}
	if err := requirePartnerRole(c.partner); err != nil {
		return nil, err
	}
	pay, err := c.lookup(ctx, req.OriginalPartnerReferenceNo, req.OriginalReferenceNo, transfer.TypePayment)
	if err != nil {
		return nil, err
	}
	if pay.PartnerID() != c.partner.ID() {
		return nil, transfer.ErrNotFound
	}
	m, err := moved(s.app.Refund(ctx, app.RefundPayment{Partner: c.partner, ExternalID: app.SNAPReference(req.PartnerRefundNo),
		OrderID: pay.OrderID(), Amount: amount, Reason: req.Reason}))
	if err != nil {
		return nil, err
	}
	t := m.Transaction
	return &refundResponse{OriginalPartnerReferenceNo: pay.OrderID(), OriginalReferenceNo: pay.ID(), RefundNo: t.ID(),
		PartnerRefundNo: req.PartnerRefundNo, RefundAmount: idr(t.Amount()), RefundTime: iso(t.CreatedAt())}, nil
}
