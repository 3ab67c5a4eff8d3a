package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/orchestratum/orchestratum/bunstore"
)

// pgConns is the connection pool size on PostgreSQL.
const pgConns = 20

// openDB opens a PostgreSQL URL with the pgx driver, or else the SQLite
// file at dsn, creating it when it is missing. dsn must have passed
// validateDB.
func openDB(ctx context.Context, dsn string) (*bun.DB, error) {
	if !isPostgresURL(dsn) {
		if err := checkDBFile(dsn); err != nil {
			return nil, err
		}
		return bunstore.OpenSQLite(dsn)
	}
	sqldb, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", redact(dsn), err)
	}
	// database/sql keeps two idle connections unless told otherwise; a
	// busy runner would open a new one for most of its queries.
	sqldb.SetMaxOpenConns(pgConns)
	sqldb.SetMaxIdleConns(pgConns)
	if err := sqldb.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("connect to %s: %w", redact(dsn), err)
	}
	return bun.NewDB(sqldb, pgdialect.New()), nil
}

// checkDBFile checks that path is a regular file, or a name that SQLite
// can create in an existing directory, so that the error says which it is
// not. SQLite itself only says that it is "unable to open database file".
func checkDBFile(path string) error {
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.IsDir():
		return fmt.Errorf("--db %s: is a directory, want a file", path)
	case err == nil && !fi.Mode().IsRegular():
		return fmt.Errorf("--db %s: is a device, pipe or socket, want a file", path)
	case err == nil:
		return nil
	}
	if err := checkDBDir(path); err != nil {
		return err
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil // SQLite creates it
	}
	return fmt.Errorf("--db %s: %w", path, pathCause(err))
}

// checkDBDir checks that the directory of path exists.
func checkDBDir(path string) error {
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("--db %s: directory %s does not exist", path, dir)
	case err != nil:
		return fmt.Errorf("--db %s: directory %s: %w", path, dir, pathCause(err))
	case !fi.IsDir():
		return fmt.Errorf("--db %s: %s is not a directory", path, dir)
	}
	return nil
}

// pathCause returns the cause of a *fs.PathError, whose message repeats
// the path that the caller's message names already.
func pathCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
