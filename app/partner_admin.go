package app

import (
	"context"
	"fmt"
	"time"

	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/session"
)

// DefaultSecretGrace is how long a rotated-out secret keeps working unless
// the operator says otherwise: a day is enough for a partner to deploy the
// new one without downtime.
const DefaultSecretGrace = 24 * time.Hour

// Partners lists every partner, enabled or not, for operators.
func (a *App) Partners(ctx context.Context) ([]*partner.Partner, error) {
	var out []*partner.Partner
	err := a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		var err error
		out, err = r.Partners.List(ctx)
		return err
	})
	return out, err
}

// PartnerForOperator returns a partner whether or not it is disabled.
// Errors: NotFound.
func (a *App) PartnerForOperator(ctx context.Context, id string) (*partner.Partner, error) {
	var p *partner.Partner
	err := a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		var err error
		p, err = r.Partners.ByID(ctx, id)
		return err
	})
	return p, err
}

// RotatePartnerSecret gives the partner a new signing secret, returned once.
// The replaced secret is accepted for grace more (0: not at all); webhooks
// are signed with the new one at once.
// Errors: NotFound, Invalid (negative grace).
func (a *App) RotatePartnerSecret(ctx context.Context, id string, grace time.Duration) (CreatedPartner, error) {
	secret, err := session.NewToken(a.rand)
	if err != nil {
		return CreatedPartner{}, err
	}
	sealed, err := a.box.Seal([]byte(secret))
	if err != nil {
		return CreatedPartner{}, err
	}
	p, err := a.changePartner(ctx, id, func(p *partner.Partner) error { return p.RotateSecret(sealed, a.now(), grace) })
	if err != nil {
		return CreatedPartner{}, fmt.Errorf("rotate partner secret: %w", err)
	}
	return CreatedPartner{Partner: p, Secret: secret}, nil
}

// SetPartnerDisabled disables (every door answers code 20) or enables a
// partner. Other processes follow within partnerTTL.
// Errors: NotFound.
func (a *App) SetPartnerDisabled(ctx context.Context, id string, disabled bool) (*partner.Partner, error) {
	return a.changePartner(ctx, id, func(p *partner.Partner) error {
		if disabled {
			p.Disable()
		} else {
			p.Enable()
		}
		return nil
	})
}

// changePartner loads, changes and saves a partner in one transaction and
// forgets this process's cached copy.
func (a *App) changePartner(ctx context.Context, id string, change func(*partner.Partner) error) (*partner.Partner, error) {
	var p *partner.Partner
	err := a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
		var err error
		if p, err = r.Partners.ByID(ctx, id); err != nil {
			return err
		}
		if err := change(p); err != nil {
			return err
		}
		return r.Partners.Update(ctx, p)
	})
	if err != nil {
		return nil, err
	}
	a.partners.Delete(id)
	return p, nil
}
