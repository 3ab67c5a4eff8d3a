package orchestratum

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Runner claims due tasks from a store and runs their handlers, at most
// Config.Concurrency at once per queue it serves. It renews the leases of
// long runs, records each outcome (completed, retry after a backoff,
// failed, cancelled), prunes old finished tasks when Config.Retention is
// set, fires periodic tasks, and stops gracefully when the context given
// to Run ends.
//
// Several runners, in one process or many, may serve one store: a claim
// takes a task under a lease, so no two runners run it at once.
type Runner struct {
	store Store
	reg   *Registry
	cfg   Config
	log   *slog.Logger
	id    string // names this runner in store locks
	lanes []*lane

	started atomic.Bool

	mu   sync.Mutex
	runs map[ID]*run // running tasks, for heartbeats and cancellation

	fin  *finisher
	stop stopper
}

// NewRunner returns a runner that claims from store the tasks of the
// executors that have a handler in reg, on the queues of cfg.
func NewRunner(store Store, reg *Registry, cfg Config) (*Runner, error) {
	if store == nil {
		return nil, errors.New("new runner: store is nil")
	}
	if reg == nil {
		return nil, errors.New("new runner: registry is nil")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("new runner: %w", err)
	}
	r := &Runner{
		store: store,
		reg:   reg,
		cfg:   cfg,
		log:   cfg.Logger,
		id:    NewID().String(),
		runs:  make(map[ID]*run),
		stop:  newStopper(),
	}
	for _, q := range sortedQueues(cfg.Queues) {
		r.lanes = append(r.lanes, newLane(r, q, cfg.Queues[q]))
	}
	r.fin = newFinisher(store, cfg, r.wakeAfter)
	return r, nil
}

// Run claims and runs tasks until ctx ends or Stop is called, then stops:
// it claims no more, gives running handlers Config.StopTimeout to finish,
// cancels the rest (their tasks go back to pending without using a retry),
// records every outcome and returns. It returns nil after such a stop;
// errors are for a runner that cannot start. Store errors while running
// are logged and retried, never returned. A Runner runs once, serving the
// executors that had handlers in its registry when Run was called.
func (r *Runner) Run(ctx context.Context) error {
	keys := r.reg.Keys()
	if len(keys) == 0 {
		return errors.New("run: no handlers registered")
	}
	if !r.started.CompareAndSwap(false, true) {
		return errors.New("run: runner already started")
	}
	defer close(r.stop.done)
	select {
	case <-r.stop.graceful:
		return nil // stopped before it started
	default:
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-r.stop.graceful:
			cancel()
		case <-ctx.Done():
		}
	}()
	r.serve(ctx, keys)
	return nil
}

// serve runs the lanes and the background loops until ctx ends, then
// drains the runs and records their outcomes.
func (r *Runner) serve(ctx context.Context, keys []string) {
	sub := r.store.Subscribe()
	defer sub.Close()
	// Handlers and store writes outlive ctx: the stop is graceful.
	base := context.WithoutCancel(ctx)
	runCtx, cancelRuns := context.WithCancelCause(base)
	defer cancelRuns(ErrShutdown)

	var bg sync.WaitGroup
	bgCtx, stopBackground := context.WithCancel(base)
	finDone := make(chan struct{})
	go func() { defer close(finDone); r.fin.loop(base) }()
	bg.Go(func() { r.heartbeatLoop(bgCtx, sub.Cancel) })
	bg.Go(func() { r.relayWakes(bgCtx, sub.Wake) })
	bg.Go(func() { r.pruneLoop(bgCtx) })
	bg.Go(func() { r.periodicLoop(ctx) })

	r.log.InfoContext(ctx, "orchestratum: runner started",
		slog.Any("executors", keys), slog.Any("queues", r.cfg.Queues))
	var runs, lanes sync.WaitGroup
	for _, l := range r.lanes {
		lanes.Go(func() { l.fetchLoop(ctx, runCtx, &runs, keys) })
	}
	lanes.Wait()

	r.drain(base, &runs, cancelRuns)
	stopBackground()
	bg.Wait()
	r.fin.close()
	<-finDone
	r.log.InfoContext(base, "orchestratum: runner stopped")
}

// drain waits for running handlers for the stop timeout, then cancels the
// ones still running and waits for them to be settled.
func (r *Runner) drain(ctx context.Context, wg *sync.WaitGroup, cancelRuns context.CancelCauseFunc) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	if n := r.running(); n > 0 {
		r.log.InfoContext(ctx, "orchestratum: runner stopping; waiting for running tasks",
			slog.Int("running", n), slog.Duration("stop_timeout", r.cfg.StopTimeout))
	}
	if r.cfg.StopTimeout > 0 {
		t := time.NewTimer(r.cfg.StopTimeout)
		defer t.Stop()
		select {
		case <-done:
			return
		case <-t.C:
		case <-r.stop.hurry:
		}
	}
	cancelRuns(ErrShutdown)
	<-done
}

// running returns how many runs hold a slot.
func (r *Runner) running() int {
	n := 0
	for _, l := range r.lanes {
		n += int(l.active.Load())
	}
	return n
}

// relayWakes passes the store's wake-ups on to every lane.
func (r *Runner) relayWakes(ctx context.Context, wake <-chan struct{}) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-wake:
			for _, l := range r.lanes {
				l.wake()
			}
		}
	}
}

// wakeAfter makes the lane of queue look for due tasks after d, so that a
// retry due sooner than the next poll does not wait for it.
func (r *Runner) wakeAfter(queue string, d time.Duration) {
	if d >= r.cfg.PollInterval {
		return
	}
	for _, l := range r.lanes {
		if l.queue == queue {
			time.AfterFunc(d, l.wake)
		}
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
