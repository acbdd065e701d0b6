// Package qrisswitch holds the QRIS switch adapters. The simulator stands
// in for the switch in local runs and tests; a real switch plugs in behind
// the same app.QRISSwitch port.
package qrisswitch

import (
	"context"
	"time"

	"github.com/google/wire"

	"github.com/dompet/wallet/adapters/bankgw"
	"github.com/dompet/wallet/app"
)

// Simulator answers every payment "pending" first, like a real switch, and
// decides after Delay by the amount (the README lists the rules):
//
//	amount ending in 999 rupiah   the acquirer rejects it (money returned)
//	any other amount              paid
//
// It keeps no state: the outcome follows from the payment itself.
type Simulator struct {
	Delay time.Duration
	Now   func() time.Time
}

var _ app.QRISSwitch = (*Simulator)(nil)

// ProviderSet binds the simulator; it shares the bank simulator's delay.
var ProviderSet = wire.NewSet(NewSimulator, wire.Bind(new(app.QRISSwitch), new(*Simulator)))

// NewSimulator returns a simulator settling after delay.
func NewSimulator(delay bankgw.Delay) *Simulator {
	return &Simulator{Delay: time.Duration(delay), Now: time.Now}
}

// Pay implements app.QRISSwitch.
func (s *Simulator) Pay(ctx context.Context, p app.QRISPayment) (app.DisbursementResult, error) {
	return s.Status(ctx, p)
}

// Status implements app.QRISSwitch.
func (s *Simulator) Status(_ context.Context, p app.QRISPayment) (app.DisbursementResult, error) {
	switch {
	case s.Now().Before(p.SubmittedAt.Add(s.Delay)):
		return app.DisbursementResult{Status: app.DisbursementPending}, nil
	case p.Amount%1000 == 999:
		return app.DisbursementResult{Status: app.DisbursementFailed, Reason: "rejected by the acquirer"}, nil
	}
	return app.DisbursementResult{Status: app.DisbursementSuccess}, nil
}
