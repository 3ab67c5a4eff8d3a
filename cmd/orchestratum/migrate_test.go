package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orchestratum/orchestratum/internal/pgtest"
)

// runCLI runs the command line args in this process.
func runCLI(t *testing.T, args ...string) (status int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	status = run(t.Context(), args, &out, &errOut)
	return status, out.String(), errOut.String()
}

// checkMigrate migrates db twice and asks for the status: the first run
// applies every migration, the second none, and the status lists the
// first run's as applied and none as pending.
func checkMigrate(t *testing.T, db string) {
	t.Helper()
	status, out, errOut := runCLI(t, "migrate", "--db", db)
	if status != exitOK || !strings.HasPrefix(out, "Applied ") {
		t.Fatalf("first migrate: status %d\nstdout:\n%s\nstderr:\n%s", status, out, errOut)
	}
	applied := lines(out)[1:]
	if len(applied) == 0 {
		t.Fatalf("first migrate lists no migration:\n%s", out)
	}
	status, out, errOut = runCLI(t, "migrate", "--db", db)
	if status != exitOK || !strings.HasPrefix(out, "Nothing to apply: ") {
		t.Errorf("second migrate: status %d\nstdout:\n%s\nstderr:\n%s", status, out, errOut)
	}
	status, out, errOut = runCLI(t, "migrate", "--db", db, "--status")
	want := fmt.Sprintf(": %d applied, 0 pending", len(applied))
	if status != exitOK || !strings.HasSuffix(lines(out)[0], want) {
		t.Errorf("migrate --status: status %d\nstdout:\n%s\nstderr:\n%s", status, out, errOut)
	}
	for _, name := range applied {
		if !strings.Contains(out, "  applied  "+strings.TrimSpace(name)+"\n") {
			t.Errorf("migrate --status does not list %s as applied:\n%s", name, out)
		}
	}
}

// On a fresh SQLite file, migrate applies the shipped migrations, then
// none; --status lists them.
func TestMigrateSQLite(t *testing.T) {
	t.Parallel()
	checkMigrate(t, filepath.Join(t.TempDir(), "x.db"))
}

// The same on PostgreSQL.
func TestMigratePostgres(t *testing.T) {
	t.Parallel()
	checkMigrate(t, pgtest.NewDatabase(t))
}

// --status on an SQLite file that does not exist says so and leaves it
// uncreated.
func TestMigrateStatusOfMissingFile(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "x.db")
	status, _, errOut := runCLI(t, "migrate", "--db", db, "--status")
	if status != exitFailure || !strings.Contains(errOut, "--db "+db+": no such file") {
		t.Errorf("status %d, want %d and a message naming the file:\n%s",
			status, exitFailure, errOut)
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("migrate --status created the database (stat: %v)", err)
	}
}

// Command lines that migrate cannot run are usage errors that say what is
// wrong.
func TestMigrateUsageErrors(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "x.db")
	for _, tt := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"--db", db, "--table", "1bad"}, `--table: table name "1bad"`},
		{[]string{"--db", db, "--table", "a-b"}, `--table: table name "a-b"`},
		{nil, "--db is missing"},
		{[]string{"--db", ":memory:"}, "want the path of an SQLite file"},
		{[]string{"--db", "host=h password=S3cret"}, "use a postgres:// URL"},
		{[]string{"--db", db, "now"}, `unexpected argument "now"`},
	} {
		status, _, errOut := runCLI(t, append([]string{"migrate"}, tt.args...)...)
		if status != exitUsage || !strings.Contains(errOut, tt.stderr) {
			t.Errorf("migrate %q: status %d, want %d and %q in:\n%s",
				tt.args, status, exitUsage, tt.stderr, errOut)
		}
		if strings.Contains(errOut, "S3cret") {
			t.Errorf("migrate %q shows the password:\n%s", tt.args, errOut)
		}
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a usage error created the database (stat: %v)", err)
	}
}
