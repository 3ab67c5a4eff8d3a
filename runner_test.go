package orchestratum_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	orch "github.com/orchestratum/orchestratum"
)

type Pair[A, B any] struct {
	First  A
	Second B
}

type Inner struct{ Note string }

// Payload holds the values a JSON round trip most often gets wrong.
type Payload struct {
	Big     int64
	Small   int8
	When    time.Time
	Text    string
	NilList []int
	Empty   []int
	NilMap  map[string]int
	Nested  Pair[[]string, *Inner]
	Raw     json.RawMessage
}

var exact = orch.NewExecutor[Payload]("exact")

func TestTypedPayloadRoundTrip(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{})
	got := make(chan Payload, 1)
	if err := orch.Register(s.reg, exact, func(_ context.Context, task *orch.Task[Payload]) error {
		got <- task.Data
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	s.run()
	want := Payload{
		Big:    1<<62 + 1,
		Small:  -128,
		When:   time.Date(2026, 2, 3, 4, 5, 6, 789, time.FixedZone("NPT", 5*3600+45*60)),
		Text:   "nul\x00 tab\t ünïcödé 🚀 <html> & \"quotes\" \u2028",
		Empty:  []int{},
		Nested: Pair[[]string, *Inner]{First: []string{"a", ""}, Second: &Inner{Note: "n"}},
		Raw:    json.RawMessage(`{"k":[1,2,{"z":null}]}`),
	}
	id, err := exact.Append(t.Context(), s.queue, want)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case p := <-got:
		if d := cmp.Diff(want, p); d != "" {
			t.Fatalf("payload changed on the way (-sent +received):\n%s", d)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("handler not called within 30s")
	}
	if e := s.eventFor(id); e.Kind != orch.EventCompleted {
		t.Fatalf("event %s (%v), want completed", e.Kind, e.Err)
	}
	if rec := s.get(id); rec.State != orch.StateCompleted || rec.DataType != exact.DataType() {
		t.Fatalf("task %s with data type %q, want completed with %q", rec.State, rec.DataType, exact.DataType())
	}
}

var flaky = orch.NewExecutor[string]("flaky")

func TestRetriesThenFail(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{})
	var runs atomic.Int32
	orch.Register(s.reg, flaky, func(_ context.Context, task *orch.Task[string]) error {
		n := runs.Add(1)
		if int(n) != task.Attempt {
			t.Errorf("run %d sees attempt %d", n, task.Attempt)
		}
		return errors.New("boom " + task.Data)
	})
	s.run()
	id, err := flaky.Append(t.Context(), s.queue, "x", orch.WithRetries(2))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []orch.EventKind{orch.EventRetrying, orch.EventRetrying, orch.EventFailed} {
		if e := s.eventFor(id); e.Kind != want {
			t.Fatalf("event %s, want %s", e.Kind, want)
		}
	}
	rec := s.get(id)
	if runs.Load() != 3 || rec.State != orch.StateFailed || rec.RetriesLeft != 0 || rec.LastError != "boom x" {
		t.Fatalf("after %d runs: %s, %d retries left, last error %q; want 3 runs, failed, 0, \"boom x\"",
			runs.Load(), rec.State, rec.RetriesLeft, rec.LastError)
	}
}

func TestPermanentErrorFailsAtOnce(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{})
	orch.Register(s.reg, flaky, func(context.Context, *orch.Task[string]) error {
		return orch.Permanent(errors.New("bad address"))
	})
	s.run()
	id, _ := flaky.Append(t.Context(), s.queue, "x", orch.WithRetries(5))
	e := s.eventFor(id)
	rec := s.get(id)
	if e.Kind != orch.EventFailed || rec.RetriesLeft != 5 || rec.Attempt != 1 ||
		rec.LastError != "permanent: bad address" {
		t.Fatalf("event %s; task attempt %d, %d retries left, error %q; "+
			"want failed after 1 attempt with 5 left and the permanent error",
			e.Kind, rec.Attempt, rec.RetriesLeft, rec.LastError)
	}
}

var slow = orch.NewExecutor[int]("slow")

