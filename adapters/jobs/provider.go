package jobs

import (
	"github.com/google/wire"

	"github.com/dompet/wallet/adapters/bunstore"
)

// ProviderSet provides the in-transaction inserter and the worker runner.
var ProviderSet = wire.NewSet(NewInserter, NewRunner, QueueFunc)

// QueueFunc exposes the inserter as the unit of work's job queue factory.
func QueueFunc(i *Inserter) bunstore.JobQueueFunc { return i.Bind }
