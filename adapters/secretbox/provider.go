package secretbox

import (
	"github.com/google/wire"

	"github.com/dompet/wallet/app"
)

// ProviderSet provides the secret box; the master key comes from the binary.
var ProviderSet = wire.NewSet(New, wire.Bind(new(app.SecretBox), new(*Box)))
