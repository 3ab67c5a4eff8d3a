package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// errRead is the failure of a read of the progress in these tests.
var errRead = errors.New("count tasks: FATAL: terminating connection (SQLSTATE 57P01)")

// newTestWatcher returns a watcher that reads with read, ticks every
// millisecond, and whose clock moves step at each reading of it. It writes
// to the returned buffer.
func newTestWatcher(read func(context.Context) (progressState, error), step time.Duration) (
	*watcher, *bytes.Buffer,
) {
	var b bytes.Buffer
	p := newProgress(&b)
	now := time.Unix(0, 0)
	w := &watcher{read: read, progress: p, log: warnLogger(p), every: time.Millisecond,
		giveUp: time.Minute, now: func() time.Time { now = now.Add(step); return now }}
	return w, &b
}

// Reads that fail for a while are logged once, shown, and retried; the
// watch goes on to the end and returns the last state.
func TestWatcherRidesOutFailedReads(t *testing.T) {
	t.Parallel()
	reads := 0
	read := func(context.Context) (progressState, error) {
		reads++
		switch {
		case reads == 1:
			return progressState{pending: 2, total: 2}, nil
		case reads <= 4:
			return progressState{}, errRead
		}
		return progressState{done: 2, total: 2}, nil
	}
	w, out := newTestWatcher(read, time.Second)
	s, err := w.run(t.Context())
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	if s.done != 2 || s.total != 2 {
		t.Errorf("run returned %+v, want the final state 2/2", s)
	}
	if n := strings.Count(out.String(), "level=WARN"); n != 1 {
		t.Errorf("%d warnings for a series of 3 failed reads, want 1:\n%s", n, out)
	}
	for _, want := range []string{"reading the progress failed; retrying", "SQLSTATE 57P01",
		"read again after"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// Reads that keep failing for giveUp end the watch with an error that
// wraps the last failure.
func TestWatcherGivesUp(t *testing.T) {
	t.Parallel()
	read := func(context.Context) (progressState, error) { return progressState{}, errRead }
	w, out := newTestWatcher(read, 20*time.Second)
	_, err := w.run(t.Context())
	if !errors.Is(err, errRead) || !strings.Contains(err.Error(), "failing for 1m0s") {
		t.Errorf("run = %v, want an error after 1m0s of failures wrapping %v", err, errRead)
	}
	if n := strings.Count(out.String(), "level=WARN"); n != 1 {
		t.Errorf("%d warnings, want 1:\n%s", n, out)
	}
}

// A watch whose context ends returns without an error, even when the read
// failed on the cancelled context.
func TestWatcherStopsWithContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	read := func(ctx context.Context) (progressState, error) {
		cancel()
		return progressState{}, ctx.Err()
	}
	w, out := newTestWatcher(read, time.Second)
	if _, err := w.run(ctx); err != nil {
		t.Errorf("run after cancel = %v, want nil", err)
	}
	if out.Len() != 0 {
		t.Errorf("run after cancel wrote:\n%s", out)
	}
}
