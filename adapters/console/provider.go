package console

import "github.com/google/wire"

// ProviderSet provides the console.
var ProviderSet = wire.NewSet(New)
