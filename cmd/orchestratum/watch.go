package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// How the demo watches its progress.
const (
	// watchInterval is how often the demo counts tasks to draw its
	// progress and to notice that none is left.
	watchInterval = 200 * time.Millisecond

	// watchGiveUp is how long the counts may fail to be read, read after
	// read, before the demo stops. It rides out a restart or a failover of
	// PostgreSQL, after which the connection pool opens new connections;
	// a database still gone after it is not coming back soon, and the
	// tasks wait in it for the next run.
	watchGiveUp = time.Minute
)

// watcher reads the progress every interval and draws it. A read that
// fails is shown, logged at the first of a series, and retried at the next
// tick; only reads failing for giveUp in a row end the watch.
type watcher struct {
	read     func(context.Context) (progressState, error)
	progress *progress
	log      *slog.Logger
	every    time.Duration
	giveUp   time.Duration
	now      func() time.Time

	last    progressState // the last state read
	failing time.Time     // when reads began to fail; zero while they work
}

// run draws the progress until no task is left or ctx ends, and returns
// the last state it read.
func (w *watcher) run(ctx context.Context) (progressState, error) {
	tick := time.NewTicker(w.every)
	defer tick.Stop()
	for {
		done, err := w.step(ctx)
		if done || err != nil {
			return w.last, err
		}
		select {
		case <-ctx.Done():
			return w.last, nil
		case <-tick.C:
		}
	}
}

// step reads and draws the progress once, and reports whether the watch is
// over: no task is left, or ctx ended.
func (w *watcher) step(ctx context.Context) (bool, error) {
	s, err := w.read(ctx)
	switch {
	case ctx.Err() != nil:
		return true, nil
	case err != nil:
		return false, w.failed(ctx, err)
	}
	w.recovered()
	w.last = s
	done := s.pending+s.running == 0
	w.progress.update(s, done)
	return done, nil
}

// failed handles a failed read: it logs the first of a series, shows how
// long the progress has not been read, and gives up after giveUp.
func (w *watcher) failed(ctx context.Context, err error) error {
	now := w.now()
	if w.failing.IsZero() {
		w.failing = now
		w.log.WarnContext(ctx, "orchestratum demo: reading the progress failed; retrying",
			slog.Any("error", err))
	}
	stale := now.Sub(w.failing)
	if stale >= w.giveUp {
		return fmt.Errorf("read the progress: failing for %v: %w", stale.Round(time.Second), err)
	}
	s := w.last
	s.stale = stale.Round(100 * time.Millisecond)
	w.progress.update(s, false)
	return nil
}

// recovered notes that a read worked after a series of failures.
func (w *watcher) recovered() {
	if w.failing.IsZero() {
		return
	}
	w.progress.say("progress: read again after %v of failures",
		w.now().Sub(w.failing).Round(100*time.Millisecond))
	w.failing = time.Time{}
}