func TestTimeoutIsFailedAttempt(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{})
	causes := make(chan error, 2)
	orch.Register(s.reg, slow, func(ctx context.Context, task *orch.Task[int]) error {
		<-ctx.Done()
		causes <- context.Cause(ctx)
		return ctx.Err()
	})
	s.run()
	id, _ := slow.Append(t.Context(), s.queue, 1, orch.WithTimeout(20*time.Millisecond), orch.WithRetries(1))
	for _, want := range []orch.EventKind{orch.EventRetrying, orch.EventFailed} {
		e := s.eventFor(id)
		if e.Kind != want || !errors.Is(e.Err, orch.ErrTimeout) {
			t.Fatalf("event %s with error %v; want %s with ErrTimeout", e.Kind, e.Err, want)
		}
		if cause := <-causes; !errors.Is(cause, orch.ErrTimeout) {
			t.Fatalf("handler context cause %v, want ErrTimeout", cause)
		}
	}
	if rec := s.get(id); !strings.HasPrefix(rec.LastError, "timed out after 20ms") {
		t.Fatalf("last error %q, want it to start with \"timed out after 20ms\"", rec.LastError)
	}
}

// A handler that ignores its context and never returns is abandoned
// TimeoutBuffer after its timeout: the attempt fails on time with an error
// that says so, and its slot serves the next task.
func TestHandlerIgnoringContextIsAbandoned(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{Concurrency: 1, TimeoutBuffer: 10 * time.Millisecond})
	release := make(signal)
	t.Cleanup(func() { close(release) })
	orch.Register(s.reg, slow, func(_ context.Context, task *orch.Task[int]) error {
		if task.Data == 0 {
			<-release // blocks until the test ends, whatever its context says
		}
		return nil
	})
	s.run()
	stuck, _ := slow.Append(t.Context(), s.queue, 0, orch.WithTimeout(10*time.Millisecond), orch.WithRetries(0))
	e := s.eventFor(stuck)
	if e.Kind != orch.EventFailed || !strings.Contains(e.Err.Error(), "did not return within 10ms") {
		t.Fatalf("event %s with error %v; want failed, handler did not return", e.Kind, e.Err)
	}
	next, _ := slow.Append(t.Context(), s.queue, 1)
	if e := s.eventFor(next); e.Kind != orch.EventCompleted {
		t.Fatalf("next task on the only slot: event %s, want completed", e.Kind)
	}
}

var shaky = orch.NewExecutor[int]("shaky")

func TestPanicIsFailedAttemptAndRunnerGoesOn(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{Concurrency: 1})
	orch.Register(s.reg, shaky, func(_ context.Context, task *orch.Task[int]) error {
		if task.Data == 0 {
			panic("kaboom")
		}
		return nil
	})
	s.run()
	bad, _ := shaky.Append(t.Context(), s.queue, 0, orch.WithRetries(0))
	e := s.eventFor(bad)
	var pe *orch.PanicError
	if e.Kind != orch.EventFailed || !errors.As(e.Err, &pe) || pe.Value != "kaboom" {
		t.Fatalf("event %s with error %v; want failed with a PanicError of \"kaboom\"", e.Kind, e.Err)
	}
	if rec := s.get(bad); !strings.Contains(rec.LastError, "kaboom") ||
		!strings.Contains(rec.LastError, "runner_test.go") {
		t.Fatalf("stored error lacks the panic value or its stack:\n%s", rec.LastError)
	}
	good, _ := shaky.Append(t.Context(), s.queue, 1)
	if e := s.eventFor(good); e.Kind != orch.EventCompleted {
		t.Fatalf("task after the panic: event %s (%v), want completed", e.Kind, e.Err)
	}
}

