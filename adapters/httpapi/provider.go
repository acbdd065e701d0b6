package httpapi

import "github.com/google/wire"

// ProviderSet provides the process's validator.
var ProviderSet = wire.NewSet(NewValidator)
