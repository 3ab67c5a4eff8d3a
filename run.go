package orchestratum

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"time"
)

// run is one claimed attempt of a task.
type run struct {
	r      *Runner
	rec    Record
	cancel context.CancelCauseFunc

	// expiry is when the lease ends as far as this process knows; it is
	// guarded by r.mu once the run is registered.
	expiry time.Time

	// followUps are the tasks the handler added with AddFollowUp; they
	// are appended only if the attempt completes.
	mu        sync.Mutex
	followUps []NewRecord
}

func (r *Runner) newRun(rec Record) *run {
	lease := min(min(max(rec.Timeout, 0), r.cfg.Lease)+r.cfg.TimeoutBuffer, r.cfg.Lease)
	// The claim's lease started before this moment, so counting from now
	// errs on the late side; heartbeats correct it (see heartbeat), and a
	// late estimate only delays giving up on an unreachable store.
	return &run{r: r, rec: rec, expiry: r.cfg.Now().Add(lease)}
}

// result is what a handler's run produced.
type result struct {
	data     []byte // the typed result as JSON, for RegisterResult handlers
	dataType string
	err      error
}

// execute runs the handler under the task's timeout, waits for it (or gives
// up on a handler that ignores its context), and hands the outcome to the
// finisher.
func (ru *run) execute(parent context.Context) {
	r := ru.r
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
		ru.finish(Outcome{Lease: ru.rec.Lease(), State: StateFailed, Error: err.Error(),
			Kind: KindInvalid}, err, 0)
		return
	}
	ctx, cancel := context.WithCancelCause(parent)
	ctx, cancelTimeout := context.WithTimeoutCause(ctx, ru.rec.Timeout, ErrTimeout)
	defer cancelTimeout()
	defer cancel(nil)
	ru.cancel = cancel
	r.track(ru)
	defer r.untrack(ru)
	if ru.rec.CancelRequested {
		cancel(ErrCancelled)
	}

	start := r.cfg.Now()
	done := make(chan result, 1)
	go func() { done <- call(withRun(ctx, ru), u, &ru.rec) }()
	res := ru.wait(ctx, done)
	elapsed := r.cfg.Now().Sub(start)
	o, err := ru.decide(res, context.Cause(ctx))
	o.Error = storable(o.Error)
	ru.finish(o, err, elapsed)
}

// wait returns the handler's result, or an error of its own when the
// handler has not returned TimeoutBuffer after its context ended.
func (ru *run) wait(ctx context.Context, done <-chan result) result {
	select {
	case res := <-done:
		return res
	case <-ctx.Done():
	}
	grace := time.NewTimer(ru.r.cfg.TimeoutBuffer)
	defer grace.Stop()
	select {
	case res := <-done:
		return res
	case <-grace.C:
		ru.r.log.WarnContext(ctx, "orchestratum: handler ignored its context; abandoning it",
			ru.attrs(), slog.Any("cause", context.Cause(ctx)))
		return result{err: fmt.Errorf("handler did not return within %v after its context ended",
			ru.r.cfg.TimeoutBuffer)}
	}
}

// call runs the handler, turning a panic into a *PanicError.
func call(ctx context.Context, u unit, rec *Record) (res result) {
	defer func() {
		if v := recover(); v != nil {
			res = result{err: &PanicError{Value: v, Stack: debug.Stack()}}
		}
	}()
	data, dataType, err := u.run(ctx, rec)
	return result{data: data, dataType: dataType, err: err}
}

// decide turns the handler's result and its context's cause into the
// outcome to record and the attempt's error. A handler that returns nil
// has succeeded unless its timeout passed, its lease was lost or its task
// was cancelled first.
func (ru *run) decide(res result, cause error) (Outcome, error) {
	o := Outcome{Lease: ru.rec.Lease()}
	err := res.err
	var snooze *snoozeError
	switch {
	case errors.Is(cause, ErrCancelled):
		err = because(fmt.Errorf("%w while running", ErrCancelled), orNil(err))
		o.State, o.Error, o.Kind = StateCancelled, err.Error(), KindCancelled
		return o, err
	case errors.Is(cause, ErrShutdown) && err != nil:
		err = because(fmt.Errorf("interrupted: %w", ErrShutdown), err)
		o.State, o.Error, o.Kind = StatePending, err.Error(), KindShutdown
		return o, err
	case errors.Is(cause, ErrTimeout):
		err = because(fmt.Errorf("%w after %v", ErrTimeout, ru.rec.Timeout), orNil(err))
		o.Kind = KindTimeout
	case errors.Is(cause, ErrLeaseLost):
		err = because(ErrLeaseLost, orNil(err))
		o.Kind = KindLeaseLost
	case errors.As(err, &snooze) && !IsPermanent(err):
		o.State, o.Delay = StatePending, max(snooze.d, 0)
		return o, nil
	case err == nil:
		o.State, o.Result, o.ResultType = StateCompleted, res.data, res.dataType
		ru.mu.Lock()
		o.FollowUps = ru.followUps
		ru.mu.Unlock()
		return o, nil
	}
	if o.Kind == "" {
		o.Kind = kindOf(err)
	}
	o.Error = err.Error()
	if IsPermanent(err) || ru.rec.RetriesLeft <= 0 {
		o.State = StateFailed
		return o, err
	}
	o.State, o.UseRetry = StatePending, true
	o.Delay = ru.backoff()
	return o, err
}

// backoff returns the delay before the next attempt, falling back to
// ExponentialBackoff when Config.Backoff panics.
func (ru *run) backoff() time.Duration {
	var d time.Duration
	err := guard("Config.Backoff", func() { d = ru.r.cfg.Backoff(ru.rec.Attempt) })
	if err != nil {
		logPanic(ru.r.log, err)
		d = ExponentialBackoff(ru.rec.Attempt)
	}
	return max(d, 0)
}

func kindOf(err error) AttemptKind {
	var pe *PanicError
	var invalid *invalidError
	switch {
	case errors.As(err, &pe):
		return KindPanic
	case errors.As(err, &invalid):
		return KindInvalid
	}
	return KindError
}

// because joins what ended a run with the handler's own error, leaving
// the latter out when it only repeats the former (a handler that returns
// context.Cause(ctx)) or says no more than that its context ended.
func because(what, handlerErr error) error {
	if errors.Is(handlerErr, what) || errors.Is(what, handlerErr) ||
		errors.Is(handlerErr, context.Canceled) || errors.Is(handlerErr, context.DeadlineExceeded) {
		return what
	}
	return fmt.Errorf("%w: %w", what, handlerErr)
}

// maxErrorLen bounds the error text kept with a task.
const maxErrorLen = 64 << 10

// storable makes an error text fit every store: valid UTF-8 without NUL
// bytes (PostgreSQL text holds neither), at most maxErrorLen bytes.
func storable(s string) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", "\uFFFD"), "\uFFFD")
	if len(s) > maxErrorLen {
		s = strings.ToValidUTF8(s[:maxErrorLen], "") + "… (truncated)"
	}
	return s
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
