package rest

import "github.com/google/wire"

// ProviderSet provides the REST server and the process's validator.
var ProviderSet = wire.NewSet(NewServer)
