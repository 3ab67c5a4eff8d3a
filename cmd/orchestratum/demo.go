package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/uptrace/bun"

	orch "github.com/orchestratum/orchestratum"
	"github.com/orchestratum/orchestratum/bunstore"
)

// The demo's task settings, short so that retries and rescues show within
// seconds: a task cut off by a killed run is claimable again once its
// lease ends, within demoLease.
const (
	demoLease       = 5 * time.Second
	demoTimeout     = 30 * time.Second
	demoBackoff     = 200 * time.Millisecond
	demoStopTimeout = 5 * time.Second
)

// demo is one run of the demo command.
type demo struct {
	opts     demoOptions
	db       *bun.DB
	store    *bunstore.Store
	reg      *orch.Registry
	queue    *orch.Queue
	cfg      orch.Config
	progress *progress
	log      *slog.Logger // the runner's and the store's, writing through progress
	stdout   io.Writer
	start    time.Time

	heldAtStart []time.Time // lease ends of tasks running before this run began
	tally       tally       // outcomes recorded by this run
}

// demoCommand is the demo subcommand.
func demoCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	opts, err := parseDemoFlags(args, stdout)
	if err != nil {
		return err
	}
	return runDemo(ctx, opts, stdout, stderr)
}

// runDemo scans opts.Dir, appends a task per new file and runs the tasks
// until none is left or ctx ends. It writes progress to stderr and a
// summary to stdout. When ctx ends first it says how to resume and
// returns errInterrupted.
func runDemo(ctx context.Context, opts demoOptions, stdout, stderr io.Writer) error {
	p := newProgress(stderr)
	root, err := opts.root(ctx)
	if err != nil {
		return interrupted(ctx, p, err, "while starting, before any task ran")
	}
	d, err := openDemo(ctx, opts, p, stdout)
	if err != nil {
		return interrupted(ctx, p, err, "while starting, before any task ran")
	}
	defer d.close()
	if err := d.run(ctx, root); err != nil {
		return d.stopped(ctx, err)
	}
	return nil
}

// run scans root, runs the tasks left and writes the summary.
func (d *demo) run(ctx context.Context, root string) error {
	d.progress.say("scanning %s", root)
	scan, err := d.scan(ctx, root)
	if err != nil {
		return err
	}
	d.progress.say("%s", scan.line())
	s, err := d.state(ctx)
	if err != nil {
		return err
	}
	idle := s.pending+s.running == 0
	if !idle {
		if s, err = d.work(ctx, s); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	d.report(s, scan, idle)
	return nil
}

// root returns the absolute directory the options name, after checking it.
func (o *demoOptions) root(ctx context.Context) (string, error) {
	if err := o.validate(); err != nil {
		return "", err
	}
	dir := o.Dir
	if dir == "" {
		var err error
		if dir, err = defaultDir(ctx); err != nil {
			return "", err
		}
	}
	return checkDir(dir)
}

// openDemo opens the database, migrates it and sets up the queue and the
// registry of the demo's handler.
func openDemo(ctx context.Context, opts demoOptions, p *progress, stdout io.Writer) (
	*demo, error,
) {
	db, err := openDB(ctx, opts.DB)
	if err != nil {
		return nil, err
	}
	d := &demo{opts: opts, db: db, progress: p, log: warnLogger(p), stdout: stdout,
		start: time.Now()}
	if err := d.setup(ctx); err != nil {
		return nil, errors.Join(err, d.close())
	}
	return d, nil
}

// setup migrates the database and makes the store, the demo's tables, the
// registry and the queue.
func (d *demo) setup(ctx context.Context) error {
	var err error
	opts := bunstore.Options{Logger: d.log}
	if d.store, err = bunstore.New(ctx, d.db, opts); err != nil {
		return err
	}
	if err := createDemoTables(ctx, d.db); err != nil {
		return err
	}
	d.cfg = orch.Config{
		Concurrency:    d.opts.Concurrency,
		Lease:          demoLease,
		DefaultTimeout: demoTimeout,
		Backoff:        orch.ConstantBackoff(demoBackoff),
		StopTimeout:    demoStopTimeout,
		Logger:         d.log,
		OnEvent:        d.tally.record,
	}
	d.reg = orch.NewRegistry()
	if err := orch.Register(d.reg, checksumFile, d.checksum); err != nil {
		return err
	}
	d.queue, err = orch.NewQueue(d.store, d.reg, d.cfg)
	return err
}

// warnLogger logs warnings and errors only: injected failures log each
// retry at info level, which would bury the progress bar.
func warnLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// close closes the store and the database.
func (d *demo) close() error {
	var err error
	if d.store != nil {
		err = d.store.Close()
	}
	return errors.Join(err, d.db.Close())
}

// left returns how many of the demo's tasks are not finished yet.
func (d *demo) left(ctx context.Context) (int, error) {
	c, err := d.queue.Count(ctx, checksumFile.Key())
	return c.Pending + c.Running, err
}
