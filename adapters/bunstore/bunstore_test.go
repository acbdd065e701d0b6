package bunstore_test

import (
	"bytes"
	"testing"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/adapters/secretbox"
	"github.com/dompet/wallet/adapters/storetest"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/internal/testdb"
)

func TestContractSQLite(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) app.UnitOfWork {
		return bunstore.NewUnitOfWork(testdb.SQLite(t), nil, box(t))
	})
}

func TestContractPostgres(t *testing.T) {
	t.Parallel()
	testdb.PostgresURL(t)
	storetest.Run(t, func(t *testing.T) app.UnitOfWork {
		return bunstore.NewUnitOfWork(testdb.Postgres(t), nil, box(t))
	})
}

func box(t *testing.T) *secretbox.Box {
	b, err := secretbox.New(secretbox.MasterKey(bytes.Repeat([]byte{3}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
