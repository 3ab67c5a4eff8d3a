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

// Status changes nothing: on a database never migrated it lists every
// migration as pending and creates no table.
func TestMigrationStatusIsReadOnly(t *testing.T) {
	db, err := bunstore.OpenSQLite(filepath.Join(t.TempDir(), "fresh.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m, err := bunstore.NewMigrator(db, "")
	if err != nil {
		t.Fatal(err)
	}
	applied, pending, err := m.Status(t.Context())
	if err != nil || len(applied) != 0 || len(pending) == 0 {
		t.Fatalf("Status of a fresh database: applied %v, pending %v, %v", applied, pending, err)
	}
	var tables int
	db.QueryRowContext(t.Context(), "SELECT count(*) FROM sqlite_master WHERE type = 'table'").Scan(&tables)
	if tables != 0 {
		t.Fatalf("Status created %d tables", tables)
	}
	if _, err := m.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	applied, pending, err = m.Status(t.Context())
	if err != nil || len(pending) != 0 || len(applied) == 0 {
		t.Fatalf("Status after Migrate: applied %v, pending %v, %v", applied, pending, err)
	}
}
