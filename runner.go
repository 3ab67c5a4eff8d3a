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
// Config.Concurrency at once. It renews the leases of long runs, records
// each outcome (completed, retry after a backoff, failed), and stops
// gracefully when the context given to Run ends.
//
// Several runners, in one process or many, may serve one store: a claim
// takes a task under a lease, so no two runners run it at once.
type Runner struct {
	store Store
	reg   *Registry
	cfg   Config
	log   *slog.Logger

	started atomic.Bool
	active  atomic.Int64  // runs holding a slot
	freed   chan struct{} // a slot was freed; coalesced
	poke    chan struct{} // a task may have become due; coalesced

	mu   sync.Mutex
	runs map[ID]*run // running tasks, for heartbeats

	fin  *finisher
	stop stopper
}

// NewRunner returns a runner that claims from store the tasks of the
// executors that have a handler in reg.
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
		freed: make(chan struct{}, 1),
		poke:  make(chan struct{}, 1),
		runs:  make(map[ID]*run),
		stop:  newStopper(),
	}
	r.fin = newFinisher(store, cfg, r.wakeAfter)
	return r, nil
}

// Run claims and runs tasks until ctx ends or Stop is called, then stops:
// it claims no more, gives running handlers Config.StopTimeout to finish,
// cancels the rest (their tasks go back to pending without using a retry),
// records every outcome and returns. It returns nil after such a stop;
// errors are for a runner that cannot start. Store errors while running
// are logged and retried, never returned. A Runner runs once.
func (r *Runner) Run(ctx context.Context) error {
	keys := r.reg.Keys()
	if len(keys) == 0 {
		return errors.New("run: no handlers registered")
	}
	if !r.started.CompareAndSwap(false, true) {
		return errors.New("run: runner already started")
	}
	defer close(r.stop.done)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-r.stop.graceful:
			cancel()
		case <-ctx.Done():
		}
	}()
	wake, unsubscribe := r.store.Subscribe()
	defer unsubscribe()

	// Handlers and store writes outlive ctx: the stop is graceful.
	base := context.WithoutCancel(ctx)
	runCtx, cancelRuns := context.WithCancelCause(base)
	defer cancelRuns(ErrShutdown)

	finDone := make(chan struct{})
	go func() { defer close(finDone); r.fin.loop(base) }()
	hbCtx, stopHeartbeats := context.WithCancel(base)
	hbDone := make(chan struct{})
	go func() { defer close(hbDone); r.heartbeatLoop(hbCtx) }()

	r.log.InfoContext(ctx, "orchestratum: runner started",
		slog.Any("executors", keys), slog.Int("concurrency", r.cfg.Concurrency))
	var wg sync.WaitGroup
	r.fetchLoop(ctx, runCtx, &wg, keys, wake)

	r.drain(base, &wg, cancelRuns)
	stopHeartbeats()
	<-hbDone
	r.fin.close()
	<-finDone
	r.log.InfoContext(base, "orchestratum: runner stopped")
	return nil
}

// drain waits for running handlers for the stop timeout, then cancels the
// ones still running and waits for them to be settled.
func (r *Runner) drain(ctx context.Context, wg *sync.WaitGroup, cancelRuns context.CancelCauseFunc) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	if n := r.active.Load(); n > 0 {
		r.log.InfoContext(ctx, "orchestratum: runner stopping; waiting for running tasks",
			slog.Int64("running", n), slog.Duration("stop_timeout", r.cfg.StopTimeout))
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

// fetchLoop claims tasks while slots are free and starts a run for each,
// until ctx ends. After a claim that filled every free slot it claims again
// as soon as a slot frees; otherwise it waits for a wake-up or the poll.
func (r *Runner) fetchLoop(ctx, runCtx context.Context, wg *sync.WaitGroup, keys []string, wake <-chan struct{}) {
	poll := time.NewTimer(r.cfg.PollInterval)
	defer poll.Stop()
	failures := 0
	for ctx.Err() == nil {
		free := r.cfg.Concurrency - int(r.active.Load())
		full := false
		if free > 0 {
			recs, err := r.store.Claim(ctx, ClaimParams{
				Executors:     keys,
				Queue:         DefaultQueue,
				Limit:         free,
				Lease:         r.cfg.Lease,
				TimeoutBuffer: r.cfg.TimeoutBuffer,
			})
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				failures++
				r.log.ErrorContext(ctx, "orchestratum: claim failed", slog.Any("error", err),
					slog.Int("consecutive_failures", failures))
				r.sleep(ctx, min(r.cfg.PollInterval, time.Duration(failures)*100*time.Millisecond))
				continue
			}
			failures = 0
			r.start(runCtx, wg, recs)
			full = len(recs) == free
		}
		poll.Reset(r.cfg.PollInterval)
		if full || free <= 0 {
			// There may be more due tasks: claim again once a slot frees.
			select {
			case <-ctx.Done():
			case <-r.freed:
			}
			continue
		}
		select {
		case <-ctx.Done():
		case <-wake:
		case <-r.poke:
		case <-poll.C:
		}
	}
}

// start launches a run for each claimed record.
func (r *Runner) start(ctx context.Context, wg *sync.WaitGroup, recs []Record) {
	for i := range recs {
		ru := r.newRun(recs[i])
		r.active.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			ru.execute(ctx)
		}()
	}
}

// release frees a slot and tells the fetch loop.
func (r *Runner) release() {
	r.active.Add(-1)
	select {
	case r.freed <- struct{}{}:
	default:
	}
}

// wakeAfter makes the fetch loop look for due tasks after d, so that a
// retry due sooner than the next poll does not wait for it.
func (r *Runner) wakeAfter(d time.Duration) {
	if d >= r.cfg.PollInterval {
		return
	}
	time.AfterFunc(d, func() {
		select {
		case r.poke <- struct{}{}:
		default:
		}
	})
}

func (r *Runner) sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
