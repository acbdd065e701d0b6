package snap

import (
	"context"
	"strings"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/transfer"
)

// A SNAP virtual account number is partnerServiceId (8 characters, left
// padded with spaces) followed by customerNo; the platform's VA number is
// the same digits without the padding: bank prefix + the mobile number as
// dialled in Indonesia.

type vaFields struct {
	PartnerServiceID string `json:"partnerServiceId" validate:"required,max=8"`
	CustomerNo       string `json:"customerNo" validate:"required,max=20"`
	VirtualAccountNo string `json:"virtualAccountNo" validate:"required,max=28"`
}

// number checks that the three fields agree and returns the VA number.
func (f vaFields) number() (string, error) {
	va := strings.ReplaceAll(f.VirtualAccountNo, " ", "")
	if va != strings.TrimSpace(f.PartnerServiceID)+strings.TrimSpace(f.CustomerNo) {
		return "", fault.Invalidf("virtualAccountNo", "must be partnerServiceId followed by customerNo")
	}
	return va, nil
}

type vaData struct {
	PartnerServiceID   string         `json:"partnerServiceId"`
	CustomerNo         string         `json:"customerNo"`
	VirtualAccountNo   string         `json:"virtualAccountNo"`
	VirtualAccountName string         `json:"virtualAccountName,omitempty"`
	InquiryRequestID   string         `json:"inquiryRequestId,omitempty"`
	PaymentRequestID   string         `json:"paymentRequestId,omitempty"`
	TotalAmount        *Amount        `json:"totalAmount,omitempty"`
	PaidAmount         *Amount        `json:"paidAmount,omitempty"`
	PaymentFlagStatus  string         `json:"paymentFlagStatus,omitempty"`
	PaymentFlagReason  *flagReason    `json:"paymentFlagReason,omitempty"`
	AdditionalInfo     map[string]any `json:"additionalInfo,omitempty"`
}

type flagReason struct {
	English   string `json:"english"`
	Indonesia string `json:"indonesia"`
}

type vaResponse struct {
	Head
	VirtualAccountData vaData `json:"virtualAccountData"`
}

type vaInquiryRequest struct {
	vaFields
	InquiryRequestID string  `json:"inquiryRequestId" validate:"required,max=128"`
	Amount           *Amount `json:"amount"`
}

// vaInquiry is service 24: a bank CHANNEL asks who a VA number belongs to
// and how much it may receive.
func (s *Server) vaInquiry(ctx context.Context, c *call) (answer, error) {
	var req vaInquiryRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	va, err := req.number()
	if err != nil {
		return nil, err
	}
	amount, err := optionalRupiah(req.Amount, "amount")
	if err != nil {
		return nil, err
	}
	q, err := s.app.InquireVA(ctx, app.VAInquiry{Partner: c.partner, VANumber: va, Amount: amount})
	if err != nil {
		return nil, err
	}
	d := vaData{PartnerServiceID: req.PartnerServiceID, CustomerNo: req.CustomerNo, VirtualAccountNo: req.VirtualAccountNo,
		VirtualAccountName: q.Customer.FullName(), InquiryRequestID: req.InquiryRequestID,
		AdditionalInfo: map[string]any{"minAmount": idr(q.MinAmount), "maxAmount": idr(q.MaxAmount)}}
	if amount > 0 {
		a := idr(amount)
		d.TotalAmount = &a
	}
	return &vaResponse{VirtualAccountData: d}, nil
}

type vaPaymentRequest struct {
	vaFields
	PaymentRequestID string  `json:"paymentRequestId" validate:"required,max=64"`
	PaidAmount       *Amount `json:"paidAmount" validate:"required"`
	TrxDateTime      string  `json:"trxDateTime"`
}

// vaPayment is service 25: the bank tells that money arrived on a VA. The
// paymentRequestId is the bank's reference: a repeat credits nothing and
// answers 409xx01.
func (s *Server) vaPayment(ctx context.Context, c *call) (answer, error) {
	var req vaPaymentRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	va, err := req.number()
	if err != nil {
		return nil, err
	}
	amount, err := rupiah(req.PaidAmount, "paidAmount")
	if err != nil {
		return nil, err
	}
	m, err := moved(s.app.PayVA(ctx, app.VAPayment{Partner: c.partner, ExternalID: app.SNAPReference(req.PaymentRequestID),
		VANumber: va, Amount: amount, BankReference: req.PaymentRequestID}))
	if err != nil {
		return nil, err
	}
	paid := idr(m.Transaction.Amount())
	return &vaResponse{VirtualAccountData: vaData{PartnerServiceID: req.PartnerServiceID, CustomerNo: req.CustomerNo,
		VirtualAccountNo: req.VirtualAccountNo, VirtualAccountName: m.Customer.FullName(), PaymentRequestID: req.PaymentRequestID,
		PaidAmount: &paid, PaymentFlagStatus: "00", PaymentFlagReason: &flagReason{"Success", "Sukses"},
		AdditionalInfo: map[string]any{"referenceNo": m.Transaction.ID()}}}, nil
}

type vaStatusRequest struct {
	vaFields
	InquiryRequestID string `json:"inquiryRequestId" validate:"max=128"`
	PaymentRequestID string `json:"paymentRequestId" validate:"required,max=64"`
}

// vaStatus is service 26: the bank asks whether its payment was applied.
func (s *Server) vaStatus(ctx context.Context, c *call) (answer, error) {
	var req vaStatusRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	va, err := req.number()
	if err != nil {
		return nil, err
	}
	t, err := c.lookup(ctx, req.PaymentRequestID, "", transfer.TypeTopUpVA)
	if err != nil {
		return nil, err
	}
	if !strings.HasSuffix(t.Counterparty(), " "+va) {
		return nil, transfer.ErrNotFound
	}
	code, desc := transactionStatus(t)
	paid := idr(t.Amount())
	return &vaResponse{VirtualAccountData: vaData{PartnerServiceID: req.PartnerServiceID, CustomerNo: req.CustomerNo,
		VirtualAccountNo: req.VirtualAccountNo, InquiryRequestID: req.InquiryRequestID, PaymentRequestID: req.PaymentRequestID,
		PaidAmount: &paid, PaymentFlagStatus: code, PaymentFlagReason: &flagReason{desc, desc},
		AdditionalInfo: map[string]any{"referenceNo": t.ID(), "transactionDate": iso(t.CreatedAt())}}}, nil
}
