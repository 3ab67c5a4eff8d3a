package integration

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	orch "github.com/orchestratum/orchestratum"
)

// A handler error with a NUL byte and invalid UTF-8, which PostgreSQL text
// cannot hold, is stored cleaned, and holds up no other task.
func TestHostileErrorTextOnPostgres(t *testing.T) {
	q := newQueue(t)
	reg := orch.NewRegistry()
	orch.Register(reg, work, func(_ context.Context, task *orch.Task[Work]) error {
		if task.Data.N == 0 {
			return errors.New("nul \x00 and bad \xff byte")
		}
		return nil
	})
	done := make(chan orch.Event, 20)
	runner, err := orch.NewRunner(q.store, reg, orch.Config{Logger: quiet,
		OnEvent: func(e orch.Event) { done <- e }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { runner.Run(ctx) })
	defer func() { stop(); wg.Wait() }()

	bad, _ := work.Append(t.Context(), q.q, Work{N: 0}, orch.WithRetries(0))
	good, _ := work.AppendMany(t.Context(), q.q, []Work{{N: 1}, {N: 2}, {N: 3}})
	for range 4 {
		select {
		case e := <-done:
			if e.Kind == orch.EventDiscarded {
				t.Fatalf("outcome of %s discarded", e.Task.ID)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("outcomes not recorded within 30s")
		}
	}
	rec, err := q.q.Get(t.Context(), bad)
	if err != nil || rec.State != orch.StateFailed || rec.LastError != "nul \uFFFD and bad \uFFFD byte" {
		t.Fatalf("bad task: %s with error %q, %v; want failed with the cleaned error", rec.State, rec.LastError, err)
	}
	for _, id := range good {
		if rec, _ := q.q.Get(t.Context(), id); rec.State != orch.StateCompleted || rec.Attempt != 1 {
			t.Fatalf("good task %s after %d attempts, want completed once", rec.State, rec.Attempt)
		}
	}
	if h, _ := q.q.History(t.Context(), bad); len(h) != 1 || !strings.Contains(h[0].Error, "nul") {
		t.Fatalf("history %+v, want the cleaned error", h)
	}
}
