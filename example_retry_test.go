package orchestratum_test

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/orchestratum/orchestratum"
	"github.com/orchestratum/orchestratum/memstore"
)

// A failed attempt runs again while retries are left; the last error is
// kept with the task.
func ExampleWithRetries() {
	ctx, stop := context.WithCancel(context.Background())
	store := memstore.New(memstore.Options{})
	reg := orchestratum.NewRegistry()
	orchestratum.Register(reg, Greet, func(ctx context.Context, t *orchestratum.Task[Greeting]) error {
		fmt.Printf("attempt %d, %d retries left\n", t.Attempt, t.RetriesLeft)
		return fmt.Errorf("mail server down (attempt %d)", t.Attempt)
	})
	finished := make(chan orchestratum.Event, 1)
	cfg := orchestratum.Config{
		Logger:  quietLogger,
		Backoff: orchestratum.ConstantBackoff(0), // the default waits 1s, 2s, 4s, ...
		OnEvent: func(e orchestratum.Event) {
			if e.Kind == orchestratum.EventFailed {
				finished <- e
			}
		},
	}
	q, _ := orchestratum.NewQueue(store, reg, cfg)
	runner, _ := orchestratum.NewRunner(store, reg, cfg)
	var wg sync.WaitGroup
	wg.Go(func() { runner.Run(ctx) })

	id, _ := Greet.Append(ctx, q, Greeting{Name: "Ada"}, orchestratum.WithRetries(2))
	<-finished
	task, _ := q.Get(ctx, id)
	fmt.Printf("%s: %s\n", task.State, task.LastError)
	stop()
	wg.Wait()
	// Output:
	// attempt 1, 2 retries left
	// attempt 2, 1 retries left
	// attempt 3, 0 retries left
	// failed: mail server down (attempt 3)
}

// An error wrapped with Permanent fails the task at once, whatever retries
// are left.
func ExamplePermanent() {
	ctx, stop := context.WithCancel(context.Background())
	store := memstore.New(memstore.Options{})
	reg := orchestratum.NewRegistry()
	orchestratum.Register(reg, Greet, func(ctx context.Context, t *orchestratum.Task[Greeting]) error {
		if t.Data.Name == "" {
			return orchestratum.Permanent(errors.New("no name to greet"))
		}
		return nil
	})
	finished := make(chan orchestratum.Event, 1)
	cfg := orchestratum.Config{Logger: quietLogger, OnEvent: func(e orchestratum.Event) { finished <- e }}
	q, _ := orchestratum.NewQueue(store, reg, cfg)
	runner, _ := orchestratum.NewRunner(store, reg, cfg)
	var wg sync.WaitGroup
	wg.Go(func() { runner.Run(ctx) })

	Greet.Append(ctx, q, Greeting{}, orchestratum.WithRetries(5))
	e := <-finished
	fmt.Printf("%s after %d attempt: %v\n", e.Kind, e.Task.Attempt, e.Err)
	stop()
	wg.Wait()
	// Output: failed after 1 attempt: permanent: no name to greet
}
