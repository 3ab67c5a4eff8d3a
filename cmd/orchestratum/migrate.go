package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/orchestratum/orchestratum/bunstore"
)

// migrateOptions are the settings of one run of the migrate command.
type migrateOptions struct {
	DB     string // the SQLite file (created when missing) or a PostgreSQL URL
	Table  string // the tasks table
	Status bool   // list the migrations instead of applying them
}

const migrateUsage = `Usage: orchestratum migrate --db FILE|URL [--table NAME] [--status]

Migrate applies to a tasks table the schema migrations shipped with this
version of orchestratum, and prints the ones it applied. Programs whose
stores set bunstore.Options.SkipMigrate leave the schema to it. Each
migration runs in a transaction and is recorded in the table
<table>_migrations; processes that migrate the same table at once take
turns, and running it again applies only what is missing.

With --status it lists the applied and the pending migrations; it
applies none and creates no table.

Flags:
`

// migrateCommand is the migrate subcommand.
func migrateCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	opts, err := parseMigrateFlags(args, stdout)
	if err != nil {
		return err
	}
	when := "before every migration was applied; each applies in a transaction, " +
		"so none is half done"
	if opts.Status {
		when = "while reading the status"
	}
	return interrupted(ctx, stderr, runMigrate(ctx, opts, stdout), when)
}

// parseMigrateFlags reads the migrate command line. It writes the usage
// text to stdout for -h, and returns a *usageError for a bad command line.
func parseMigrateFlags(args []string, stdout io.Writer) (migrateOptions, error) {
	o := migrateOptions{}
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	dbFlag(fs, &o.DB, "")
	fs.StringVar(&o.Table, "table", bunstore.DefaultTable, "the `NAME` of the tasks table")
	fs.BoolVar(&o.Status, "status", false,
		"list the applied and the pending migrations; apply none, create no table")
	if err := parseArgs(fs, args, migrateUsage, stdout); err != nil {
		return o, err
	}
	if err := o.validate(); err != nil {
		return o, &usageError{err: err}
	}
	return o, nil
}

// validate checks the options that flags cannot check by their type.
func (o *migrateOptions) validate() error {
	if o.DB == "" {
		return errors.New("--db is missing: name the SQLite file or the postgres:// URL " +
			"of the database to migrate")
	}
	if err := validateDB(o.DB); err != nil {
		return err
	}
	if err := bunstore.ValidateTable(o.Table); err != nil {
		return fmt.Errorf("--table: %w", err)
	}
	return nil
}

// runMigrate applies the migrations of the table in opts, or lists them
// with opts.Status, writing to stdout what it did or found.
func runMigrate(ctx context.Context, o migrateOptions, stdout io.Writer) (err error) {
	if o.Status && !isPostgresURL(o.DB) {
		if err := checkExists(o.DB); err != nil {
			return err
		}
	}
	db, err := openDB(ctx, o.DB)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	m, err := bunstore.NewMigrator(db, o.Table)
	if err != nil {
		return err
	}
	where := fmt.Sprintf("table %s in %s", o.Table, redact(o.DB))
	if o.Status {
		return printStatus(ctx, m, where, stdout)
	}
	return applyMigrations(ctx, m, where, stdout)
}

// checkExists checks that the SQLite file at path exists: --status must not
// create it.
func checkExists(path string) error {
	_, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("--db %s: no such file, so no migration is applied there; "+
			"\"orchestratum migrate --db %s\" creates it and applies them all", path, path)
	}
	return nil // openDB reports the other problems
}

// applyMigrations applies the pending migrations and lists them.
func applyMigrations(ctx context.Context, m *bunstore.Migrator, where string,
	w io.Writer,
) error {
	names, err := m.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		fmt.Fprintf(w, "Nothing to apply: %s has every migration of this version.\n", where)
		return nil
	}
	fmt.Fprintf(w, "Applied %s to %s:\n", count(len(names), "migration", "migrations"), where)
	for _, n := range names {
		fmt.Fprintf(w, "  %s\n", n)
	}
	return nil
}

// printStatus lists the applied and the pending migrations.
func printStatus(ctx context.Context, m *bunstore.Migrator, where string, w io.Writer) error {
	applied, pending, err := m.Status(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Migrations of %s: %d applied, %d pending\n", where,
		len(applied), len(pending))
	for _, n := range applied {
		fmt.Fprintf(w, "  applied  %s\n", n)
	}
	for _, n := range pending {
		fmt.Fprintf(w, "  pending  %s\n", n)
	}
	return nil
}
