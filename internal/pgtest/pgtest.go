// Package pgtest gives tests a fresh PostgreSQL database on the server
// named by $ORCHESTRATUM_TEST_PG (an admin connection URL). scripts/test
// starts a throwaway server and sets it. Without it, tests that need
// PostgreSQL skip with a note on how to enable them, except under CI=true,
// where a missing database is a failure.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/driver/pgdriver"
)

// EnvVar names the variable that holds the admin connection URL.
const EnvVar = "ORCHESTRATUM_TEST_PG"

// AdminURL returns the admin connection URL, or skips t (fails it under
// CI=true) when none is set.
func AdminURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvVar)
	if u != "" {
		return u
	}
	need(t, EnvVar+" is not set: run ./scripts/test, which starts a throwaway "+
		"PostgreSQL, or set it to the URL of a server where tests may create databases")
	return ""
}

// NewDatabase creates an empty database, drops it when t ends, and
// returns its connection URL.
func NewDatabase(t testing.TB) string {
	t.Helper()
	admin := AdminURL(t)
	var b [6]byte
	rand.Read(b[:])
	name := "orchestratum_test_" + hex.EncodeToString(b[:])
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("pgtest: open %s: %v", redact(admin), err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database on %s: %v", redact(admin), err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", admin)
		if err != nil {
			t.Errorf("pgtest: %v", err)
			return
		}
		defer db.Close()
		if _, err := db.Exec("DROP DATABASE " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("pgtest: parse %s: %v", EnvVar, err)
	}
	u.Path = "/" + name
	return u.String()
}

// Open opens dsn with the pgx driver under Bun and closes it when t ends.
func Open(t testing.TB, dsn string) *bun.DB {
	t.Helper()
	db := OpenURL(dsn, 8)
	t.Cleanup(func() { db.Close() })
	return db
}

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "the server"
	}
	return p.Redacted()
}

// OpenPGDriver opens dsn with Bun's own pgdriver and closes it when t
// ends.
func OpenPGDriver(t testing.TB, dsn string) *bun.DB {
	t.Helper()
	sqldb := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(dsn)))
	sqldb.SetMaxOpenConns(8)
	sqldb.SetMaxIdleConns(8)
	db := bun.NewDB(sqldb, pgdialect.New())
	t.Cleanup(func() { db.Close() })
	return db
}

// OpenURL opens dsn with the pgx driver under Bun, with at most maxConns
// connections, for programs that have no testing.TB: worker processes
// started by tests.
func OpenURL(dsn string, maxConns int) *bun.DB {
	sqldb, err := sql.Open("pgx", dsn)
	if err != nil {
		panic(err) // sql.Open fails only for an unknown driver name
	}
	sqldb.SetMaxOpenConns(maxConns)
	sqldb.SetMaxIdleConns(maxConns)
	return bun.NewDB(sqldb, pgdialect.New())
}
