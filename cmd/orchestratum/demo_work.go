package main

import (
	"context"
	"errors"
	"time"

	orch "github.com/orchestratum/orchestratum"
)

// work runs a runner until no demo task is pending or running, or until
// ctx ends; either way the runner stops gracefully before work returns.
// It returns the last progress it read, starting from s.
func (d *demo) work(ctx context.Context, s progressState) (progressState, error) {
	if err := d.findHeld(ctx); err != nil {
		return progressState{}, err
	}
	r, err := orch.NewRunner(d.store, d.reg, d.cfg)
	if err != nil {
		return progressState{}, err
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	ran := make(chan error, 1)
	go func() { ran <- r.Run(runCtx) }()

	s, err = d.watcher(s).run(runCtx)
	if ctx.Err() != nil {
		d.progress.say("stopping: letting running tasks finish " +
			"(Ctrl-C again to quit at once)")
	}
	stop()
	return s, errors.Join(err, <-ran)
}

// watcher returns the watcher of the demo's progress, which shows s until
// its first read.
func (d *demo) watcher(s progressState) *watcher {
	return &watcher{
		last:     s,
		read:     d.state,
		progress: d.progress,
		log:      d.log,
		every:    watchInterval,
		giveUp:   watchGiveUp,
		now:      time.Now,
	}
}

// findHeld notes when the leases of the demo's running tasks end. Before
// this process starts its runner, such tasks belong to another process
// still running, or to a run that stopped without finishing them: those
// are due again once their leases end.
func (d *demo) findHeld(ctx context.Context) error {
	ids, err := runningIDs(ctx, d.db, d.store.Table(), checksumFile.Key())
	if err != nil {
		return err
	}
	for _, id := range ids {
		rec, err := d.store.Get(ctx, id)
		if errors.Is(err, orch.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if rec.State == orch.StateRunning {
			d.heldAtStart = append(d.heldAtStart, rec.LockedUntil)
		}
	}
	if n, wait := d.held(time.Now()); n > 0 {
		d.progress.say("%s already running, in another process or left by a run "+
			"that stopped; a stopped run's tasks are due again here once their "+
			"leases end, within %v", count(n, "task is", "tasks are"), wait)
	}
	return nil
}

// held returns how many of the tasks running before this run began are
// still under the lease they had then at now, and how long until the last
// of those leases ends.
func (d *demo) held(now time.Time) (n int, wait time.Duration) {
	for _, end := range d.heldAtStart {
		if end.After(now) {
			n++
			wait = max(wait, end.Sub(now))
		}
	}
	return n, wait.Round(100 * time.Millisecond)
}

// state reads the progress from the database and this run's tally.
func (d *demo) state(ctx context.Context) (progressState, error) {
	c, err := d.queue.Count(ctx, checksumFile.Key())
	if err != nil {
		return progressState{}, err
	}
	retried, err := countRetried(ctx, d.db, d.store.Table(), checksumFile.Key())
	if err != nil {
		return progressState{}, err
	}
	now := time.Now()
	s := progressState{
		pending: c.Pending,
		running: c.Running,
		done:    c.Completed + c.Failed,
		total:   c.Total(),
		failed:  c.Failed,
		retried: retried,
		rate:    float64(d.tally.finished()) / now.Sub(d.start).Seconds(),
	}
	s.held, s.heldWait = d.held(now)
	return s, nil
}
