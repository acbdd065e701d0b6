package snap

import (
	"context"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/transfer"
)

// The customer is named by its mobile number (08…, 628…, +628…) in
// accountNo (balance) and customerNumber (everything else): ADR 0007.

type balanceRequest struct {
	PartnerReferenceNo string   `json:"partnerReferenceNo" validate:"max=64"`
	AccountNo          string   `json:"accountNo" validate:"required,max=32"`
	BalanceTypes       []string `json:"balanceTypes"`
}

type accountInfo struct {
	BalanceType       string `json:"balanceType"`
	Amount            Amount `json:"amount"`
	FloatAmount       Amount `json:"floatAmount"`
	HoldAmount        Amount `json:"holdAmount"`
	AvailableBalance  Amount `json:"availableBalance"`
	LedgerBalance     Amount `json:"ledgerBalance"`
	CurrentMultiLimit Amount `json:"currentMultilateralLimit"`
	Status            string `json:"status"`
}

type balanceResponse struct {
	Head
	PartnerReferenceNo string        `json:"partnerReferenceNo,omitempty"`
	AccountNo          string        `json:"accountNo"`
	Name               string        `json:"name"`
	AccountInfos       []accountInfo `json:"accountInfos"`
}

// balanceInquiry is service 11: a PARTNER asks for a bound customer's
// balance; anyone else gets 403xx01 and never the balance.
func (s *Server) balanceInquiry(ctx context.Context, c *call) (answer, error) {
	var req balanceRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	v, err := s.app.InquireCustomer(ctx, app.InquireCustomer{Partner: c.partner, MobileNumber: req.AccountNo})
	if err != nil {
		return nil, err
	}
	p := v.Pocket
	status := "0001" // active
	if v.Customer.EnsureActive() != nil {
		status = "0002"
	}
	return &balanceResponse{PartnerReferenceNo: req.PartnerReferenceNo, AccountNo: req.AccountNo, Name: v.Customer.FullName(),
		AccountInfos: []accountInfo{{BalanceType: "Cash", Amount: idr(p.Balance()), FloatAmount: idr(0), HoldAmount: idr(p.Held()),
			AvailableBalance: idr(p.Available()), LedgerBalance: idr(p.Balance()), CurrentMultiLimit: idr(0), Status: status}}}, nil
}

type topUpInquiryRequest struct {
	PartnerReferenceNo string  `json:"partnerReferenceNo" validate:"max=64"`
	CustomerNumber     string  `json:"customerNumber" validate:"required,max=32"`
	Amount             *Amount `json:"amount" validate:"required"`
	TransactionDate    string  `json:"transactionDate"`
}

type topUpInquiryResponse struct {
	Head
	PartnerReferenceNo string `json:"partnerReferenceNo,omitempty"`
	CustomerNumber     string `json:"customerNumber"`
	CustomerName       string `json:"customerName"`
	Amount             Amount `json:"amount"`
	MinAmount          Amount `json:"minAmount"`
	MaxAmount          Amount `json:"maxAmount"`
	FeeAmount          Amount `json:"feeAmount"`
	SessionID          string `json:"sessionId"`
}

// topUpInquiry is service 37: a CHANNEL (bank, retail store) checks a
// top-up before taking the money, as the legacy retail inquiry.
func (s *Server) topUpInquiry(ctx context.Context, c *call) (answer, error) {
	var req topUpInquiryRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	amount, err := rupiah(req.Amount, "amount")
	if err != nil {
		return nil, err
	}
	q, err := s.app.InquireRetail(ctx, app.RetailInquiry{Partner: c.partner, MobileNumber: req.CustomerNumber, Amount: amount})
	if err != nil {
		return nil, err
	}
	return &topUpInquiryResponse{PartnerReferenceNo: req.PartnerReferenceNo, CustomerNumber: req.CustomerNumber,
		CustomerName: q.Customer.FullName(), Amount: idr(amount), MinAmount: idr(q.MinAmount), MaxAmount: idr(q.MaxAmount),
		FeeAmount: idr(q.Fee), SessionID: s.ids.New()}, nil
}

type topUpRequest struct {
	PartnerReferenceNo string  `json:"partnerReferenceNo" validate:"required,max=64"`
	CustomerNumber     string  `json:"customerNumber" validate:"required,max=32"`
	Amount             *Amount `json:"amount" validate:"required"`
	FeeAmount          *Amount `json:"feeAmount"`
	SessionID          string  `json:"sessionId" validate:"max=64"`
	TransactionDate    string  `json:"transactionDate"`
}

type topUpResponse struct {
	Head
	ReferenceNo        string `json:"referenceNo"`
	PartnerReferenceNo string `json:"partnerReferenceNo"`
	CustomerNumber     string `json:"customerNumber"`
	Amount             Amount `json:"amount"`
	FeeAmount          Amount `json:"feeAmount"`
	TransactionDate    string `json:"transactionDate"`
}

