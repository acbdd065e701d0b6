package bankgw

import (
	"github.com/google/wire"

	"github.com/dompet/wallet/app"
)

// ProviderSet binds the simulator to the port; its delay and latency come
// from the binary (WALLET_SIM_DELAY, WALLET_SIM_LATENCY).
var ProviderSet = wire.NewSet(NewSlowSimulator, wire.Bind(new(app.BankGateway), new(*Simulator)))
