package snap

import "github.com/google/wire"

// ProviderSet provides the SNAP server.
var ProviderSet = wire.NewSet(NewServer)
