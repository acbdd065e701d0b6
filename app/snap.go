package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/session"
	"github.com/dompet/wallet/domain/transfer"
)

// SNAPTokenTTL is the lifetime of a SNAP B2B access token (SNAP.md §1).
const SNAPTokenTTL = 900 * time.Second

// SNAP token errors. ErrSNAPTokenInvalid covers unknown, expired and
// foreign tokens alike.
var (
	ErrSNAPTokenInvalid  = fault.New(fault.Unauthenticated, "invalid token")
	ErrSNAPTokenNotFound = errors.New("snap token not found")
)

// SNAPToken is a stored B2B access token: only its hash is kept.
type SNAPToken struct {
	Hash      []byte
	PartnerID string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SNAPTokenStore keeps SNAP access tokens.
type SNAPTokenStore interface {
	// Add stores a new token.
	Add(ctx context.Context, t SNAPToken) error
	// ByHash returns the token with that hash or ErrSNAPTokenNotFound.
	ByHash(ctx context.Context, hash []byte) (SNAPToken, error)
	// DeleteExpired forgets the partner's tokens that expired before now.
	DeleteExpired(ctx context.Context, partnerID string, now time.Time) error
}

// IssuedSNAPToken is a fresh B2B token, shown once.
type IssuedSNAPToken struct {
	Token     string
	ExpiresIn time.Duration
}

// IssueSNAPToken answers SNAP service 73: it verifies the SHA256withRSA
// signature of clientId|timestamp with the partner's registered key and
// issues a random token, stored hashed, valid SNAPTokenTTL.
// Errors: Unauthenticated.
func (a *App) IssueSNAPToken(ctx context.Context, clientID, timestamp, signature string) (IssuedSNAPToken, error) {
	if clientID == "" || timestamp == "" || signature == "" {
		return IssuedSNAPToken{}, fault.New(fault.Unauthenticated, "missing X-CLIENT-KEY, X-TIMESTAMP or X-SIGNATURE")
	}
	p, err := a.Partner(ctx, clientID)
	if err != nil {
		return IssuedSNAPToken{}, err
	}
	now := a.now()
	if err := p.VerifySNAPTokenRequest(timestamp, signature, now); err != nil {
		return IssuedSNAPToken{}, err
	}
	token, err := session.NewToken(a.rand)
	if err != nil {
		return IssuedSNAPToken{}, err
	}
	err = a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		// Each partner's expired tokens go when it asks for a new one, so
		// the table holds at most the live tokens plus one round.
		if err := r.SNAPTokens.DeleteExpired(ctx, p.ID(), now); err != nil {
			return err
		}
		return r.SNAPTokens.Add(ctx, SNAPToken{Hash: session.HashToken(token), PartnerID: p.ID(), CreatedAt: now, ExpiresAt: now.Add(SNAPTokenTTL)})
	})
	if err != nil {
		return IssuedSNAPToken{}, fmt.Errorf("issue snap token: %w", err)
	}
	return IssuedSNAPToken{Token: token, ExpiresIn: SNAPTokenTTL}, nil
}

// SNAPRequest is what a transport extracted from a transactional SNAP call.
type SNAPRequest struct {
	PartnerID     string // X-PARTNER-ID
	Token         string // the bearer token, without "Bearer "
	Method        string
	PathWithQuery string
	Body          []byte
	Timestamp     string
	Signature     string
}

// AuthenticateSNAP verifies a transactional SNAP call: the bearer token
// must be live and belong to X-PARTNER-ID (ErrSNAPTokenInvalid otherwise),
// and the HMAC-SHA512 signature over the token, the minified body and the
// timestamp must verify with the partner's secret.
// Errors: Unauthenticated.
func (a *App) AuthenticateSNAP(ctx context.Context, req SNAPRequest) (*partner.Partner, error) {
	if req.PartnerID == "" || req.Timestamp == "" || req.Signature == "" {
		return nil, fault.New(fault.Unauthenticated, "missing X-PARTNER-ID, X-TIMESTAMP or X-SIGNATURE")
	}
	if req.Token == "" || len(req.Token) > 2048 {
		return nil, ErrSNAPTokenInvalid
	}
	c, err := a.loadPartner(ctx, req.PartnerID)
	if err != nil {
		return nil, err
	}
	if c.partner.Disabled() {
		return nil, partner.ErrDisabled
	}
	p := c.partner
	var tok SNAPToken
	// One read on every call: no transaction around it.
	err = a.uow.Do(WithAutocommit(ctx), func(ctx context.Context, r Repos) error {
		var err error
		tok, err = r.SNAPTokens.ByHash(ctx, session.HashToken(req.Token))
		return err
	})
	if errors.Is(err, ErrSNAPTokenNotFound) {
		return nil, ErrSNAPTokenInvalid
	}
	if err != nil {
		return nil, err
	}
	now := a.now()
	if tok.PartnerID != p.ID() || !now.Before(tok.ExpiresAt) {
		return nil, ErrSNAPTokenInvalid
	}
	err = partner.VerifySNAP(c.secret, req.Method, req.PathWithQuery, req.Token, req.Body, req.Timestamp, req.Signature, now)
	if errors.Is(err, partner.ErrSNAPBadSignature) && c.retired != nil && now.Before(c.retiredUntil) {
		// A rotated secret keeps working for its grace period, as on the
		// legacy door.
		err = partner.VerifySNAP(c.retired, req.Method, req.PathWithQuery, req.Token, req.Body, req.Timestamp, req.Signature, now)
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// SetSNAPPublicKey registers or rotates a partner's SNAP RSA public key
// (PEM, PKIX, at least 2048 bits). Tokens already issued stay valid until
// they expire.
// Errors: Invalid, NotFound.
func (a *App) SetSNAPPublicKey(ctx context.Context, partnerID string, pemKey []byte) (*partner.Partner, error) {
	der, err := partner.ParseSNAPPublicKey(pemKey)
	if err != nil {
		return nil, err
	}
	var p *partner.Partner
	err = a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		if p, err = r.Partners.ByID(ctx, partnerID); err != nil {
			return err
		}
		p.SetSNAPPublicKey(der)
		return r.Partners.Update(ctx, p)
	})
	if err != nil {
		return nil, err
	}
	a.partners.Delete(partnerID)
	return p, nil
}

