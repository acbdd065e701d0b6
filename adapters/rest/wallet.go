package rest

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/dompet/wallet/adapters/httpapi"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/qris"
	"github.com/dompet/wallet/domain/transfer"
	"github.com/dompet/wallet/domain/wallet"
)

// externalID is the request's idempotency key; the middleware has checked it.
func externalID(r *http.Request) string { return r.Header.Get("X-EXTERNAL-ID") }

// okWith writes a success envelope whose responseId is the transaction's
// reffId, so a partner can use it for status inquiries.
func (s *Server) okWith(w http.ResponseWriter, r *http.Request, reffID string, data any) {
	writeEnvelope(w, r, http.StatusOK, envelope{ResponseID: reffID, Code: 0, Message: success(httpapi.Indonesian(r)), Data: data})
}

// moved answers a money movement. Its success answer is rendered inside
// the movement's transaction and stored with it (ADR 0009), so the bytes
// sent are the bytes a retry replays.
func (s *Server) moved(w http.ResponseWriter, r *http.Request, run func(ctx context.Context) (app.Moved, error), data func(app.Moved) any) {
	render := func(m app.Moved) app.StoredResponse {
		b, err := json.Marshal(envelope{ResponseID: m.Transaction.ID(), Code: 0, Message: success(httpapi.Indonesian(r)), Data: data(m)})
		if err != nil {
			return app.StoredResponse{Status: http.StatusInternalServerError, Body: []byte(`{"responseId":"","code":99,"message":"Internal error"}` + "\n")}
		}
		return app.StoredResponse{Status: http.StatusOK, Body: append(b, '\n')}
	}
	ans := app.AnswerFrom(r.Context())
	if ans != nil {
		ans.Render = render
	}
	res, err := run(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, ok := ans.Stored()
	if !ok {
		out = render(res)
	}
	// What writeEnvelope tells the access log and the metrics.
	noteResponseID(w, res.Transaction.ID())
	httpapi.SetCode(r.Context(), "0")
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(out.Status)
	_, _ = w.Write(out.Body)
}

type paymentRequest struct {
	MobileNumber    string `json:"mobileNumber" validate:"required,max=20"`
	Amount          Money  `json:"amount" validate:"required"`
	OrderID         string `json:"orderId" validate:"required,max=64"`
	Description     string `json:"description" validate:"max=255"`
	TransactionType string `json:"transactionType"`
}

func (s *Server) walletPayment(w http.ResponseWriter, r *http.Request) {
	var req paymentRequest
	if err := Decode(s.validate, bodyFrom(r), &req); err != nil {
		s.fail(w, r, err)
		return
	}
	s.pay(w, r, req)
}

// bankTransfer dispatches the document's shared path by transactionType.
func (s *Server) bankTransfer(w http.ResponseWriter, r *http.Request) {
	var probe struct {
		TransactionType string `json:"transactionType"`
	}
	if err := Decode(s.validate, bodyFrom(r), &probe); err != nil {
		s.fail(w, r, err)
		return
	}
	switch probe.TransactionType {
	case "WALLET_PAYMENT":
		var req paymentRequest
		if err := Decode(s.validate, bodyFrom(r), &req); err != nil {
			s.fail(w, r, err)
			return
		}
		s.pay(w, r, req)
	case "", "BANK_TRANSFER":
		s.bankTransferTo(w, r)
	case "CASH_OUT":
		s.cashOut(w, r)
	case "QRIS":
		s.qrisPayment(w, r)
	default:
		s.fail(w, r, fault.Invalidf("transactionType", "must be BANK_TRANSFER, WALLET_PAYMENT, QRIS or CASH_OUT"))
	}
}

func (s *Server) pay(w http.ResponseWriter, r *http.Request, req paymentRequest) {
	s.moved(w, r, func(ctx context.Context) (app.Moved, error) {
		return s.app.Pay(ctx, app.Pay{Partner: partnerFrom(r), ExternalID: externalID(r), MobileNumber: req.MobileNumber,
			Amount: int64(req.Amount), OrderID: req.OrderID, Description: req.Description})
	}, func(res app.Moved) any {
		t := res.Transaction
		return map[string]any{
			"reffId": t.ID(), "orderId": t.OrderID(), "mobileNumber": res.Customer.Mobile().String(),
			"amount": Amount(t.Amount()), "serviceFee": Amount(t.Fee()), "totalAmount": Amount(t.Total()),
			"balanceBefore": Amount(res.BalanceBefore), "balanceAfter": Amount(res.BalanceAfter),
			"status": string(t.Status()), "date": Date(t.CreatedAt()),
		}
	})
}

type refundRequest struct {
	OrderID string `json:"orderId" validate:"required,max=64"`
	Amount  Money  `json:"amount" validate:"required"`
	Reason  string `json:"reason" validate:"max=255"`
}

func (s *Server) refund(w http.ResponseWriter, r *http.Request) {
	var req refundRequest
	if err := Decode(s.validate, bodyFrom(r), &req); err != nil {
		s.fail(w, r, err)
		return
	}
	s.moved(w, r, func(ctx context.Context) (app.Moved, error) {
		return s.app.Refund(ctx, app.RefundPayment{Partner: partnerFrom(r), ExternalID: externalID(r), OrderID: req.OrderID,
			Amount: int64(req.Amount), Reason: req.Reason})
	}, func(res app.Moved) any {
		t := res.Transaction
		return map[string]any{
			"reffId": t.ID(), "orderId": t.OrderID(), "paymentReffId": t.Reference(), "amount": Amount(t.Amount()),
			"mobileNumber": res.Customer.Mobile().String(), "status": string(t.Status()), "date": Date(t.CreatedAt()),
		}
	})
}

type p2pRequest struct {
	MobileNumber   string `json:"mobileNumber" validate:"required,max=20"`
	ToMobileNumber string `json:"toMobileNumber" validate:"required,max=20"`
	Amount         Money  `json:"amount" validate:"required"`
	Description    string `json:"description" validate:"max=255"`
}

func (s *Server) p2p(w http.ResponseWriter, r *http.Request) {
	var req p2pRequest
	if err := Decode(s.validate, bodyFrom(r), &req); err != nil {
		s.fail(w, r, err)
		return
	}
	s.moved(w, r, func(ctx context.Context) (app.Moved, error) {
		return s.app.TransferP2P(ctx, app.P2PTransfer{Partner: partnerFrom(r), ExternalID: externalID(r), MobileNumber: req.MobileNumber,
			ToMobileNumber: req.ToMobileNumber, Amount: int64(req.Amount), Description: req.Description})
	}, func(res app.Moved) any {
		t := res.Transaction
		return map[string]any{
			"reffId": t.ID(), "mobileNumber": res.Customer.Mobile().String(), "toMobileNumber": t.Counterparty(),
			"amount": Amount(t.Amount()), "serviceFee": Amount(t.Fee()), "totalAmount": Amount(t.Total()),
			"balanceBefore": Amount(res.BalanceBefore), "balanceAfter": Amount(res.BalanceAfter),
			"status": string(t.Status()), "date": Date(t.CreatedAt()),
		}
	})
}

type vaInquiryRequest struct {
	VANumber string `json:"vaNumber" validate:"required,max=32,numeric"`
	Amount   Money  `json:"amount"`
}

func (s *Server) vaInquiry(w http.ResponseWriter, r *http.Request) {
	var req vaInquiryRequest
	if err := Decode(s.validate, bodyFrom(r), &req); err != nil {
		s.fail(w, r, err)
		return
	}
	q, err := s.app.InquireVA(r.Context(), app.VAInquiry{Partner: partnerFrom(r), VANumber: req.VANumber, Amount: int64(req.Amount)})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := quoteData(q)
	data["vaNumber"], data["bankCode"], data["bankName"] = q.VANumber, q.Bank.Code, q.Bank.Name
	s.ok(w, r, data)
}

func quoteData(q app.TopUpQuote) map[string]any {
	d := map[string]any{
		"customerName": q.Customer.FullName(), "minAmount": Amount(q.MinAmount), "maxAmount": Amount(q.MaxAmount),
		"fee": Amount(q.Fee),
	}
	if q.Amount > 0 {
		d["amount"], d["totalAmount"] = Amount(q.Amount), Amount(q.Amount+q.Fee)
	}
	return d
}

type vaPaymentRequest struct {
	VANumber      string `json:"vaNumber" validate:"required,max=32,numeric"`
	Amount        Money  `json:"amount" validate:"required"`
	BankReference string `json:"bankReference" validate:"required,max=64"`
}

func (s *Server) vaPayment(w http.ResponseWriter, r *http.Request) {
	var req vaPaymentRequest
	if err := Decode(s.validate, bodyFrom(r), &req); err != nil {
		s.fail(w, r, err)
		return
	}
	s.moved(w, r, func(ctx context.Context) (app.Moved, error) {
		return s.app.PayVA(ctx, app.VAPayment{Partner: partnerFrom(r), ExternalID: externalID(r), VANumber: req.VANumber,
			Amount: int64(req.Amount), BankReference: req.BankReference})
	}, func(res app.Moved) any {
		data := topUpData(res)
		data["vaNumber"], data["bankReference"] = req.VANumber, res.Transaction.Reference()
		return data
	})
}

func topUpData(m app.Moved) map[string]any {
	t := m.Transaction
	return map[string]any{
		"reffId": t.ID(), "customerName": m.Customer.FullName(), "amount": Amount(t.Amount()),
		"fee": Amount(t.Fee()), "totalAmount": Amount(t.Total()), "status": string(t.Status()), "date": Date(t.CreatedAt()),
	}
}

type retailInquiryRequest struct {
	MobileNumber string `json:"mobileNumber" validate:"required,max=20"`
	Amount       Money  `json:"amount" validate:"required"`
}

func (s *Server) retailInquiry(w http.ResponseWriter, r *http.Request) {
	var req retailInquiryRequest
	if err := Decode(s.validate, bodyFrom(r), &req); err != nil {
		s.fail(w, r, err)
		return
	}
	q, err := s.app.InquireRetail(r.Context(), app.RetailInquiry{Partner: partnerFrom(r), MobileNumber: req.MobileNumber, Amount: int64(req.Amount)})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := quoteData(q)
	data["mobileNumber"] = q.Customer.Mobile().String()
	s.ok(w, r, data)
}

type retailPaymentRequest struct {
	MobileNumber   string `json:"mobileNumber" validate:"required,max=20"`
	Amount         Money  `json:"amount" validate:"required"`
	StoreReference string `json:"storeReference" validate:"required,max=64"`
}

func (s *Server) retailPayment(w http.ResponseWriter, r *http.Request) {
	var req retailPaymentRequest
	if err := Decode(s.validate, bodyFrom(r), &req); err != nil {
		s.fail(w, r, err)
		return
	}
	s.moved(w, r, func(ctx context.Context) (app.Moved, error) {
		return s.app.PayRetail(ctx, app.RetailPayment{Partner: partnerFrom(r), ExternalID: externalID(r), MobileNumber: req.MobileNumber,
			Amount: int64(req.Amount), StoreReference: req.StoreReference})
	}, func(res app.Moved) any {
		data := topUpData(res)
		data["mobileNumber"], data["storeReference"] = res.Customer.Mobile().String(), res.Transaction.Reference()
		return data
	})
}

func (s *Server) virtualAccounts(w http.ResponseWriter, r *http.Request) {
	mobile := r.URL.Query().Get("mobileNumber")
	if mobile == "" {
		s.fail(w, r, fault.Invalidf("mobileNumber", "is required"))
		return
	}
	vas, err := s.app.VirtualAccounts(r.Context(), partnerFrom(r), mobile)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list := make([]map[string]string, len(vas))
	for i, v := range vas {
		list[i] = map[string]string{"bankCode": v.Bank.Code, "bankName": v.Bank.Name, "vaNumber": v.VANumber}
	}
	s.ok(w, r, map[string]any{"virtualAccounts": list})
}

// StatusData is the documented transaction status shape.
func StatusData(t *transfer.Transaction) map[string]any {
	return map[string]any{
		"reffId": t.ID(), "type": string(t.Type()), "status": string(t.Status()), "amount": Amount(t.Amount()),
		"serviceFee": Amount(t.Fee()), "totalAmount": Amount(t.Total()), "date": Date(t.CreatedAt()),
	}
}

func (s *Server) transactionStatus(w http.ResponseWriter, r *http.Request) {
	t, err := s.app.TransactionStatus(r.Context(), partnerFrom(r), r.URL.Query().Get("reffId"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, r, StatusData(t))
}

func (s *Server) transactionHistory(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	mobile := q.Get("mobileNumber")
	if mobile == "" {
		s.fail(w, r, fault.Invalidf("mobileNumber", "is required"))
		return
	}
	f, err := historyFilter(q.Get("from"), q.Get("to"), q.Get("type"), q.Get("cursor"), q.Get("limit"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page, err := s.app.History(r.Context(), partnerFrom(r), mobile, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	items := make([]map[string]any, len(page.Items))
	for i, it := range page.Items {
		items[i] = HistoryData(it)
	}
	s.ok(w, r, map[string]any{"items": items, "nextCursor": page.NextCursor})
}

// HistoryData is one history line: the status shape plus the customer's
// balance after it, the other side and the direction.
func HistoryData(it transfer.HistoryItem) map[string]any {
	d := StatusData(it.Transaction)
	d["counterparty"] = it.Counterparty
	d["description"] = it.Transaction.Description()
	d["direction"] = "OUT"
	if it.Incoming {
		d["direction"] = "IN"
	}
	if it.BalanceAfter != nil {
		d["balanceAfter"] = Amount(*it.BalanceAfter)
	}
	return d
}

// historyFilter parses the query of a history request. Dates are RFC 3339
// or YYYY-MM-DD (a WIB calendar day; "to" then includes that whole day).
func historyFilter(from, to, typ, cursor, limit string) (transfer.HistoryFilter, error) {
	var f transfer.HistoryFilter
	var err error
	if f.From, err = parseDate("from", from, false); err != nil {
		return f, err
	}
	if f.To, err = parseDate("to", to, true); err != nil {
		return f, err
	}
	if typ != "" {
		if f.Type, err = transfer.ParseType(typ); err != nil {
			return f, err
		}
	}
	if len(cursor) > 64 {
		return f, fault.Invalidf("cursor", "is not a cursor from a previous page")
	}
	f.Cursor = cursor
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > app.MaxPageSize {
			return f, fault.Invalidf("limit", "must be a number from 1 to %d", app.MaxPageSize)
		}
		f.Limit = n
	}
	return f, nil
}

func parseDate(field, s string, endOfDay bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := time.ParseInLocation(time.DateOnly, s, wallet.WIB)
	if err != nil {
		return time.Time{}, fault.Invalidf(field, "must be RFC 3339 or YYYY-MM-DD")
	}
	if endOfDay {
		d = d.AddDate(0, 0, 1)
	}
	return d, nil
}

type kycRequest struct {
	MobileNumber string `json:"mobileNumber" validate:"required,max=20"`
	NIK          string `json:"nik" validate:"required,max=32"`
	FullName     string `json:"fullName" validate:"required,max=100"`
	BirthDate    string `json:"birthDate" validate:"required,max=10"`
}

func (s *Server) submitKYC(w http.ResponseWriter, r *http.Request) {
	var req kycRequest
	if err := Decode(s.validate, bodyFrom(r), &req); err != nil {
		s.fail(w, r, err)
		return
	}
	sub, err := s.app.SubmitKYC(r.Context(), app.SubmitKYC{Partner: partnerFrom(r), MobileNumber: req.MobileNumber,
		NIK: req.NIK, FullName: req.FullName, BirthDate: req.BirthDate})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, r, map[string]any{"submissionId": sub.ID(), "kycStatus": "PENDING", "nik": sub.NIK().Masked(),
		"submittedAt": Date(sub.SubmittedAt())})
}

type bankTransferRequest struct {
	MobileNumber    string `json:"mobileNumber" validate:"required,max=20"`
	BankCode        string `json:"bankCode" validate:"required,len=3,numeric"`
	BankAccount     string `json:"bankAccount" validate:"required,min=5,max=20,numeric"`
	Amount          Money  `json:"amount" validate:"required"`
	Description     string `json:"description" validate:"max=255"`
	TransactionType string `json:"transactionType"`
}

func (s *Server) bankTransferTo(w http.ResponseWriter, r *http.Request) {
	var req bankTransferRequest
	if err := Decode(s.validate, bodyFrom(r), &req); err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.app.TransferToBank(r.Context(), app.BankTransfer{Partner: partnerFrom(r), ExternalID: externalID(r),
		MobileNumber: req.MobileNumber, BankCode: req.BankCode, BankAccount: req.BankAccount, Amount: int64(req.Amount),
		Description: req.Description})
	if err != nil && res.Transaction == nil {
		s.fail(w, r, err)
		return
	}
	t := res.Transaction
	bank := t.Bank()
	bankName := bank.BankCode
	for _, b := range s.app.Banks() {
		if b.Code == bank.BankCode {
			bankName = b.Name
		}
	}
	data := map[string]any{
		"reffId": t.ID(), "bankCode": bank.BankCode, "bankAccount": bank.Number, "bankName": bankName,
		"bankAccountName": bank.Name, "serviceFee": Amount(t.Fee()), "amount": Amount(t.Amount()),
		"totalAmount": Amount(t.Total()), "balanceBefore": Amount(res.BalanceBefore), "balanceAfter": Amount(res.BalanceAfter),
		"status": string(t.Status()), "date": Date(t.CreatedAt()),
	}
	s.asyncAnswer(w, r, t, data, err)
}

type bankCallbackRequest struct {
	ReffID string `json:"reffId" validate:"required,max=64"`
	Status string `json:"status" validate:"required,oneof=SUCCESS FAILED"`
	Reason string `json:"reason" validate:"max=255"`
}

// bankCallback takes the gateway's final result; the gateway is a CHANNEL
// partner signing like any other.
func (s *Server) bankCallback(w http.ResponseWriter, r *http.Request) {
	var req bankCallbackRequest
	if err := Decode(s.validate, bodyFrom(r), &req); err != nil {
		s.fail(w, r, err)
		return
	}
	t, err := s.app.ApplyBankCallback(r.Context(), app.BankCallback{Partner: partnerFrom(r), ReffID: req.ReffID, Status: req.Status, Reason: req.Reason})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, r, StatusData(t))
}

func (s *Server) banks(w http.ResponseWriter, r *http.Request) {
	list := s.app.Banks()
	out := make([]map[string]any, len(list))
	for i, b := range list {
		out[i] = map[string]any{"bankCode": b.Code, "bankName": b.Name, "virtualAccount": b.VAPrefix != ""}
	}
	s.ok(w, r, map[string]any{"banks": out})
}

type cashOutRequest struct {
	MobileNumber    string `json:"mobileNumber" validate:"required,max=20"`
	Amount          Money  `json:"amount" validate:"required"`
	TransactionType string `json:"transactionType"`
}

func (s *Server) cashOut(w http.ResponseWriter, r *http.Request) {
	var req cashOutRequest
	if err := Decode(s.validate, bodyFrom(r), &req); err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.app.CashOut(r.Context(), app.CashOut{Partner: partnerFrom(r), ExternalID: externalID(r),
		MobileNumber: req.MobileNumber, Amount: int64(req.Amount)})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := res.Transaction
	s.okWith(w, r, t.ID(), map[string]any{
		"reffId": t.ID(), "cashOutCode": res.Code, "amount": Amount(t.Amount()), "serviceFee": Amount(t.Fee()),
		"totalAmount": Amount(t.Total()), "expiresAt": Date(res.ExpiresAt), "status": string(t.Status()),
		"balanceBefore": Amount(res.BalanceBefore), "balanceAfter": Amount(res.BalanceAfter),
	})
}

type redeemRequest struct {
	Code           string `json:"code" validate:"required,max=32"`
	StoreReference string `json:"storeReference" validate:"required,max=64"`
}

func (s *Server) redeemCashOut(w http.ResponseWriter, r *http.Request) {
	var req redeemRequest
	if err := Decode(s.validate, bodyFrom(r), &req); err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.app.RedeemCashOut(r.Context(), app.RedeemCashOut{Partner: partnerFrom(r), Code: req.Code, StoreReference: req.StoreReference})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := res.Transaction
	s.okWith(w, r, t.ID(), map[string]any{"reffId": t.ID(), "amount": Amount(t.Amount()), "status": string(t.Status()),
		"storeReference": req.StoreReference, "date": Date(t.UpdatedAt())})
}

type cancelCashOutRequest struct {
	ReffID string `json:"reffId" validate:"required,max=64"`
}

func (s *Server) cancelCashOut(w http.ResponseWriter, r *http.Request) {
	var req cancelCashOutRequest
	if err := Decode(s.validate, bodyFrom(r), &req); err != nil {
		s.fail(w, r, err)
		return
	}
	t, err := s.app.CancelCashOut(r.Context(), partnerFrom(r), req.ReffID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, r, StatusData(t))
}

type qrisDecodeRequest struct {
	QRContent string `json:"qrContent" validate:"required,max=1024"`
}

func (s *Server) decodeQRIS(w http.ResponseWriter, r *http.Request) {
	var req qrisDecodeRequest
	if err := Decode(s.validate, bodyFrom(r), &req); err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.app.DecodeQRIS(r.Context(), partnerFrom(r), req.QRContent)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, r, QRISData(p))
}

// QRISData is the documented decode shape (SPEC §3).
func QRISData(p *qris.Payload) map[string]any {
	acquirers := make([]map[string]any, 0, len(p.Acquirers()))
	for _, a := range p.Acquirers() {
		acq := map[string]any{"globalId": a.GlobalID()}
		if a.MerchantPAN() != "" {
			acq["merchantPan"] = a.MerchantPAN()
		}
		if a.MerchantID() != "" {
			acq["merchantId"] = a.MerchantID()
		}
		acquirers = append(acquirers, acq)
	}
	d := map[string]any{
		"merchantName": p.MerchantName(), "merchantCity": p.MerchantCity(), "postalCode": p.PostalCode(),
		"nmid": p.NMID(), "mcc": p.MCC(), "currency": p.Currency(), "pointOfInitiation": string(p.Initiation()),
		"acquirers": acquirers,
	}
	if amount, ok := p.Amount(); ok {
		d["amount"] = Amount(amount)
	}
	if tip := p.TipRule(); tip.Kind() != qris.TipNone {
		rule := map[string]any{"kind": string(tip.Kind())}
		switch tip.Kind() {
		case qris.TipFixed:
			rule["fee"] = Amount(tip.FixedAmount())
		case qris.TipPercent:
			rule["percentBasisPoints"] = tip.BasisPoints()
		}
		d["tipRule"] = rule
	}
	return d
}

type qrisPaymentRequest struct {
	MobileNumber    string `json:"mobileNumber" validate:"required,max=20"`
	QRContent       string `json:"qrContent" validate:"required,max=1024"`
	Amount          Money  `json:"amount"`
	Tip             Money  `json:"tip"`
	TransactionType string `json:"transactionType"`
}

// qrisPayment answers as the document's example: code 1 "In Process" with
// flowType Async while the switch works; the result comes by status
// inquiry (and partner webhook).
func (s *Server) qrisPayment(w http.ResponseWriter, r *http.Request) {
	var req qrisPaymentRequest
	if err := Decode(s.validate, bodyFrom(r), &req); err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.app.PayQRIS(r.Context(), app.PayQRIS{Partner: partnerFrom(r), ExternalID: externalID(r),
		MobileNumber: req.MobileNumber, QRContent: req.QRContent, Amount: int64(req.Amount), Tip: int64(req.Tip)})
	if err != nil && res.Transaction == nil {
		s.fail(w, r, err)
		return
	}
	t := res.Transaction
	data := map[string]any{
		"reffId": t.ID(), "account": res.Customer.Mobile().Masked(), "amount": Amount(t.Amount()),
		"price": Amount(res.Price), "serviceFee": Amount(t.Fee()), "flowType": "Async",
		"merchantName": t.Counterparty(), "status": string(t.Status()), "date": Date(t.CreatedAt()),
	}
	s.asyncAnswer(w, r, t, data, err)
}

// asyncAnswer answers a movement that leaves the platform: code 0 when
// settled, 1 "In Process" (HTTP 202) while pending, or the refusal's code
// with the data of the movement (its money is back) — always with the
// reffId as responseId.
func (s *Server) asyncAnswer(w http.ResponseWriter, r *http.Request, t *transfer.Transaction, data map[string]any, err error) {
	switch {
	case err != nil:
		code, msg := httpapi.Describe(err, httpapi.Indonesian(r))
		writeEnvelope(w, r, code.HTTP, envelope{ResponseID: t.ID(), Code: code.Legacy, Message: msg, Data: data})
	case t.Pending():
		msg := "In Process"
		if httpapi.Indonesian(r) {
			msg = "Sedang diproses"
		}
		writeEnvelope(w, r, http.StatusAccepted, envelope{ResponseID: t.ID(), Code: 1, Message: msg, Data: data})
	default:
		s.okWith(w, r, t.ID(), data)
	}
}
