package bunstore_test

import (
	"path/filepath"
	"testing"

	orch "github.com/orchestratum/orchestratum"
	"github.com/orchestratum/orchestratum/bunstore"
	"github.com/orchestratum/orchestratum/storetest"
)

// newSQLiteStore returns a store on a fresh SQLite file in t's temporary
// directory.
func newSQLiteStore(t *testing.T, opts bunstore.Options) *bunstore.Store {
	t.Helper()
	db, err := bunstore.OpenSQLite(filepath.Join(t.TempDir(), "tasks.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := bunstore.New(t.Context(), db, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSQLiteConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, clock *storetest.Clock) orch.Store {
		return newSQLiteStore(t, bunstore.Options{Now: clock.Now})
	})
}
