package main

import (
	"context"
	"errors"
	"time"

	orch "github.com/orchestratum/orchestratum"
)

// watchInterval is how often the demo counts tasks to draw its progress and
// to notice that none is left.
const watchInterval = 200 * time.Millisecond

// work runs a runner until no demo task is pending or running, or until
// ctx ends; either way the runner stops gracefully before work returns.
func (d *demo) work(ctx context.Context) error {
	if err := d.findCutOff(ctx); err != nil {
		return err
	}
	r, err := orch.NewRunner(d.store, d.reg, d.cfg)
	if err != nil {
		return err
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	ran := make(chan error, 1)
	go func() { ran <- r.Run(runCtx) }()

	err = d.watch(runCtx)
	if ctx.Err() != nil {
		d.progress.say("stopping: letting running tasks finish " +
			"(Ctrl-C again to quit at once)")
	}
	stop()
	return errors.Join(err, <-ran)
}

// findCutOff notes when the leases of the demo's running tasks end. Before
// this process starts its runner, such tasks were left running by a run
// that stopped without finishing them (or belong to another live
// process): they are due again once their leases end.
func (d *demo) findCutOff(ctx context.Context) error {
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
			d.cutOff = append(d.cutOff, rec.LockedUntil)
		}
	}
	if n, wait := d.waiting(time.Now()); n > 0 {
		d.progress.say("%d tasks were left running by an earlier run; "+
			"they run again once their leases end, within %v", n, wait)
	}
	return nil
}

// waiting returns how many cut-off tasks are still under lease at now, and
// how long until the last lease ends.
func (d *demo) waiting(now time.Time) (n int, wait time.Duration) {
	for _, end := range d.cutOff {
		if end.After(now) {
			n++
			wait = max(wait, end.Sub(now))
		}
	}
	return n, wait.Round(100 * time.Millisecond)
}

// watch draws the progress until no task is left or ctx ends.
func (d *demo) watch(ctx context.Context) error {
	tick := time.NewTicker(watchInterval)
	defer tick.Stop()
	for {
		s, err := d.state(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
		last := s.pending+s.running == 0
		d.progress.update(s, last)
		if last {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
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
	s.cutOff, s.cutOffWait = d.waiting(now)
	return s, nil
}
