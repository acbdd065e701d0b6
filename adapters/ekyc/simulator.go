// Package ekyc holds the e-KYC provider adapters. Only the deterministic
// simulator exists today; a real provider (Dukcapil through a licensed
// vendor) plugs in behind the same app.EKYC port.
package ekyc

import (
	"context"
	"errors"
	"strings"

	"github.com/google/wire"

	"github.com/dompet/wallet/app"
)

// Simulator decides by the NIK's last four digits (the README lists the
// rules so a new user can try every path):
//
//	…9999  rejected: the data does not match the civil registry
//	…8888  the provider is unavailable (the check stays PENDING and retries)
//	other  approved
type Simulator struct{}

var _ app.EKYC = Simulator{}

// ProviderSet binds the simulator to the port.
var ProviderSet = wire.NewSet(wire.Value(Simulator{}), wire.Bind(new(app.EKYC), new(Simulator)))

// ErrUnavailable is the simulated outage.
var ErrUnavailable = errors.New("e-KYC provider unavailable (simulated)")

// Verify implements app.EKYC.
func (Simulator) Verify(_ context.Context, req app.EKYCRequest) (app.EKYCDecision, error) {
	nik := req.NIK.String()
	switch {
	case strings.HasSuffix(nik, "9999"):
		return app.EKYCDecision{Approved: false, Reason: "data does not match the civil registry"}, nil
	case strings.HasSuffix(nik, "8888"):
		return app.EKYCDecision{}, ErrUnavailable
	}
	return app.EKYCDecision{Approved: true}, nil
}
