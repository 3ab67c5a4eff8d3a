package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Each command line that cannot run exits with status 2 and a message that
// says what is wrong; a bad --dir or --db path is a failure of the run,
// status 1. No message shows a password.
func TestExitStatus(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "x.db")
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing")
	// Port 1 refuses connections at once.
	pgQuery := "postgres://alice@127.0.0.1:1/db?password=S3cret&sslpassword=S3cret"
	pgUser := "postgres://alice:S3cret@127.0.0.1:1/db"
	keywords := "host=127.0.0.1 user=x password=S3cret dbname=z"
	tests := []struct {
		name   string
		args   []string
		status int
		stderr string
	}{
		{"no command", nil, exitUsage, "The commands are:"},
		{"unknown command", []string{"bogus"}, exitUsage, `unknown command "bogus"`},
		{"unknown flag", []string{"demo", "--bogus"}, exitUsage,
			"flag provided but not defined: -bogus"},
		{"bad flag value", []string{"demo", "--concurrency", "many"}, exitUsage,
			`invalid value "many" for flag -concurrency`},
		{"fail rate above 1", []string{"demo", "--fail-rate", "1.5"}, exitUsage,
			"--fail-rate must be between 0 and 1, found 1.5"},
		{"negative fail rate", []string{"demo", "--fail-rate", "-0.1"}, exitUsage,
			"--fail-rate must be between 0 and 1"},
		{"no concurrency", []string{"demo", "--concurrency", "0"}, exitUsage,
			"--concurrency must be 1 to 10000"},
		{"extra argument", []string{"demo", "now"}, exitUsage, `unexpected argument "now"`},
		{"missing dir", []string{"demo", "--db", db, "--dir", file + ".missing"}, exitFailure,
			"--dir " + file + ".missing: "},
		{"dir is a file", []string{"demo", "--db", db, "--dir", file}, exitFailure,
			"--dir " + file + ": not a directory"},
		{"db in a missing directory", []string{"demo", "--db", missing + "/x.db", "--dir", dir},
			exitFailure, "--db " + missing + "/x.db: directory " + missing + " does not exist"},
		{"db is a directory", []string{"demo", "--db", dir, "--dir", dir}, exitFailure,
			"--db " + dir + ": is a directory, want a file"},
		{"db under a file", []string{"demo", "--db", file + "/x.db", "--dir", dir}, exitFailure,
			"--db " + file + "/x.db: " + file + " is not a directory"},
		{"db in memory", []string{"demo", "--db", ":memory:"}, exitUsage,
			`--db ":memory:": want the path of an SQLite file`},
		{"db URI", []string{"demo", "--db", "file:x.db?mode=memory"}, exitUsage,
			`--db "file:x.db?mode=memory": want the path of an SQLite file`},
		{"db of another kind", []string{"demo", "--db", "mysql://bob:S3cret@h/db"}, exitUsage,
			"--db mysql://bob:xxxxx@h/db: want an SQLite file path or a postgres:// URL"},
		{"keyword connection string", []string{"demo", "--db", keywords}, exitUsage,
			"use a postgres:// URL"},
		{"URL that does not parse", []string{"demo", "--db", "postgres://bob:S3 cret@h:x/db"},
			exitUsage, "--db is not a valid postgres:// URL"},
		{"password in the query", []string{"demo", "--dir", dir, "--db", pgQuery}, exitFailure,
			"connect to postgres://alice@127.0.0.1:1/db?password=xxxxx&sslpassword=xxxxx:"},
		{"password in the user", []string{"demo", "--dir", dir, "--db", pgUser}, exitFailure,
			"connect to postgres://alice:xxxxx@127.0.0.1:1/db:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			status := run(t.Context(), tt.args, &stdout, &stderr)
			if status != tt.status {
				t.Errorf("status %d, want %d; stderr:\n%s",
					status, tt.status, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, stderr.String())
			}
			if strings.Contains(stderr.String(), "S3cret") {
				t.Errorf("stderr shows the password:\n%s", stderr.String())
			}
		})
	}
	if _, err := os.Stat(keywords); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a keyword connection string made a file of that name (stat: %v)", err)
	}
}

// redact hides every password of a connection URL and leaves the rest as
// it was.
func TestRedact(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"x/y.db", "x/y.db"},
		{"postgres://bob@h/db?sslmode=disable", "postgres://bob@h/db?sslmode=disable"},
		{"postgres://bob:pw@h:5432/db", "postgres://bob:xxxxx@h:5432/db"},
		{"postgresql://h/db?user=bob&password=pw&sslmode=require",
			"postgresql://h/db?user=bob&password=xxxxx&sslmode=require"},
		{"postgres://h/db?sslpassword=pw&PassWord=pw",
			"postgres://h/db?sslpassword=xxxxx&PassWord=xxxxx"},
		{"postgres://h/db?pass%77ord=pw", "postgres://h/db?pass%77ord=xxxxx"},
		{"postgres://bob:p w@h/db", "the database"},
	} {
		if got := redact(tt.in); got != tt.want {
			t.Errorf("redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// The usage texts list the commands and the demo's flags, but not the
// flags meant for tests.
func TestUsage(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		golden string
		args   []string
	}{
		{"usage.golden", []string{"help"}},
		{"demo_usage.golden", []string{"demo", "-h"}},
		{"migrate_usage.golden", []string{"migrate", "-h"}},
	} {
		var stdout, stderr bytes.Buffer
		if status := run(t.Context(), tt.args, &stdout, &stderr); status != exitOK {
			t.Errorf("%q: status %d, want 0; stderr:\n%s", tt.args, status, stderr.String())
		}
		if strings.Contains(stdout.String(), "work-delay") {
			t.Errorf("%q shows the hidden flag --work-delay", tt.args)
		}
		checkGolden(t, tt.golden, stdout.String())
	}
}
