package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Each command line that cannot run exits with status 2 and a message that
// says what is wrong; a bad --dir is a failure of the run, status 1.
func TestExitStatus(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "x.db")
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
			"--concurrency must be at least 1"},
		{"extra argument", []string{"demo", "now"}, exitUsage, `unexpected argument "now"`},
		{"missing dir", []string{"demo", "--db", db, "--dir", file + ".missing"}, exitFailure,
			"--dir " + file + ".missing: "},
		{"dir is a file", []string{"demo", "--db", db, "--dir", file}, exitFailure,
			"--dir " + file + ": not a directory"},
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
		})
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