// topUp is service 38: a CHANNEL credits a customer it took money for. The
// partnerReferenceNo is the store reference: a second top-up with it
// answers 409xx01 and credits nothing.
func (s *Server) topUp(ctx context.Context, c *call) (answer, error) {
	var req topUpRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	amount, err := rupiah(req.Amount, "amount")
	if err != nil {
		return nil, err
	}
	fee, err := optionalRupiah(req.FeeAmount, "feeAmount")
	if err != nil {
		return nil, err
	}
	if want := s.app.Config().Money.RetailFee; req.FeeAmount != nil && fee != want {
		return nil, fault.Invalidf("feeAmount", "must be %d.00, the fee of a top-up", want)
	}
	m, err := moved(s.app.PayRetail(ctx, app.RetailPayment{Partner: c.partner, ExternalID: app.SNAPReference(req.PartnerReferenceNo),
		MobileNumber: req.CustomerNumber, Amount: amount, StoreReference: req.PartnerReferenceNo}))
	if err != nil {
		return nil, err
	}
	t := m.Transaction
	return &topUpResponse{ReferenceNo: t.ID(), PartnerReferenceNo: req.PartnerReferenceNo, CustomerNumber: req.CustomerNumber,
		Amount: idr(t.Amount()), FeeAmount: idr(t.Fee()), TransactionDate: iso(t.CreatedAt())}, nil
}

type bankInquiryRequest struct {
	PartnerReferenceNo       string  `json:"partnerReferenceNo" validate:"max=64"`
	CustomerNumber           string  `json:"customerNumber" validate:"required,max=32"`
	BeneficiaryAccountNumber string  `json:"beneficiaryAccountNumber" validate:"required,max=34"`
	BeneficiaryBankCode      string  `json:"beneficiaryBankCode" validate:"required,max=8"`
	Amount                   *Amount `json:"amount"`
}

type bankInquiryResponse struct {
	Head
	PartnerReferenceNo       string  `json:"partnerReferenceNo,omitempty"`
	CustomerNumber           string  `json:"customerNumber"`
	BeneficiaryAccountNumber string  `json:"beneficiaryAccountNumber"`
	BeneficiaryAccountName   string  `json:"beneficiaryAccountName"`
	BeneficiaryBankCode      string  `json:"beneficiaryBankCode"`
	BeneficiaryBankName      string  `json:"beneficiaryBankName"`
	Amount                   *Amount `json:"amount,omitempty"`
	SessionID                string  `json:"sessionId"`
}

// bankAccountInquiry is service 42: the holder's name of a bank account,
// for a customer bound to the calling PARTNER.
func (s *Server) bankAccountInquiry(ctx context.Context, c *call) (answer, error) {
	var req bankInquiryRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	amount, err := optionalRupiah(req.Amount, "amount")
	if err != nil {
		return nil, err
	}
	if _, err := s.app.InquireCustomer(ctx, app.InquireCustomer{Partner: c.partner, MobileNumber: req.CustomerNumber}); err != nil {
		return nil, err
	}
	name, err := s.app.InquireBankAccount(ctx, req.BeneficiaryBankCode, req.BeneficiaryAccountNumber)
	if err != nil {
		return nil, err
	}
	out := &bankInquiryResponse{PartnerReferenceNo: req.PartnerReferenceNo, CustomerNumber: req.CustomerNumber,
		BeneficiaryAccountNumber: req.BeneficiaryAccountNumber, BeneficiaryAccountName: name,
		BeneficiaryBankCode: req.BeneficiaryBankCode, BeneficiaryBankName: s.bankName(req.BeneficiaryBankCode), SessionID: s.ids.New()}
	if req.Amount != nil {
		a := idr(amount)
		out.Amount = &a
	}
	return out, nil
}

func (s *Server) bankName(code string) string {
	for _, b := range s.app.Banks() {
		if b.Code == code {
			return b.Name
		}
	}
	return ""
}

type transferBankRequest struct {
	PartnerReferenceNo       string         `json:"partnerReferenceNo" validate:"required,max=64"`
	CustomerNumber           string         `json:"customerNumber" validate:"required,max=32"`
	BeneficiaryAccountNumber string         `json:"beneficiaryAccountNumber" validate:"required,max=34"`
	BeneficiaryBankCode      string         `json:"beneficiaryBankCode" validate:"required,max=8"`
	Amount                   *Amount        `json:"amount" validate:"required"`
	SessionID                string         `json:"sessionId" validate:"max=64"`
	AdditionalInfo           additionalInfo `json:"additionalInfo"`
}

// additionalInfo is the part of SNAP's free-form additionalInfo the door
// reads.
type additionalInfo struct {
	Remark string `json:"remark" validate:"max=255"`
}

