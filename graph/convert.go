package graph

import (
	"fmt"
	"time"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/kyc"
	"github.com/dompet/wallet/domain/otp"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/qris"
	"github.com/dompet/wallet/domain/transfer"
	"github.com/dompet/wallet/domain/wallet"
	"github.com/dompet/wallet/graph/model"
)

// customerModel converts a customer; pocket may be nil, in which case the
// balance resolver loads it when asked for.
func customerModel(c *customer.Customer, pocket *wallet.Account) (*model.Customer, error) {
	accountType := model.AccountType(c.AccountType())
	status := model.AccountStatus(c.Status())
	kyc := model.KycStatus(c.KYCStatus())
	if !accountType.IsValid() || !status.IsValid() || !kyc.IsValid() {
		return nil, fmt.Errorf("graph: customer %s has a state the schema does not know: %s/%s/%s",
			c.ID(), c.AccountType(), c.Status(), c.KYCStatus())
	}
	return &model.Customer{
		ID:            c.ID(),
		MobileNumber:  c.Mobile().String(),
		FirstName:     c.FirstName(),
		MiddleName:    optional(c.MiddleName()),
		LastName:      optional(c.LastName()),
		FullName:      c.FullName(),
		Email:         optional(c.Email()),
		AccountType:   accountType,
		AccountStatus: status,
		CustomerType:  c.CustomerType(),
		KycStatus:     kyc,
		Pocket:        balanceModel(pocket),
	}, nil
}

func balanceModel(pocket *wallet.Account) *model.Balance {
	if pocket == nil {
		return nil
	}
	return &model.Balance{PocketID: pocket.ID(), AvailableBalance: model.Money(pocket.Available())}
}

func purposeModel(p otp.Purpose) (model.OtpPurpose, error) {
	m := model.OtpPurpose(p)
	if !m.IsValid() {
		return "", fmt.Errorf("graph: unknown OTP purpose %q", p)
	}
	return m, nil
}

