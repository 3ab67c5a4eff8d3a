package main

import (
	"database/sql"
	"fmt"
	"net/url"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/orchestratum/orchestratum/bunstore"
)

// pgConns is the connection pool size on PostgreSQL.
const pgConns = 20

// isPostgresURL reports whether dsn names a PostgreSQL database rather
// than an SQLite file.
func isPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// openDB opens a PostgreSQL URL with the pgx driver, or else the SQLite
// file at dsn.
func openDB(dsn string) (*bun.DB, error) {
	if !isPostgresURL(dsn) {
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
	if err := sqldb.Ping(); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("connect to %s: %w", redact(dsn), err)
	}
	return bun.NewDB(sqldb, pgdialect.New()), nil
}

// redact hides the password of a connection URL in messages; a file path
// comes back as it is.
func redact(dsn string) string {
	if !isPostgresURL(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "the database"
	}
	return u.Redacted()
}
