package orchestratum_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	orch "github.com/orchestratum/orchestratum"
)

type Receipt struct{ Total int64 }

var (
	charge = orch.NewExecutor[int64]("charge")
	notify = orch.NewExecutor[string]("notify")
)

func TestUniqueKeyReturnsExistingTask(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{})
	first, err := notify.Append(t.Context(), s.queue, "a", orch.WithUniqueKey("daily-report"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := notify.Append(t.Context(), s.queue, "b", orch.WithUniqueKey("daily-report"))
	if !errors.Is(err, orch.ErrDuplicate) || again != first || !strings.Contains(err.Error(), first.String()) {
		t.Fatalf("second append: %s, %v; want the first task %s and ErrDuplicate naming it", again, err, first)
	}
	if _, err := notify.Append(t.Context(), s.queue, "c", orch.WithUniqueKey("")); err == nil {
		t.Fatal("WithUniqueKey(\"\") was accepted")
	}
}

func TestTypedResult(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{})
	orch.RegisterResult(s.reg, charge, func(_ context.Context, task *orch.Task[int64]) (Receipt, error) {
		return Receipt{Total: task.Data * 2}, nil
	})
	s.run()
	id, _ := charge.Append(t.Context(), s.queue, 1<<60)
	if _, err := orch.GetResult[Receipt](t.Context(), s.queue, orch.NewID()); !errors.Is(err, orch.ErrNotFound) {
		t.Fatalf("result of an unknown task: %v, want ErrNotFound", err)
	}
	s.eventFor(id)
	got, err := orch.GetResult[Receipt](t.Context(), s.queue, id)
	if err != nil || got.Total != 1<<61 {
		t.Fatalf("GetResult = %+v, %v; want Total 2^61", got, err)
	}
	_, err = orch.GetResult[string](t.Context(), s.queue, id)
	want := "expected type string, found github.com/orchestratum/orchestratum_test.Receipt"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("GetResult of the wrong type: %v; want %q", err, want)
	}
}

func TestFollowUps(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{})
	orch.Register(s.reg, charge, func(ctx context.Context, task *orch.Task[int64]) error {
		if task.Data < 0 {
			return orch.Permanent(errors.New("negative amount"))
		}
		return orch.AddFollowUp(ctx, orch.Then(notify, "charged, from the handler"))
	})
	orch.Register(s.reg, notify, func(context.Context, *orch.Task[string]) error { return nil })
	s.run()
	chain := []orch.Option{
		orch.OnSuccess(orch.Then(notify, "charged")),
		orch.OnFailure(orch.Then(notify, "charge failed")),
		orch.OnCancel(orch.Then(notify, "charge cancelled")),
	}
	charge.Append(t.Context(), s.queue, 10, chain...)
	charge.Append(t.Context(), s.queue, -1, chain...)
	var texts []string
	for range 5 { // the two charges and three follow-ups, in any order
		if e := s.event(); e.Task.Executor == "notify" {
			texts = append(texts, string(e.Task.Data))
		}
	}
	if len(texts) != 3 {
		t.Fatalf("follow-ups ran with %v; want three", texts)
	}
	for _, want := range []string{`"charged"`, `"charged, from the handler"`, `"charge failed"`} {
		if !strings.Contains(strings.Join(texts, " "), want) {
			t.Fatalf("follow-ups ran with %v; want one with %s", texts, want)
		}
	}
	if err := orch.AddFollowUp(t.Context(), orch.Then(notify, "x")); err == nil {
		t.Fatal("AddFollowUp outside a handler returned nil")
	}
}