type transferBankResponse struct {
	Head
	ReferenceNo              string `json:"referenceNo"`
	PartnerReferenceNo       string `json:"partnerReferenceNo"`
	CustomerNumber           string `json:"customerNumber"`
	BeneficiaryAccountNumber string `json:"beneficiaryAccountNumber"`
	BeneficiaryBankCode      string `json:"beneficiaryBankCode"`
	Amount                   Amount `json:"amount"`
	FeeAmount                Amount `json:"feeAmount"`
	TransactionDate          string `json:"transactionDate"`
}

// transferBank is service 43: money out to a bank account. A transfer the
// bank has not settled yet answers 202xx00; transfer/status (36) and the
// webhook tell the end.
func (s *Server) transferBank(ctx context.Context, c *call) (answer, error) {
	var req transferBankRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	amount, err := rupiah(req.Amount, "amount")
	if err != nil {
		return nil, err
	}
	m, err := moved(s.app.TransferToBank(ctx, app.BankTransfer{Partner: c.partner, ExternalID: app.SNAPReference(req.PartnerReferenceNo),
		MobileNumber: req.CustomerNumber, BankCode: req.BeneficiaryBankCode, BankAccount: req.BeneficiaryAccountNumber,
		Amount: amount, Description: req.AdditionalInfo.Remark}))
	if err != nil {
		return nil, err
	}
	t := m.Transaction
	out := &transferBankResponse{ReferenceNo: t.ID(), PartnerReferenceNo: req.PartnerReferenceNo, CustomerNumber: req.CustomerNumber,
		BeneficiaryAccountNumber: req.BeneficiaryAccountNumber, BeneficiaryBankCode: req.BeneficiaryBankCode,
		Amount: idr(t.Amount()), FeeAmount: idr(t.Fee()), TransactionDate: iso(t.CreatedAt())}
	if t.Pending() {
		out.Head = inProgress(c.svc)
	}
	return out, nil
}

type cashOutRequest struct {
	PartnerReferenceNo string  `json:"partnerReferenceNo" validate:"required,max=64"`
	CustomerNumber     string  `json:"customerNumber" validate:"required,max=32"`
	Amount             *Amount `json:"amount" validate:"required"`
	OTP                string  `json:"otp" validate:"max=8"`
}

type cashOutResponse struct {
	Head
	ReferenceNo        string         `json:"referenceNo"`
	PartnerReferenceNo string         `json:"partnerReferenceNo"`
	TransactionDate    string         `json:"transactionDate"`
	Amount             Amount         `json:"amount"`
	FeeAmount          Amount         `json:"feeAmount"`
	AdditionalInfo     map[string]any `json:"additionalInfo"`
}

// cashOut is service 44: a held withdrawal with a one-time code the
// customer shows at a store (additionalInfo.cashOutCode, valid until
// additionalInfo.expiresAt).
func (s *Server) cashOut(ctx context.Context, c *call) (answer, error) {
	var req cashOutRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	amount, err := rupiah(req.Amount, "amount")
	if err != nil {
		return nil, err
	}
	issued, err := s.app.CashOut(ctx, app.CashOut{Partner: c.partner, ExternalID: app.SNAPReference(req.PartnerReferenceNo),
		MobileNumber: req.CustomerNumber, Amount: amount})
	if _, err := moved(issued.Moved, err); err != nil {
		return nil, err
	}
	t := issued.Transaction
	return &cashOutResponse{ReferenceNo: t.ID(), PartnerReferenceNo: req.PartnerReferenceNo, TransactionDate: iso(t.CreatedAt()),
		Amount: idr(t.Amount()), FeeAmount: idr(t.Fee()),
		AdditionalInfo: map[string]any{"cashOutCode": issued.Code, "expiresAt": iso(issued.ExpiresAt)}}, nil
}

type cancelRequest struct {
	OriginalPartnerReferenceNo string `json:"originalPartnerReferenceNo" validate:"max=64"`
	OriginalReferenceNo        string `json:"originalReferenceNo" validate:"max=64"`
	Reason                     string `json:"reason" validate:"max=255"`
}

type cancelResponse struct {
	Head
	OriginalPartnerReferenceNo string `json:"originalPartnerReferenceNo,omitempty"`
	OriginalReferenceNo        string `json:"originalReferenceNo"`
	CancelTime                 string `json:"cancelTime"`
}

// cancelCashOut is service 46: releases an unredeemed cash-out; one that
// is redeemed, cancelled or expired answers 404xx00.
func (s *Server) cancelCashOut(ctx context.Context, c *call) (answer, error) {
	var req cancelRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if err := requirePartnerRole(c.partner); err != nil {
		return nil, err
	}
	t, err := c.lookup(ctx, req.OriginalPartnerReferenceNo, req.OriginalReferenceNo, transfer.TypeCashOut)
	if err != nil {
		return nil, err
	}
	if t, err = s.app.CancelCashOut(ctx, c.partner, t.ID()); err != nil {
		return nil, err
	}
	return &cancelResponse{OriginalPartnerReferenceNo: app.SNAPOriginalReference(t), OriginalReferenceNo: t.ID(),
		CancelTime: iso(t.UpdatedAt())}, nil
}
