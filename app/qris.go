package app

import (
	"context"

	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/qris"
)

// DecodeQRIS parses a merchant-presented QRIS payload so that a frontend can
// show merchant, amount and fee rules before the customer pays.
// Errors: Forbidden (CHANNEL caller), QRISInvalid.
func (a *App) DecodeQRIS(_ context.Context, p *partner.Partner, payload string) (*qris.Payload, error) {
	if p != nil {
		if err := p.RequireRole(partner.RolePartner); err != nil {
			return nil, err
		}
	}
	return qris.Parse(payload)
}
