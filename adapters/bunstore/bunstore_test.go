package bunstore_test

import (
	"testing"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/adapters/storetest"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/internal/testdb"
)

func TestContractSQLite(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) app.UnitOfWork {
		return bunstore.NewUnitOfWork(testdb.SQLite(t), nil)
	})
}

func TestContractPostgres(t *testing.T) {
	t.Parallel()
	testdb.PostgresURL(t)
	storetest.Run(t, func(t *testing.T) app.UnitOfWork {
		return bunstore.NewUnitOfWork(testdb.Postgres(t), nil)
	})
}
