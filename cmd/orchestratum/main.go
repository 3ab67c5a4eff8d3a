// Command orchestratum is the command-line tool of the orchestratum task
// orchestrator.
//
// Usage:
//
//	orchestratum <command> [flags]
//
// The commands are:
//
//	demo     checksum every file of a tree through tasks, in SQLite or PostgreSQL
//	migrate  apply the schema migrations of a tasks table, or list them
//
// Run "orchestratum <command> -h" for the flags of a command.
//
// Both commands take --db, the SQLite file or the postgres:// URL of the
// database; passwords in a URL are hidden in every message. Stores made
// with bunstore.Options.SkipMigrate leave their schema to
// "orchestratum migrate".
//
// Exit status: 0 on success, 1 when a command fails, 2 for a usage error
// (unknown command, bad flag), and 130 when SIGINT or SIGTERM stopped a
// command before it finished; running the same command again resumes it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit statuses of the command.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130 // 128 + SIGINT, as shells report it
)

// command is one subcommand: its name, a line for the usage text, and the
// function that parses its flags and runs it.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands lists the subcommands in the order the usage text shows them.
var commands = []command{
	{"demo", "checksum every file of a tree through tasks, in SQLite or PostgreSQL",
		demoCommand},
	{"migrate", "apply the schema migrations of a tasks table, or list them",
		migrateCommand},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal, a second one gets its default effect and
	// ends the process at once.
	context.AfterFunc(ctx, stop)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches args to a subcommand and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return exitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			return exitStatus(c.name, c.run(ctx, args[1:], stdout, stderr), stderr)
		}
	}
	fmt.Fprintf(stderr, "orchestratum: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

// usage writes the list of subcommands.
func usage(w io.Writer) {
	fmt.Fprint(w, "orchestratum runs persistent background tasks.\n\n"+
		"Usage:\n\n\torchestratum <command> [flags]\n\nThe commands are:\n\n")
	for _, c := range commands {
		fmt.Fprintf(w, "\t%-9s%s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nRun \"orchestratum <command> -h\" for the flags of a command.\n")
}

// exitStatus reports err, if it needs reporting, and returns the exit
// status it stands for.
func exitStatus(name string, err error, stderr io.Writer) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errInterrupted):
		return exitInterrupted
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "orchestratum %s: %v\nRun \"orchestratum %s -h\" for usage.\n",
			name, ue.err, name)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "orchestratum %s: %v\n", name, err)
		return exitFailure
	}
}

// errInterrupted is returned by a command that a signal stopped before it
// finished, after it has said how to resume.
var errInterrupted = errors.New("interrupted")

// interrupted returns err, unless err is not nil and ctx ended: then the
// failure is the interruption, and it writes to w that the command was
// interrupted (when says at what stage) and how to resume, and returns
// errInterrupted.
func interrupted(ctx context.Context, w io.Writer, err error, when string) error {
	if err == nil || ctx.Err() == nil {
		return err
	}
	fmt.Fprintf(w, "interrupted %s.\nRun the same command again to resume.\n", when)
	return errInterrupted
}

// usageError is a command line that a command cannot run: exit status 2.
type usageError struct {
	err error
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }
