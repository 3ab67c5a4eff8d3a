package bunstore_test

import (
	"crypto/rand"
	"encoding/hex"
	"testing"

	orch "github.com/orchestratum/orchestratum"
	"github.com/orchestratum/orchestratum/bunstore"
	"github.com/orchestratum/orchestratum/internal/pgtest"
	"github.com/orchestratum/orchestratum/storetest"
	"github.com/uptrace/bun"
)

// uniqueTable returns a fresh table name, so that stores sharing one
// database each start empty.
func uniqueTable() string {
	var b [6]byte
	rand.Read(b[:])
	return "tasks_" + hex.EncodeToString(b[:])
}

func newPGStore(t *testing.T, db *bun.DB, opts bunstore.Options) *bunstore.Store {
	t.Helper()
	if opts.Table == "" {
		opts.Table = uniqueTable()
	}
	s, err := bunstore.New(t.Context(), db, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestPostgresConformance(t *testing.T) {
	db := pgtest.Open(t, pgtest.NewDatabase(t))
	storetest.Run(t, func(t *testing.T, clock *storetest.Clock) orch.Store {
		return newPGStore(t, db, bunstore.Options{Now: clock.Now})
	})
}

func TestPostgresPGDriverConformance(t *testing.T) {
	db := pgtest.OpenPGDriver(t, pgtest.NewDatabase(t))
	storetest.Run(t, func(t *testing.T, clock *storetest.Clock) orch.Store {
		return newPGStore(t, db, bunstore.Options{Now: clock.Now})
	})
}
