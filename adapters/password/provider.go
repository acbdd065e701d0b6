package password

import (
	"github.com/google/wire"

	"github.com/dompet/wallet/app"
)

// ProviderSet provides the argon2id hasher as the app's PasswordHasher.
var ProviderSet = wire.NewSet(NewArgon2id, wire.Bind(new(app.PasswordHasher), new(Argon2id)))
