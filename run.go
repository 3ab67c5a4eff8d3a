package orchestratum

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"
)

// run is one claimed attempt of a task.
type run struct {
	r      *Runner
	rec    Record
	cancel context.CancelCauseFunc

	// deadline is when the handler must have returned (timeout plus
	// buffer); expiry is when the lease ends as far as this process
	// knows. Both are guarded by r.mu once the run is registered.
	deadline time.Time
	expiry   time.Time
}

func (r *Runner) newRun(rec Record) *run {
	now := r.cfg.Now()
	lease := min(rec.Timeout+r.cfg.TimeoutBuffer, r.cfg.Lease)
	return &run{
		r:        r,
		rec:      rec,
		deadline: now.Add(rec.Timeout + r.cfg.TimeoutBuffer),
		// The claim's lease started before this moment, so counting from
		// now errs on the late side; heartbeats correct it (see
		// heartbeatLoop), and a late lease only delays a rescue.
		expiry: now.Add(lease),
	}
}

// execute runs the handler under the task's timeout, waits for it (or gives
// up on a handler that ignores its context), and hands the outcome to the
// finisher.
func (ru *run) execute(parent context.Context) {
	r := ru.r
	defer r.release()
	u, ok := r.reg.unit(ru.rec.Executor)
	if !ok {
		// Claims name only registered executors; a store that breaks
		// that rule gets the task back untouched.
		ru.finish(Outcome{Lease: ru.rec.Lease(), State: StatePending, Delay: r.cfg.PollInterval},
			fmt.Errorf("runner has no handler for executor %q", ru.rec.Executor), 0)
		return
	}
	if ru.rec.Timeout <= 0 {
		err := Permanent(fmt.Errorf("stored timeout %v is not positive", ru.rec.Timeout))
		ru.finish(Outcome{Lease: ru.rec.Lease(), State: StateFailed, Error: err.Error()}, err, 0)
		return
	}
	ctx, cancel := context.WithCancelCause(parent)
	ctx, cancelTimeout := context.WithTimeoutCause(ctx, ru.rec.Timeout, ErrTimeout)
	defer cancelTimeout()
	defer cancel(nil)
	ru.cancel = cancel
	r.track(ru)
	defer r.untrack(ru)

	start := r.cfg.Now()
	done := make(chan error, 1)
	go func() { done <- call(ctx, u, &ru.rec) }()
	err := ru.wait(ctx, done)
	elapsed := r.cfg.Now().Sub(start)
	o, err := ru.decide(err, context.Cause(ctx))
	ru.finish(o, err, elapsed)
}

// wait returns the handler's result, or an error of its own when the
// handler has not returned TimeoutBuffer after its context ended.
func (ru *run) wait(ctx context.Context, done <-chan error) error {
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	grace := time.NewTimer(ru.r.cfg.TimeoutBuffer)
	defer grace.Stop()
	select {
	case err := <-done:
		return err
	case <-grace.C:
		ru.r.log.WarnContext(ctx, "orchestratum: handler ignored its context; abandoning it",
			ru.attrs(), slog.Any("cause", context.Cause(ctx)))
		return fmt.Errorf("handler did not return within %v after its context ended",
			ru.r.cfg.TimeoutBuffer)
	}
}

// call runs the handler, turning a panic into a *PanicError.
func call(ctx context.Context, u unit, rec *Record) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return u.run(ctx, rec)
}

// decide turns the handler's result and its context's cause into the
// outcome to record and the attempt's error. A handler that returns nil
// has succeeded unless its timeout passed or its lease was lost first.
func (ru *run) decide(err, cause error) (Outcome, error) {
	o := Outcome{Lease: ru.rec.Lease()}
	switch {
	case errors.Is(cause, ErrShutdown) && err != nil:
		err = fmt.Errorf("interrupted: %w: %w", ErrShutdown, err)
		o.State, o.Error = StatePending, err.Error()
		return o, err
	case errors.Is(cause, ErrTimeout):
		err = fmt.Errorf("%w after %v: %w", ErrTimeout, ru.rec.Timeout, orNil(err))
	case errors.Is(cause, ErrLeaseLost):
		err = fmt.Errorf("%w: %w", ErrLeaseLost, orNil(err))
	case err == nil:
		o.State = StateCompleted
		return o, nil
	}
	o.Error = err.Error()
	if IsPermanent(err) || ru.rec.RetriesLeft <= 0 {
		o.State = StateFailed
		return o, err
	}
	o.State, o.UseRetry = StatePending, true
	o.Delay = max(ru.r.cfg.Backoff(ru.rec.Attempt), 0)
	return o, err
}

// orNil keeps "timed out: <nil>" out of messages when the handler
// returned no error of its own.
func orNil(err error) error {
	if err == nil {
		return errors.New("handler returned after its context ended")
	}
	return err
}

func (ru *run) finish(o Outcome, err error, elapsed time.Duration) {
	ru.r.fin.submit(finishItem{outcome: o, rec: ru.rec, err: err, elapsed: elapsed})
}

func (ru *run) attrs() slog.Attr {
	return slog.Group("task",
		slog.String("id", ru.rec.ID.String()),
		slog.String("executor", ru.rec.Executor),
		slog.Int("attempt", ru.rec.Attempt))
}

// track registers a run for heartbeats.
func (r *Runner) track(ru *run) {
	r.mu.Lock()
	r.runs[ru.rec.ID] = ru
	r.mu.Unlock()
}

func (r *Runner) untrack(ru *run) {
	r.mu.Lock()
	if r.runs[ru.rec.ID] == ru {
		delete(r.runs, ru.rec.ID)
	}
	r.mu.Unlock()
}
