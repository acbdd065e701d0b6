package system

import (
	"github.com/google/wire"

	"github.com/dompet/wallet/app"
)

// ProviderSet provides the clock and the id generator.
var ProviderSet = wire.NewSet(
	wire.Value(Clock{}), wire.Bind(new(app.Clock), new(Clock)),
	NewULIDs, wire.Bind(new(app.IDs), new(*ULIDs)),
)
