package orchestratum_test

import (
	"context"
	"errors"
	"testing"
	"time"

	orch "github.com/orchestratum/orchestratum"
)

// startBlocking runs a system whose handler signals started and then waits
// for its context to end, reporting the cause.
func startBlocking(t *testing.T, cfg orch.Config) (*system, *orch.Runner, orch.ID, chan error) {
	t.Helper()
	s := newSystem(t, cfg)
	started := make(signal)
	causes := make(chan error, 1)
	orch.Register(s.reg, slow, func(ctx context.Context, task *orch.Task[int]) error {
		close(started)
		<-ctx.Done()
		causes <- context.Cause(ctx)
		return ctx.Err()
	})
	r, err := orch.NewRunner(s.store, s.reg, s.cfg)
	if err != nil {
		t.Fatal(err)
	}
	runDone := make(chan error, 1)
	go func() { runDone <- r.Run(context.Background()) }()
	t.Cleanup(func() {
		r.Stop(context.Background())
		if err := <-runDone; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	id, _ := slow.Append(t.Context(), s.queue, 1, orch.WithRetries(1), orch.WithTimeout(time.Hour))
	started.wait(t, "the handler to start")
	return s, r, id, causes
}

func TestStopDeadlineHurries(t *testing.T) {
	t.Parallel()
	s, r, id, causes := startBlocking(t, orch.Config{StopTimeout: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := r.Stop(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Stop past its deadline returned %v, want DeadlineExceeded", err)
	}
	if cause := <-causes; !errors.Is(cause, orch.ErrShutdown) {
		t.Fatalf("handler context cause %v, want ErrShutdown", cause)
	}
	if e := s.eventFor(id); e.Kind != orch.EventReleased {
		t.Fatalf("event %s, want released", e.Kind)
	}
	if rec := s.get(id); rec.State != orch.StatePending || rec.RetriesLeft != 1 {
		t.Fatalf("task %s with %d retries left; want pending with its 1 retry", rec.State, rec.RetriesLeft)
	}
}

func TestSecondStopHurries(t *testing.T) {
	t.Parallel()
	s, r, id, causes := startBlocking(t, orch.Config{StopTimeout: time.Hour})
	first := make(chan error, 1)
	go func() { first <- r.Stop(context.Background()) }()
	// The first stop waits for the handler, which waits for its context:
	// only the second stop can end it.
	if err := r.Stop(context.Background()); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if err := <-first; err != nil {
		t.Fatalf("first Stop: %v", err)
	}
	if cause := <-causes; !errors.Is(cause, orch.ErrShutdown) {
		t.Fatalf("handler context cause %v, want ErrShutdown", cause)
	}
	if e := s.eventFor(id); e.Kind != orch.EventReleased {
		t.Fatalf("event %s, want released", e.Kind)
	}
}

func TestStopBeforeRun(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{})
	orch.Register(s.reg, slow, func(context.Context, *orch.Task[int]) error { return nil })
	r, err := orch.NewRunner(s.store, s.reg, s.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Stop(context.Background()); err != nil {
		t.Fatalf("Stop before Run: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- r.Run(context.Background()) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run after Stop: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run after Stop did not return")
	}
}