// SNAPReference is the external id a SNAP money movement is stored with:
// its partnerReferenceNo (or paymentRequestId, partnerRefundNo) under a
// prefix of its own, so that it never meets a legacy X-EXTERNAL-ID of the
// same partner.
func SNAPReference(ref string) string { return "snap:" + ref }

// SNAPOriginalReference returns the partnerReferenceNo of a transaction a
// SNAP call started, empty for others.
func SNAPOriginalReference(t *transfer.Transaction) string {
	ref, ok := strings.CutPrefix(t.ExternalID(), "snap:")
	if !ok {
		return ""
	}
	return ref
}

// TransactionByReference returns the transaction the partner started with
// a SNAP reference (SNAPReference is applied here).
// Errors: Invalid, NotFound.
func (a *App) TransactionByReference(ctx context.Context, p *partner.Partner, ref string) (*transfer.Transaction, error) {
	if ref == "" || len(ref) > 64 {
		return nil, fault.Invalidf("originalPartnerReferenceNo", "is required (at most 64 characters)")
	}
	var out *transfer.Transaction
	err := a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		var err error
		out, err = r.Transactions.ByExternalID(ctx, p.ID(), SNAPReference(ref))
		return err
	})
	return out, err
}

// SNAPStatus maps a transaction to SNAP's latestTransactionStatus and
// transactionStatusDesc (SNAP.md §4; ADR 0007 on the unverified values).
func SNAPStatus(typ transfer.Type, status transfer.Status, fullyRefunded bool) (code, desc string) {
	switch status {
	case transfer.StatusPending:
		return "03", "Pending"
	case transfer.StatusFailed:
		if typ == transfer.TypeCashOut {
			return "05", "Canceled"
		}
		return "06", "Failed"
	}
	if typ == transfer.TypePayment && fullyRefunded {
		return "04", "Refunded"
	}
	return "00", "Success"
}

// snapAmount is SNAP's money object for whole rupiah.
type snapAmount struct {
	Value    string `json:"value"`
	Currency string `json:"currency"`
}

func snapIDR(v string) snapAmount { return snapAmount{Value: v + ".00", Currency: "IDR"} }

// snapNotify is the body of SNAP's debit/notify (service 56), which SNAP
// partners receive for every event instead of the legacy payload.
type snapNotify struct {
	OriginalPartnerReferenceNo string         `json:"originalPartnerReferenceNo,omitempty"`
	OriginalReferenceNo        string         `json:"originalReferenceNo"`
	LatestTransactionStatus    string         `json:"latestTransactionStatus"`
	TransactionStatusDesc      string         `json:"transactionStatusDesc"`
	Amount                     snapAmount     `json:"amount"`
	FinishedTime               string         `json:"finishedTime,omitempty"`
	AdditionalInfo             map[string]any `json:"additionalInfo"`
}

// snapNotifyBody renders an event in SNAP shape. The status is the one the
// event recorded (events of a transaction go out in order), and the
// partnerReferenceNo comes from the transaction, which never changes it.
func (a *App) snapNotifyBody(ctx context.Context, e Event) ([]byte, error) {
	var p EventPayload
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return nil, fmt.Errorf("event %s payload: %w", e.ID, err)
	}
	var t *transfer.Transaction
	err := a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		var err error
		t, err = r.Transactions.ByID(ctx, e.ReffID, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	status := transfer.Status(p.Status)
	code, desc := SNAPStatus(transfer.Type(p.TransactionType), status, t.Refunded() > 0 && t.Refunded() == t.Amount())
	n := snapNotify{OriginalPartnerReferenceNo: SNAPOriginalReference(t), OriginalReferenceNo: p.ReffID,
		LatestTransactionStatus: code, TransactionStatusDesc: desc, Amount: snapIDR(p.Amount),
		AdditionalInfo: map[string]any{"eventId": p.EventID, "transactionType": p.TransactionType,
			"feeAmount": snapIDR(p.ServiceFee), "totalAmount": snapIDR(p.TotalAmount)}}
	if status != transfer.StatusPending {
		n.FinishedTime = p.OccurredAt
	}
	return json.Marshal(n)
}
