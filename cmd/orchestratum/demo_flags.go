package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// demoOptions are the settings of one demo run.
type demoOptions struct {
	DB          string  // the SQLite file (created when missing) or a PostgreSQL URL
	Dir         string  // the tree to checksum; empty means $GOROOT/src
	FailRate    float64 // share of first attempts that fail on purpose
	Concurrency int     // handlers running at once

	// WorkDelay makes every handler wait this long before it works, so
	// that tests can stop the process while tasks are running. It is the
	// hidden flag --work-delay, for testing only.
	WorkDelay time.Duration
}

// Defaults of the demo's flags.
const (
	defaultDemoDB          = "orchestratum.db"
	defaultDemoFailRate    = 0.03
	defaultDemoConcurrency = 8
	maxDemoConcurrency     = 10_000
)

const demoUsage = `Usage: orchestratum demo [flags]

Demo walks a directory tree and appends one task per regular file to a
queue in an SQLite file (or a PostgreSQL database); a runner then computes
each file's SHA-256, size and line count and stores them in the table
demo_results. A share of first attempts fail on purpose so that retries
show. Files whose paths are not valid UTF-8 are skipped and counted: a
task's JSON payload cannot hold them.

Ctrl-C stops it gracefully, letting running tasks finish (exit status
130); a second Ctrl-C quits at once. Stopped either way, or killed, it
resumes when the same command runs again: it appends only the files it
does not know yet, and tasks that a killed run left half done run again
once their 5s leases end.

Flags:
`

// parseDemoFlags reads the demo's command line. It writes the usage text
// to stdout for -h, and returns a *usageError for a bad command line.
func parseDemoFlags(args []string, stdout io.Writer) (demoOptions, error) {
	o := demoOptions{}
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	dbFlag(fs, &o.DB, defaultDemoDB)
	fs.StringVar(&o.Dir, "dir", "", "the `directory` to checksum (default $GOROOT/src)")
	fs.Float64Var(&o.FailRate, "fail-rate", defaultDemoFailRate,
		"the share of first attempts that fail on purpose, from 0 to 1")
	fs.IntVar(&o.Concurrency, "concurrency", defaultDemoConcurrency,
		"how many files are checksummed at once")
	fs.DurationVar(&o.WorkDelay, "work-delay", 0, "for tests: each task waits this long")
	if err := parseArgs(fs, args, demoUsage, stdout); err != nil {
		return o, err
	}
	if err := o.validate(); err != nil {
		return o, &usageError{err: err}
	}
	return o, nil
}

// validate checks the options that flags cannot check by their type.
func (o *demoOptions) validate() error {
	switch {
	case math.IsNaN(o.FailRate) || o.FailRate < 0 || o.FailRate > 1:
		return fmt.Errorf("--fail-rate must be between 0 and 1, found %v", o.FailRate)
	case o.Concurrency < 1 || o.Concurrency > maxDemoConcurrency:
		return fmt.Errorf("--concurrency must be 1 to %d, found %d", maxDemoConcurrency, o.Concurrency)
	case o.WorkDelay < 0:
		return fmt.Errorf("--work-delay must not be negative, found %v", o.WorkDelay)
	}
	return validateDB(o.DB)
}

// defaultDir returns the source tree of the Go toolchain: thousands of
// real files. runtime.GOROOT knows it unless the command was built with
// -trimpath; then the go command is asked.
func defaultDir(ctx context.Context) (string, error) {
	root := runtime.GOROOT()
	if root == "" {
		out, err := exec.CommandContext(ctx, "go", "env", "GOROOT").Output()
		if err != nil {
			return "", fmt.Errorf("find GOROOT for the default --dir: %w", err)
		}
		root = strings.TrimSpace(string(out))
	}
	return filepath.Join(root, "src"), nil
}
