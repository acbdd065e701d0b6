package phone

import (
	"github.com/google/wire"

	"github.com/dompet/wallet/app"
)

// ProviderSet provides the phone number normaliser.
var ProviderSet = wire.NewSet(NewNormalizer, wire.Bind(new(app.PhoneNormalizer), new(Normalizer)))