func TestSnoozeKeepsRetries(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{})
	orch.Register(s.reg, notify, func(_ context.Context, task *orch.Task[string]) error {
		if task.Attempt == 1 {
			return orch.Snooze(time.Hour)
		}
		return nil
	})
	s.run()
	id, _ := notify.Append(t.Context(), s.queue, "later", orch.WithRetries(0))
	if e := s.eventFor(id); e.Kind != orch.EventSnoozed || e.Delay != time.Hour {
		t.Fatalf("event %s with delay %v, want snoozed for 1h", e.Kind, e.Delay)
	}
	if rec := s.get(id); rec.State != orch.StatePending || rec.RetriesLeft != 0 || rec.LastError != "" {
		t.Fatalf("snoozed task %s, %d retries, error %q; want pending, untouched", rec.State, rec.RetriesLeft, rec.LastError)
	}
	s.clock.Advance(time.Hour)
	notify.Append(t.Context(), s.queue, "wake the runner")
	for e := s.event(); e.Task.ID != id; e = s.event() {
	}
	if rec := s.get(id); rec.State != orch.StateCompleted {
		t.Fatalf("task %s after its snooze, want completed", rec.State)
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{})
	started := make(signal)
	causes := make(chan error, 1)
	orch.Register(s.reg, slow, func(ctx context.Context, task *orch.Task[int]) error {
		close(started)
		<-ctx.Done()
		causes <- context.Cause(ctx)
		return nil // the task ends cancelled whatever the handler returns
	})
	orch.Register(s.reg, notify, func(context.Context, *orch.Task[string]) error { return nil })
	pending, _ := notify.Append(t.Context(), s.queue, "never", orch.WithDelay(time.Hour))
	if st, err := s.queue.Cancel(t.Context(), pending); err != nil || st != orch.StateCancelled {
		t.Fatalf("Cancel(pending): %s, %v", st, err)
	}
	s.run()
	running, _ := slow.Append(t.Context(), s.queue, 1, orch.WithTimeout(time.Hour),
		orch.OnCancel(orch.Then(notify, "cleanup")))
	started.wait(t, "the handler to start")
	if st, err := s.queue.Cancel(t.Context(), running); err != nil || st != orch.StateRunning {
		t.Fatalf("Cancel(running): %s, %v", st, err)
	}
	if cause := <-causes; !errors.Is(cause, orch.ErrCancelled) {
		t.Fatalf("handler context cause %v, want ErrCancelled", cause)
	}
	if e := s.eventFor(running); e.Kind != orch.EventCancelled {
		t.Fatalf("event %s, want cancelled", e.Kind)
	}
	if e := s.event(); e.Task.Executor != "notify" || string(e.Task.Data) != `"cleanup"` {
		t.Fatalf("after the cancellation ran %s %s, want the cancel follow-up", e.Task.Executor, e.Task.Data)
	}
	h, _ := s.queue.History(t.Context(), running)
	if len(h) != 1 || h[0].Kind != orch.KindCancelled {
		t.Fatalf("history %+v, want one cancelled attempt", h)
	}
	if _, err := s.queue.Cancel(t.Context(), running); !errors.Is(err, orch.ErrFinished) {
		t.Fatalf("second Cancel: %v, want ErrFinished", err)
	}
}

func TestQueuesHaveTheirOwnSlots(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{Queues: map[string]int{"slow": 1, "fast": 2}})
	release := make(chan struct{})
	orch.Register(s.reg, slow, func(ctx context.Context, task *orch.Task[int]) error {
		if task.Queue == "slow" {
			<-release
		}
		return nil
	})
	s.run()
	blocked, _ := slow.Append(t.Context(), s.queue, 1, orch.WithQueue("slow"))
	waiting, _ := slow.Append(t.Context(), s.queue, 2, orch.WithQueue("slow"))
	nobody, _ := slow.Append(t.Context(), s.queue, 3, orch.WithQueue("unserved"))
	fast, _ := slow.AppendMany(t.Context(), s.queue, []int{4, 5, 6}, orch.WithQueue("fast"))
	s.eventsFor(fast...) // the fast queue runs while the slow one's only slot is held
	if rec := s.get(waiting); rec.State != orch.StatePending {
		t.Fatalf("second task of the one-slot queue is %s, want pending", rec.State)
	}
	close(release)
	s.eventsFor(blocked, waiting)
	if rec := s.get(nobody); rec.State != orch.StatePending || rec.Attempt != 0 {
		t.Fatalf("task of an unserved queue is %s after %d attempts, want pending, untouched", rec.State, rec.Attempt)
	}
	if _, err := orch.NewRunner(s.store, s.reg, orch.Config{Queues: map[string]int{"bad name": 1}}); err == nil {
		t.Fatal("a queue name with a space was accepted")
	}
}