func TestBackoffDelaysRetry(t *testing.T) {
	t.Parallel()
	attempts := make(chan int, 10)
	s := newSystem(t, orch.Config{Backoff: func(attempt int) time.Duration {
		attempts <- attempt
		return time.Hour
	}})
	orch.Register(s.reg, flaky, func(_ context.Context, task *orch.Task[string]) error {
		if task.Data == "x" && task.Attempt == 1 {
			return errors.New("first try fails")
		}
		return nil
	})
	s.run()
	id, _ := flaky.Append(t.Context(), s.queue, "x")
	e := s.eventFor(id)
	if e.Kind != orch.EventRetrying || e.Delay != time.Hour {
		t.Fatalf("event %s with delay %v, want retrying after 1h", e.Kind, e.Delay)
	}
	rec := s.get(id)
	if want := s.clock.Now().Add(time.Hour); !rec.RunAt.Equal(want) || rec.State != orch.StatePending {
		t.Fatalf("task %s due %v, want pending due %v", rec.State, rec.RunAt, want)
	}
	s.clock.Advance(time.Hour)
	// Any append wakes the runner, which then finds the retry due too.
	flaky.Append(t.Context(), s.queue, "wake")
	for {
		if e := s.event(); e.Task.ID == id {
			if e.Kind != orch.EventCompleted || e.Task.Attempt != 2 {
				t.Fatalf("retry: event %s on attempt %d, want completed on attempt 2", e.Kind, e.Task.Attempt)
			}
			break
		}
	}
	if len(attempts) != 1 || <-attempts != 1 {
		t.Fatal("Backoff was not called exactly once, with attempt 1")
	}
}

func TestAppendWakesRunner(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{PollInterval: time.Hour})
	orch.Register(s.reg, slow, func(context.Context, *orch.Task[int]) error { return nil })
	s.run()
	// The runner's first poll found nothing; only the append's wake-up
	// can start the task within the test's patience.
	id, _ := slow.Append(t.Context(), s.queue, 1)
	if e := s.eventFor(id); e.Kind != orch.EventCompleted {
		t.Fatalf("event %s, want completed", e.Kind)
	}
}

func TestStopReleasesRunningTask(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{StopTimeout: -1})
	started := make(signal)
	causes := make(chan error, 1)
	orch.Register(s.reg, slow, func(ctx context.Context, task *orch.Task[int]) error {
		close(started)
		<-ctx.Done()
		causes <- context.Cause(ctx)
		return ctx.Err()
	})
	stop := s.run()
	id, _ := slow.Append(t.Context(), s.queue, 1, orch.WithRetries(2))
	started.wait(t, "the handler to start")
	stop()
	if cause := <-causes; !errors.Is(cause, orch.ErrShutdown) {
		t.Fatalf("handler context cause %v, want ErrShutdown", cause)
	}
	if e := s.eventFor(id); e.Kind != orch.EventReleased {
		t.Fatalf("event %s, want released", e.Kind)
	}
	if rec := s.get(id); rec.State != orch.StatePending || rec.RetriesLeft != 2 {
		t.Fatalf("task %s with %d retries left, want pending with 2", rec.State, rec.RetriesLeft)
	}
}

func TestStopWaitsForRunningHandlers(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{StopTimeout: time.Minute})
	started, finish := make(signal), make(signal)
	orch.Register(s.reg, slow, func(ctx context.Context, task *orch.Task[int]) error {
		close(started)
		<-finish
		return ctx.Err() // nil: the graceful stop does not cancel
	})
	stop := s.run()
	id, _ := slow.Append(t.Context(), s.queue, 1)
	started.wait(t, "the handler to start")
	stopped := make(signal)
	go func() { stop(); close(stopped) }()
	select {
	case <-stopped:
		t.Fatal("Run returned while a handler was still running")
	case <-time.After(20 * time.Millisecond):
	}
	close(finish)
	stopped.wait(t, "Run to return")
	if e := s.eventFor(id); e.Kind != orch.EventCompleted {
		t.Fatalf("event %s (%v), want completed", e.Kind, e.Err)
	}
}

