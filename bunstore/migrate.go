package bunstore

import (
	"context"
	"database/sql/driver"
	"embed"
	"fmt"
	"io/fs"
	"regexp"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/migrate"
)

// DefaultTable is the name of the tasks table when Options.Table is empty.
const DefaultTable = "orchestratum_commands"

//go:embed migrations
var migrationFiles embed.FS

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,39}$`)

// ValidateTable reports whether name can be a tasks table name: a plain SQL
// identifier of at most 40 characters (letters, digits and underscores,
// not starting with a digit), so that the names of its indexes and
// migration tables derived from it stay valid too.
func ValidateTable(name string) error {
	if !identifier.MatchString(name) {
		return fmt.Errorf("table name %q: want a letter or underscore, then up to 39 "+
			"letters, digits or underscores", name)
	}
	return nil
}

// Migrator applies the versioned schema of a tasks table. Migrations are
// shipped with the library, one set per dialect, and recorded in the table
// <table>_migrations.
type Migrator struct {
	m       *migrate.Migrator
	shipped *migrate.Migrations
	db      *bun.DB
	table   string
}

// NewMigrator returns a migrator for the tasks table named table (empty
// means DefaultTable) on db, which must be an SQLite or PostgreSQL
// database.
func NewMigrator(db *bun.DB, table string) (*Migrator, error) {
	if table == "" {
		table = DefaultTable
	}
	if err := ValidateTable(table); err != nil {
		return nil, err
	}
	dir := ""
	switch db.Dialect().Name() {
	case dialect.SQLite:
		dir = "migrations/sqlite"
	case dialect.PG:
		dir = "migrations/postgres"
	default:
		return nil, fmt.Errorf("bunstore: dialect %s is not supported; want sqlite or pg",
			db.Dialect().Name())
	}
	sub, err := fs.Sub(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	ms := migrate.NewMigrations()
	if err := ms.Discover(sub); err != nil {
		return nil, fmt.Errorf("bunstore: read migrations: %w", err)
	}
	m := migrate.NewMigrator(db, ms,
		migrate.WithTableName(table+"_migrations"),
		migrate.WithLocksTableName(table+"_migration_locks"),
		migrate.WithMarkAppliedOnSuccess(true),
		migrate.WithUpsert(true),
		migrate.WithTemplateData(map[string]string{
			"Table": string(db.QueryGen().AppendIdent(nil, table)),
			"Name":  table,
		}),
	)
	return &Migrator{m: m, shipped: ms, db: db, table: table}, nil
}

// Migrate applies the migrations that are not applied yet and returns
// their names. Every migration may run again safely, so processes that
// start together and race to migrate end with the same schema.
func (m *Migrator) Migrate(ctx context.Context) ([]string, error) {
	unlock, err := m.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := m.m.Init(ctx); err != nil {
		return nil, fmt.Errorf("bunstore: create migration tables: %w", err)
	}
	group, err := m.m.Migrate(ctx)
	if err != nil {
		return nil, fmt.Errorf("bunstore: migrate: %w", err)
	}
	var names []string
	for _, mg := range group.Migrations {
		names = append(names, mg.Name+"_"+mg.Comment)
	}
	return names, nil
}

// Status returns the names of the migrations shipped with this version and
// whether each is applied. It changes nothing: on a database never
// migrated, every migration is pending.
func (m *Migrator) Status(ctx context.Context) (applied, pending []string, err error) {
	exists, err := m.tableExists(ctx, m.table+"_migrations")
	if err != nil {
		return nil, nil, fmt.Errorf("bunstore: read migration status: %w", err)
	}
	if !exists {
		for _, mg := range m.shipped.Sorted() {
			pending = append(pending, mg.String())
		}
		return nil, pending, nil
	}
	ms, err := m.m.MigrationsWithStatus(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("bunstore: read migration status: %w", err)
	}
	for _, mg := range ms {
		if mg.IsApplied() {
			applied = append(applied, mg.String())
		} else {
			pending = append(pending, mg.String())
		}
	}
	return applied, pending, nil
}

// lock serialises migrations of one table across processes on
// PostgreSQL with an advisory lock held on a connection of its own. SQLite
// needs none: its writers already take turns, and every migration may run
// twice.
func (m *Migrator) lock(ctx context.Context) (unlock func(), err error) {
	if m.db.Dialect().Name() != dialect.PG {
		return func() {}, nil
	}
	conn, err := m.db.DB.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("bunstore: migrate: %w", err)
	}
	key := "orchestratum migrations " + m.table
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(hashtext($1))", key); err != nil {
		conn.Close()
		return nil, fmt.Errorf("bunstore: migrate: take the migration lock: %w", err)
	}
	return func() {
		// A failed unlock ends with the connection: the lock is held by
		// the session, so closing it for good releases the lock.
		_, err := conn.ExecContext(context.WithoutCancel(ctx),
			"SELECT pg_advisory_unlock(hashtext($1))", key)
		if err != nil {
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}, nil
}

// tableExists reports whether the database has a table of that name.
func (m *Migrator) tableExists(ctx context.Context, name string) (bool, error) {
	var q string
	if m.db.Dialect().Name() == dialect.PG {
		q = "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = $1"
	} else {
		// SQLite's names are case-insensitive.
		q = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE"
	}
	var n int
	err := m.db.DB.QueryRowContext(ctx, q, name).Scan(&n)
	return n > 0, err
}