func TestRetentionPrunesFinishedTasks(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{Retention: 5 * time.Second})
	orch.Register(s.reg, notify, func(context.Context, *orch.Task[string]) error { return nil })
	s.run()
	old, _ := notify.Append(t.Context(), s.queue, "old")
	s.eventFor(old)
	keep, _ := notify.Append(t.Context(), s.queue, "kept", orch.WithDelay(time.Hour))
	s.clock.Advance(10 * time.Second)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := s.queue.Get(t.Context(), old); errors.Is(err, orch.ErrNotFound) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the finished task was not pruned within 30s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if rec := s.get(keep); rec.State != orch.StatePending {
		t.Fatalf("pending task is %s, want it kept", rec.State)
	}
}

func TestInspection(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{})
	orch.Register(s.reg, flaky, func(context.Context, *orch.Task[string]) error {
		return errors.New("down")
	})
	s.run()
	id, _ := flaky.Append(t.Context(), s.queue, "x", orch.WithRetries(1))
	for e := s.eventFor(id); e.Kind != orch.EventFailed; e = s.eventFor(id) {
	}
	h, err := s.queue.History(t.Context(), id)
	if err != nil || len(h) != 2 || h[0].Error != "down" || h[1].Attempt != 2 {
		t.Fatalf("history %+v, %v; want two failed attempts", h, err)
	}
	failed, err := s.queue.List(t.Context(), orch.ListParams{State: orch.StateFailed, Executor: "flaky"})
	if err != nil || len(failed) != 1 || failed[0].ID != id {
		t.Fatalf("List(failed) = %v, %v; want the task", failed, err)
	}
	if err := s.queue.Retry(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	for e := s.eventFor(id); e.Kind != orch.EventFailed; e = s.eventFor(id) {
	}
	if err := s.queue.Delete(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.queue.Count(t.Context(), ""); c.Total() != 0 {
		t.Fatalf("counts after Delete: %+v, want none", c)
	}
}

func TestPeriodicFiresOncePerFire(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{})
	s.useRealClock() // fire times come from the runners' clock
	orch.Register(s.reg, notify, func(context.Context, *orch.Task[string]) error { return nil })
	err := orch.RegisterPeriodic(s.reg, "heartbeat", orch.Every(20*time.Millisecond), notify,
		func(fire time.Time) string { return fire.UTC().Format(time.RFC3339Nano) })
	if err != nil {
		t.Fatal(err)
	}
	if err := orch.RegisterPeriodic(s.reg, "heartbeat", orch.Every(time.Second), notify,
		func(time.Time) string { return "" }); err == nil {
		t.Fatal("a second periodic task with the same name was accepted")
	}
	stopA, stopB := s.run(), s.run() // two runners fire the same schedule
	for range 10 {
		s.event()
	}
	stopA()
	stopB()
	tasks, err := s.queue.List(t.Context(), orch.ListParams{Executor: "notify", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	fires := map[string]int{}
	for _, task := range tasks {
		fires[string(task.Data)]++
		if !task.RunAt.Equal(task.RunAt.Truncate(20 * time.Millisecond)) {
			t.Fatalf("task due %v, not at a fire time", task.RunAt)
		}
	}
	for fire, n := range fires {
		if n != 1 {
			t.Fatalf("fire %s appended %d tasks, want 1", fire, n)
		}
	}
	if len(fires) < 10 {
		t.Fatalf("%d fires, want at least 10", len(fires))
	}
}

// A cancellation requested just before the runner stops is not lost: the
// task ends cancelled, not pending for another run.
func TestCancelThenStop(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{StopTimeout: -1})
	started := make(signal)
	orch.Register(s.reg, slow, func(ctx context.Context, task *orch.Task[int]) error {
		close(started)
		<-ctx.Done()
		return context.Cause(ctx)
	})
	stop := s.run()
	id, _ := slow.Append(t.Context(), s.queue, 1, orch.WithTimeout(time.Hour))
	started.wait(t, "the handler to start")
	if _, err := s.queue.Cancel(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	stop()
	if rec := s.get(id); rec.State != orch.StateCancelled {
		t.Fatalf("task %s after cancel and stop, want cancelled", rec.State)
	}
	if e := s.eventFor(id); e.Kind != orch.EventCancelled {
		t.Fatalf("event %s, want cancelled: the event says what the store recorded", e.Kind)
	}
}
