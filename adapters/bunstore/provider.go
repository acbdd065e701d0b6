package bunstore

import (
	"github.com/google/wire"

	"github.com/dompet/wallet/app"
)

// ProviderSet provides the database pool and the unit of work.
var ProviderSet = wire.NewSet(Open, NewUnitOfWork, wire.Bind(new(app.UnitOfWork), new(*UnitOfWork)))
