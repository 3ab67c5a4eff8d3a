package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// hiddenFlags are the flags meant for tests, left out of usage texts.
var hiddenFlags = map[string]bool{"work-delay": true}

// dbFlag defines the --db flag, shared by the commands that open a
// database, with def as its default.
func dbFlag(fs *flag.FlagSet, p *string, def string) {
	fs.StringVar(p, "db", def, "the `FILE|URL` of the database that holds the tasks: "+
		"an SQLite file (created when missing) or a postgres:// URL")
}

// parseArgs parses a command's args with fs. For -h it writes usage and
// the flags to stdout and returns flag.ErrHelp; a bad command line is a
// *usageError.
func parseArgs(fs *flag.FlagSet, args []string, usage string, stdout io.Writer) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		printUsage(stdout, usage, fs)
		return err
	case err != nil:
		return &usageError{err: err}
	case fs.NArg() > 0:
		return &usageError{err: fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}

// printUsage writes a command's usage text and its flags, leaving out the
// flags meant for tests, and defaults that are empty or false.
func printUsage(w io.Writer, usage string, fs *flag.FlagSet) {
	fmt.Fprint(w, usage)
	fs.VisitAll(func(f *flag.Flag) {
		if hiddenFlags[f.Name] {
			return
		}
		name, text := flag.UnquoteUsage(f)
		if name != "" {
			name = " " + name
		}
		fmt.Fprintf(w, "  --%s%s\n    \t%s", f.Name, name, text)
		if f.DefValue != "" && f.DefValue != "false" {
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
}
