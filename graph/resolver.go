package graph

import (
	"log/slog"
	"time"

	"github.com/go-playground/validator/v10"

	"github.com/dompet/wallet/app"
)

// Resolver is the root resolver. It holds the application and the
// process's validator, never a store: every decision is made in app.
type Resolver struct {
	app      *app.App
	validate *validator.Validate
	log      *slog.Logger
	// poll is how often subscriptions read the event outbox.
	poll time.Duration
	// recheck is how often subscriptions check their access token.
	recheck time.Duration
	// live, when set, wakes subscriptions on the database's change
	// notifications; poll and recheck then serve only the fallback.
	live Wakeups
}
