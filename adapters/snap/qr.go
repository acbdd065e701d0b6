package snap

import (
	"context"

	"github.com/dompet/wallet/app"
)

type qrDecodeRequest struct {
	PartnerReferenceNo string  `json:"partnerReferenceNo" validate:"max=64"`
	QRContent          string  `json:"qrContent" validate:"required,max=512"`
	Amount             *Amount `json:"amount"`
	ScanTime           string  `json:"scanTime"`
}

type qrDecodeResponse struct {
	Head
	PartnerReferenceNo string         `json:"partnerReferenceNo,omitempty"`
	MerchantID         string         `json:"merchantId"`
	MerchantName       string         `json:"merchantName"`
	MerchantCategory   string         `json:"merchantCategory"`
	MerchantLocation   string         `json:"merchantLocation"`
	TransactionAmount  *Amount        `json:"transactionAmount,omitempty"`
	FeeAmount          *Amount        `json:"feeAmount,omitempty"`
	AdditionalInfo     map[string]any `json:"additionalInfo"`
}

// qrDecode is service 48: merchant, amount and fee of a QRIS payload.
func (s *Server) qrDecode(ctx context.Context, c *call) (answer, error) {
	var req qrDecodeRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	requested, err := optionalRupiah(req.Amount, "amount")
	if err != nil {
		return nil, err
	}
	qr, err := s.app.DecodeQRIS(ctx, c.partner, req.QRContent)
	if err != nil {
		return nil, err
	}
	out := &qrDecodeResponse{PartnerReferenceNo: req.PartnerReferenceNo, MerchantID: qr.NMID(), MerchantName: qr.MerchantName(),
		MerchantCategory: qr.MCC(), MerchantLocation: qr.MerchantCity(),
		AdditionalInfo: map[string]any{"pointOfInitiation": string(qr.Initiation()), "postalCode": qr.PostalCode()}}
	price, fixed := qr.Amount()
	if !fixed {
		price = requested
	}
	if price > 0 {
		a, fee := idr(price), idr(qr.Fee(price))
		out.TransactionAmount, out.FeeAmount = &a, &fee
	}
	return out, nil
}

type qrPaymentRequest struct {
	PartnerReferenceNo string  `json:"partnerReferenceNo" validate:"required,max=64"`
	CustomerNumber     string  `json:"customerNumber" validate:"required,max=32"`
	QRContent          string  `json:"qrContent" validate:"required,max=512"`
	MerchantID         string  `json:"merchantId" validate:"max=64"`
	Amount             *Amount `json:"amount" validate:"required"`
	FeeAmount          *Amount `json:"feeAmount"`
}

type qrPaymentResponse struct {
	Head
	ReferenceNo        string `json:"referenceNo"`
	PartnerReferenceNo string `json:"partnerReferenceNo"`
	TransactionDate    string `json:"transactionDate"`
	Amount             Amount `json:"amount"`
}

// qrPayment is service 50: pays a QRIS merchant from a bound customer's
// wallet. The switch answers later, so the answer is 202xx00; qr-mpm-query
// (51) and the webhook tell the end. feeAmount is the tip of QRs that ask
// the payer for one.
func (s *Server) qrPayment(ctx context.Context, c *call) (answer, error) {
	var req qrPaymentRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	amount, err := rupiah(req.Amount, "amount")
	if err != nil {
		return nil, err
	}
	tip, err := optionalRupiah(req.FeeAmount, "feeAmount")
	if err != nil {
		return nil, err
	}
	paid, err := s.app.PayQRIS(ctx, app.PayQRIS{Partner: c.partner, ExternalID: app.SNAPReference(req.PartnerReferenceNo),
		MobileNumber: req.CustomerNumber, QRContent: req.QRContent, Amount: amount, Tip: tip})
	if _, err := moved(paid.Moved, err); err != nil {
		return nil, err
	}
	t := paid.Transaction
	out := &qrPaymentResponse{ReferenceNo: t.ID(), PartnerReferenceNo: req.PartnerReferenceNo,
		TransactionDate: iso(t.CreatedAt()), Amount: idr(t.Amount())}
	if t.Pending() {
		out.Head = inProgress(c.svc)
	}
	return out, nil
}