func TestLeaseLostCancelsHandler(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{Lease: 30 * time.Millisecond})
	started := make(signal)
	causes := make(chan error, 1)
	orch.Register(s.reg, slow, func(ctx context.Context, task *orch.Task[int]) error {
		close(started)
		<-ctx.Done()
		causes <- context.Cause(ctx)
		return nil
	})
	s.run()
	id, _ := slow.Append(t.Context(), s.queue, 1, orch.WithTimeout(time.Hour))
	started.wait(t, "the handler to start")
	// Another runner takes the task once the lease ends on the store's
	// clock: the next heartbeat of the first runner is refused.
	s.clock.Advance(time.Hour)
	other, err := s.store.Claim(t.Context(), orch.ClaimParams{
		Executors: []string{"slow"}, Queue: orch.DefaultQueue, Limit: 1, Lease: time.Hour,
	})
	if err != nil || len(other) != 1 {
		t.Fatalf("second claim: %v, %v; want the task", other, err)
	}
	if cause := <-causes; !errors.Is(cause, orch.ErrLeaseLost) {
		t.Fatalf("handler context cause %v, want ErrLeaseLost", cause)
	}
	if e := s.eventFor(id); e.Kind != orch.EventDiscarded {
		t.Fatalf("event %s, want discarded", e.Kind)
	}
	if rec := s.get(id); rec.State != orch.StateRunning || rec.LeaseToken != other[0].LeaseToken {
		t.Fatalf("task %s under token %q, want running under the second claim's token", rec.State, rec.LeaseToken)
	}
}

// Rows that no handler can run, as a hand-written row or another version
// might leave them, fail at once with an error that says why.
func TestUnrunnableRowsFailAtOnce(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{})
	orch.Register(s.reg, slow, func(context.Context, *orch.Task[int]) error { return nil })
	s.run()
	bad := []orch.NewRecord{
		{ID: orch.NewID(), Executor: "slow", DataType: "example.com/old.Thing", Data: []byte(`1`)},
		{ID: orch.NewID(), Executor: "slow", DataType: "int", Data: []byte(`"one"`)},
		{ID: orch.NewID(), Executor: "slow", DataType: "int", Data: []byte(``)},
		{ID: orch.NewID(), Executor: "slow", DataType: "int", Data: []byte(`1`), Timeout: -5 * time.Second},
	}
	for i := range bad {
		bad[i].Queue, bad[i].Retries = orch.DefaultQueue, 3
		if bad[i].Timeout == 0 {
			bad[i].Timeout = time.Minute
		}
	}
	if _, err := s.store.Append(t.Context(), orch.AppendParams{Tasks: bad}); err != nil {
		t.Fatal(err)
	}
	wants := []string{
		`data type mismatch: expected "int", found "example.com/old.Thing"`,
		`decode payload into int: json: cannot unmarshal string`,
		`decode payload into int: unexpected end of JSON input`,
		`stored timeout -5s is not positive`,
	}
	events := s.eventsFor(bad[0].ID, bad[1].ID, bad[2].ID, bad[3].ID)
	for i, want := range wants {
		e := events[bad[i].ID]
		if e.Kind != orch.EventFailed || !strings.Contains(e.Err.Error(), want) {
			t.Fatalf("task %d: event %s with error %v; want failed with %q", i, e.Kind, e.Err, want)
		}
	}
}

func TestUnknownExecutorIsLeftForOthers(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{})
	orch.Register(s.reg, slow, func(context.Context, *orch.Task[int]) error { return nil })
	s.run()
	foreign, err := flaky.Append(t.Context(), s.queue, "not mine")
	if err != nil {
		t.Fatal(err)
	}
	mine, _ := slow.Append(t.Context(), s.queue, 1)
	if e := s.event(); e.Task.ID != mine {
		t.Fatalf("event for task %s, want only the registered executor's task %s", e.Task.ID, mine)
	}
	if rec := s.get(foreign); rec.State != orch.StatePending || rec.Attempt != 0 {
		t.Fatalf("foreign task %s after %d attempts, want pending and untouched", rec.State, rec.Attempt)
	}
}

// A runner whose slots are all busy claims again as soon as one frees,
// not at its next poll: here the poll would take an hour, and no append
// wakes the runner once it has started.
func TestBusyRunnerClaimsWhenASlotFrees(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{Concurrency: 2, PollInterval: time.Hour})
	orch.Register(s.reg, slow, func(context.Context, *orch.Task[int]) error { return nil })
	const n = 500
	if _, err := slow.AppendMany(t.Context(), s.queue, make([]int, n)); err != nil {
		t.Fatal(err)
	}
	s.run()
	for range n {
		if e := s.event(); e.Kind != orch.EventCompleted {
			t.Fatalf("event %s, want completed", e.Kind)
		}
	}
}