// purposeInput is the optional purpose as the application takes it.
func purposeInput(p *model.OtpPurpose) string {
	if p == nil {
		return ""
	}
	return string(*p)
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func value(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// transactionModel converts a transaction as seen by the customer viewer
// (its own customer when viewer is empty). balanceAfter is left to callers
// that know it.
func transactionModel(t *transfer.Transaction, viewer string) (*model.Transaction, error) {
	typ := model.TransactionType(t.Type())
	status := model.TransactionStatus(t.Status())
	if !typ.IsValid() || !status.IsValid() {
		return nil, fmt.Errorf("graph: transaction %s has a state the schema does not know: %s/%s", t.ID(), t.Type(), t.Status())
	}
	if viewer == "" {
		viewer = t.CustomerID()
	}
	dir := model.DirectionOut
	if incoming(t, viewer) {
		dir = model.DirectionIn
	}
	return &model.Transaction{
		ReffID:       t.ID(),
		Type:         typ,
		Status:       status,
		Amount:       model.Money(t.Amount()),
		ServiceFee:   model.Money(t.Fee()),
		TotalAmount:  model.Money(t.Total()),
		Date:         t.CreatedAt(),
		Counterparty: optional(t.Counterparty()),
		Description:  optional(t.Description()),
		OrderID:      optional(t.OrderID()),
		Direction:    &dir,
	}, nil
}

// incoming is the stores' history rule: money comes in on top-ups, refunds
// and transfers received.
func incoming(t *transfer.Transaction, customerID string) bool {
	switch {
	case t.CounterpartyID() != "" && t.CounterpartyID() == customerID:
		return true
	case t.CustomerID() != customerID:
		return false
	}
	switch t.Type() {
	case transfer.TypeTopUpVA, transfer.TypeTopUpRetail, transfer.TypeRefund:
		return true
	}
	return false
}

func historyItemModel(it transfer.HistoryItem) (*model.Transaction, error) {
	out, err := transactionModel(it.Transaction, "")
	if err != nil {
		return nil, err
	}
	dir := model.DirectionOut
	if it.Incoming {
		dir = model.DirectionIn
	}
	out.Direction = &dir
	out.Counterparty = optional(it.Counterparty)
	if it.BalanceAfter != nil {
		b := model.Money(*it.BalanceAfter)
		out.BalanceAfter = &b
	}
	return out, nil
}

// movementModel converts a payment, refund or transfer result for the
// customer it concerns, with that customer's balances.
func movementModel(m app.Moved) (*model.MoneyMovement, error) {
	t, err := transactionModel(m.Transaction, m.Customer.ID())
	if err != nil {
		return nil, err
	}
	before, after := model.Money(m.BalanceBefore), model.Money(m.BalanceAfter)
	t.BalanceAfter = &after
	return &model.MoneyMovement{Transaction: t, BalanceBefore: &before, BalanceAfter: &after}, nil
}

// topUpModel converts a credited top-up for the channel. The customer's
// balance is none of the channel's business, as on REST.
func topUpModel(m app.Moved) (*model.TopUpResult, error) {
	t, err := transactionModel(m.Transaction, m.Customer.ID())
	if err != nil {
		return nil, err
	}
	return &model.TopUpResult{Transaction: t, CustomerName: m.Customer.FullName()}, nil
}

func quoteModel(q app.TopUpQuote) *model.TopUpQuote {
	out := &model.TopUpQuote{
		CustomerName: q.Customer.FullName(),
		VaNumber:     optional(q.VANumber),
		BankCode:     optional(q.Bank.Code),
		BankName:     optional(q.Bank.Name),
		Fee:          model.Money(q.Fee),
		MinAmount:    model.Money(q.MinAmount),
		MaxAmount:    model.Money(q.MaxAmount),
	}
	if q.Amount > 0 {
		amount, total := model.Money(q.Amount), model.Money(q.Amount+q.Fee)
		out.Amount, out.TotalAmount = &amount, &total
	}
	return out
}

func virtualAccountsModel(vas []app.VirtualAccount) []*model.VirtualAccount {
	out := make([]*model.VirtualAccount, len(vas))
	for i, v := range vas {
		out[i] = &model.VirtualAccount{BankCode: v.Bank.Code, BankName: v.Bank.Name, VaNumber: v.VANumber}
	}
	return out
}

func kycModel(s *kyc.Submission) (*model.KycSubmission, error) {
	var status model.KycStatus
	switch s.Status() {
	case kyc.StatusPending:
		status = model.KycStatusPending
	case kyc.StatusApproved:
		status = model.KycStatusVerified
	case kyc.StatusRejected:
		status = model.KycStatusRejected
	default:
		return nil, fmt.Errorf("graph: KYC submission %s has a status the schema does not know: %s", s.ID(), s.Status())
	}
	return &model.KycSubmission{
		SubmissionID: s.ID(), KycStatus: status, NikMasked: s.NIK().Masked(), SubmittedAt: s.SubmittedAt(),
	}, nil
}

// historyFilter turns connection arguments into the application's filter.
// Arguments are named as in the schema, so errors name them too.
func historyFilter(first *int, after *string, typ *model.TransactionType, from, to *time.Time) (transfer.HistoryFilter, error) {
	var f transfer.HistoryFilter
	if first != nil {
		if *first < 1 || *first > app.MaxPageSize {
			return f, fault.Invalidf("first", "must be between 1 and %d", app.MaxPageSize)
		}
		f.Limit = *first
	}
	if after != nil {
		if len(*after) > 64 {
			return f, fault.Invalidf("after", "is not a cursor from a previous page")
		}
		f.Cursor = *after
	}
	if typ != nil {
		f.Type = transfer.Type(*typ)
	}
	if from != nil {
		f.From = *from
	}
	if to != nil {
		f.To = *to
	}
	return f, nil
}

// connectionModel is one history page as a Relay connection; cursors are
// reffIds.
func connectionModel(page app.HistoryPage, f transfer.HistoryFilter) (*model.TransactionConnection, error) {
	out := &model.TransactionConnection{
		Edges:    make([]*model.TransactionEdge, len(page.Items)),
		PageInfo: &model.PageInfo{HasNextPage: page.NextCursor != "", HasPreviousPage: f.Cursor != ""},
	}
	for i, it := range page.Items {
		node, err := historyItemModel(it)
		if err != nil {
			return nil, err
		}
		out.Edges[i] = &model.TransactionEdge{Cursor: node.ReffID, Node: node}
	}
	if n := len(out.Edges); n > 0 {
		out.PageInfo.StartCursor = &out.Edges[0].Cursor
		out.PageInfo.EndCursor = &out.Edges[n-1].Cursor
	}
	return out, nil
}

func banksModel(banks []app.Bank) []*model.Bank {
	out := make([]*model.Bank, len(banks))
	for i, b := range banks {
		out[i] = &model.Bank{BankCode: b.Code, BankName: b.Name, Code: b.Code, Name: b.Name, VirtualAccount: b.VAPrefix != ""}
	}
	return out
}

// bankName names a bank by code; a bank no longer configured keeps its code.
func bankName(banks []app.Bank, code string) string {
	for _, b := range banks {
		if b.Code == code {
			return b.Name
		}
	}
	return code
}

// bankTransferModel converts the answer of App.TransferToBank. A transfer
// the bank refused comes with its (FAILED) transaction and an error: the
// error is the answer, and names the transaction in extensions.reffId so
// that it can be looked up.
func bankTransferModel(banks []app.Bank, m app.Moved, err error) (*model.BankTransferResult, error) {
	if err != nil {
		if m.Transaction != nil {
			return nil, withExtensions(err, map[string]any{"reffId": m.Transaction.ID()})
		}
		return nil, err
	}
	t, err := transactionModel(m.Transaction, m.Customer.ID())
	if err != nil {
		return nil, err
	}
	before, after := model.Money(m.BalanceBefore), model.Money(m.BalanceAfter)
	t.BalanceAfter = &after
	bank := m.Transaction.Bank()
	return &model.BankTransferResult{
		Transaction:     t,
		BankCode:        bank.BankCode,
		BankName:        bankName(banks, bank.BankCode),
		BankAccount:     bank.Number,
		BankAccountName: bank.Name,
		ServiceFee:      t.ServiceFee,
		Amount:          t.Amount,
		TotalAmount:     t.TotalAmount,
		BalanceBefore:   &before,
		BalanceAfter:    &after,
		Status:          t.Status,
		InProcess:       t.Status == model.TransactionStatusPending,
	}, nil
}

// cashOutModel converts an issued cash-out for the customer it concerns.
func cashOutModel(m app.CashOutIssued) (*model.CashOutResult, error) {
	t, err := transactionModel(m.Transaction, m.Customer.ID())
	if err != nil {
		return nil, err
	}
	before, after := model.Money(m.BalanceBefore), model.Money(m.BalanceAfter)
	t.BalanceAfter = &after
	return &model.CashOutResult{
		Transaction:   t,
		CashOutCode:   m.Code,
		Amount:        t.Amount,
		ServiceFee:    t.ServiceFee,
		TotalAmount:   t.TotalAmount,
		ExpiresAt:     m.ExpiresAt,
		BalanceBefore: &before,
		BalanceAfter:  &after,
	}, nil
}

// maxQRContent bounds a QRIS payload as the inputs' qrContent does.
const maxQRContent = 1024

// moneyValue is an optional amount as the application takes it: 0 for none.
func moneyValue(m *model.Money) int64 {
	if m == nil {
		return 0
	}
	return int64(*m)
}

// qrisInfoModel converts a decoded QRIS payload, as REST's QRISData.
func qrisInfoModel(p *qris.Payload) (*model.QrisInfo, error) {
	initiation := model.QrisInitiation(p.Initiation())
	if !initiation.IsValid() {
		return nil, fmt.Errorf("graph: QRIS payload has an initiation the schema does not know: %q", p.Initiation())
	}
	out := &model.QrisInfo{
		MerchantName:      p.MerchantName(),
		MerchantCity:      p.MerchantCity(),
		PostalCode:        optional(p.PostalCode()),
		Nmid:              optional(p.NMID()),
		Mcc:               p.MCC(),
		Currency:          p.Currency(),
		PointOfInitiation: initiation,
		Acquirers:         make([]*model.QrisAcquirer, 0, len(p.Acquirers())),
	}
	if amount, ok := p.Amount(); ok {
		m := model.Money(amount)
		out.Amount = &m
	}
	if tip := p.TipRule(); tip.Kind() != qris.TipNone {
		kind := model.TipKind(tip.Kind())
		if !kind.IsValid() {
			return nil, fmt.Errorf("graph: QRIS payload has a tip kind the schema does not know: %q", tip.Kind())
		}
		rule := &model.TipRule{Kind: kind}
		switch tip.Kind() {
		case qris.TipFixed:
			fee := model.Money(tip.FixedAmount())
			rule.Fee = &fee
		case qris.TipPercent:
			bp := int(tip.BasisPoints())
			rule.PercentBasisPoints = &bp
		}
		out.TipRule = rule
	}
	for _, a := range p.Acquirers() {
		out.Acquirers = append(out.Acquirers, &model.QrisAcquirer{
			GlobalID: a.GlobalID(), MerchantPan: optional(a.MerchantPAN()), MerchantID: optional(a.MerchantID()),
		})
	}
	return out, nil
}

// qrisPaymentModel converts the answer of App.PayQRIS. A payment the
// acquirer rejected comes with its (FAILED) transaction and an error: the
// error is the answer, naming the transaction in extensions.reffId, as
// bankTransferModel.
func qrisPaymentModel(m app.QRISPaid, err error) (*model.QrisPaymentResult, error) {
	if err != nil {
		if m.Transaction != nil {
			return nil, withExtensions(err, map[string]any{"reffId": m.Transaction.ID()})
		}
		return nil, err
	}
	t, err := transactionModel(m.Transaction, m.Customer.ID())
	if err != nil {
		return nil, err
	}
	return &model.QrisPaymentResult{
		Transaction:  t,
		Account:      m.Customer.Mobile().Masked(),
		Amount:       t.Amount,
		Price:        model.Money(m.Price),
		ServiceFee:   t.ServiceFee,
		FlowType:     "Async",
		MerchantName: m.Transaction.Counterparty(),
		InProcess:    t.Status == model.TransactionStatusPending,
	}, nil
}

func partnerModel(p *partner.Partner) *model.Partner {
	return &model.Partner{PartnerID: p.ID(), Name: p.Name(), Role: string(p.Role()), CallbackURL: optional(p.CallbackURL())}
}

// callbackURLError names the argument (url) in the domain's callbackUrl
// error.
func callbackURLError(err error) error {
	if f, ok := fault.As(err); ok && f.Kind == fault.Invalid && f.Field == "callbackUrl" {
		return &fault.Error{Kind: f.Kind, Field: "url", Detail: f.Detail}
	}
	return err
}

// webhookDeliveries lists 100 by default and at most 500, as
// app.Deliveries allows.
const (
	defaultDeliveries = 100
	maxDeliveries     = 500
)

func deliveriesLimit(first *int) (int, error) {
	if first == nil {
		return defaultDeliveries, nil
	}
	if *first < 1 || *first > maxDeliveries {
		return 0, fault.Invalidf("first", "must be between 1 and %d", maxDeliveries)
	}
	return *first, nil
}

func deliveriesModel(events []app.Event) ([]*model.WebhookDelivery, error) {
	out := make([]*model.WebhookDelivery, len(events))
	for i, e := range events {
		status := model.WebhookStatus(e.Status)
		if !status.IsValid() {
			return nil, fmt.Errorf("graph: event %s has a status the schema does not know: %s", e.ID, e.Status)
		}
		d := &model.WebhookDelivery{EventID: e.ID, ReffID: e.ReffID, Status: status, Attempts: e.Attempts,
			LastError: optional(e.LastError), CreatedAt: e.CreatedAt, Payload: string(e.Payload)}
		if !e.DeliveredAt.IsZero() {
			at := e.DeliveredAt
			d.DeliveredAt = &at
		}
		out[i] = d
	}
	return out, nil
}
