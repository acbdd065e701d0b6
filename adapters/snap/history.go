package snap

import (
	"context"
	"time"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/transfer"
)

// maxPageNumber bounds how far pageNumber may reach: pages are walked
// from the newest with the keyset cursor of the history query.
const maxPageNumber = 100

type historyRequest struct {
	PartnerReferenceNo string `json:"partnerReferenceNo" validate:"max=64"`
	CustomerNumber     string `json:"customerNumber" validate:"required,max=32"`
	FromDateTime       string `json:"fromDateTime"`
	ToDateTime         string `json:"toDateTime"`
	PageSize           int    `json:"pageSize" validate:"min=0,max=100"`
	PageNumber         int    `json:"pageNumber" validate:"min=0"`
}

type historyItem struct {
	ReferenceNo        string         `json:"referenceNo"`
	PartnerReferenceNo string         `json:"partnerReferenceNo,omitempty"`
	DateTime           string         `json:"dateTime"`
	Amount             Amount         `json:"amount"`
	Remark             string         `json:"remark"`
	Status             string         `json:"status"`
	Type               string         `json:"type"`
	AdditionalInfo     map[string]any `json:"additionalInfo"`
}

type historyResponse struct {
	Head
	PartnerReferenceNo string        `json:"partnerReferenceNo,omitempty"`
	DetailData         []historyItem `json:"detailData"`
}

func parseTime(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fault.Invalidf(field, "must be ISO 8601 with offset, e.g. 2026-12-03T10:00:00+07:00")
	}
	return t, nil
}

// historyList is service 12: a bound customer's transactions, newest
// first, pageSize (default 20, at most 100) per page, pageNumber from 1.
func (s *Server) historyList(ctx context.Context, c *call) (answer, error) {
	var req historyRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	from, err := parseTime("fromDateTime", req.FromDateTime)
	if err != nil {
		return nil, err
	}
	to, err := parseTime("toDateTime", req.ToDateTime)
	if err != nil {
		return nil, err
	}
	if req.PageNumber > maxPageNumber {
		return nil, fault.Invalidf("pageNumber", "must be at most %d", maxPageNumber)
	}
	f := transfer.HistoryFilter{From: from, To: to, Limit: req.PageSize}
	if f.Limit == 0 {
		f.Limit = app.DefaultPageSize
	}
	page := app.HistoryPage{}
	for n := 1; n <= max(req.PageNumber, 1); n++ {
		if n > 1 && page.NextCursor == "" {
			page.Items = nil
			break
		}
		f.Cursor = page.NextCursor
		if page, err = s.app.History(ctx, c.partner, req.CustomerNumber, f); err != nil {
			return nil, err
		}
	}
	out := &historyResponse{PartnerReferenceNo: req.PartnerReferenceNo, DetailData: []historyItem{}}
	for _, it := range page.Items {
		out.DetailData = append(out.DetailData, item(it.Transaction, it.Counterparty, it.Incoming, it.BalanceAfter))
	}
	return out, nil
}

func item(t *transfer.Transaction, counterparty string, incoming bool, balanceAfter *int64) historyItem {
	code, desc := transactionStatus(t)
	info := map[string]any{"counterparty": counterparty, "direction": "OUT", "statusCode": code, "feeAmount": idr(t.Fee())}
	if incoming {
		info["direction"] = "IN"
	}
	if balanceAfter != nil {
		info["balanceAfter"] = idr(*balanceAfter)
	}
	remark := t.Description()
	if remark == "" {
		remark = counterparty
	}
	return historyItem{ReferenceNo: t.ID(), PartnerReferenceNo: app.SNAPOriginalReference(t), DateTime: iso(t.CreatedAt()),
		Amount: idr(t.Amount()), Remark: remark, Status: desc, Type: string(t.Type()), AdditionalInfo: info}
}

type historyDetailRequest struct {
	OriginalPartnerReferenceNo string `json:"originalPartnerReferenceNo" validate:"max=64"`
	OriginalReferenceNo        string `json:"originalReferenceNo" validate:"max=64"`
}

type historyDetailResponse struct {
	Head
	historyItem
}

// historyDetail is service 13: one transaction of the caller's, or of a
// customer bound to it; direction is the paying customer's view.
func (s *Server) historyDetail(ctx context.Context, c *call) (answer, error) {
	var req historyDetailRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	t, err := c.lookup(ctx, req.OriginalPartnerReferenceNo, req.OriginalReferenceNo)
	if err != nil {
		return nil, err
	}
	incoming := t.Type() == transfer.TypeTopUpVA || t.Type() == transfer.TypeTopUpRetail || t.Type() == transfer.TypeRefund
	return &historyDetailResponse{historyItem: item(t, t.Counterparty(), incoming, nil)}, nil
}
