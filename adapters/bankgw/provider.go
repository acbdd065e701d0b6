package bankgw

import (
	"github.com/google/wire"

	"github.com/dompet/wallet/app"
)

// ProviderSet binds the simulator to the port; its delay comes from the
// binary (WALLET_SIM_DELAY).
var ProviderSet = wire.NewSet(NewSimulator, wire.Bind(new(app.BankGateway), new(*Simulator)))
