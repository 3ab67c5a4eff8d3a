package orchestratum_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/orchestratum/orchestratum"
	"github.com/orchestratum/orchestratum/memstore"
)

// A handler that returns Snooze puts its task back for later without
// using a retry: for work that is not ready yet rather than failed.
func ExampleSnooze() {
	ctx, stop := context.WithCancel(context.Background())
	store := memstore.New(memstore.Options{})
	reg := orchestratum.NewRegistry()
	done := make(chan struct{})
	orchestratum.Register(reg, Greet, func(ctx context.Context, t *orchestratum.Task[Greeting]) error {
		if t.Attempt < 3 {
			fmt.Printf("attempt %d: not ready, %d retries left\n", t.Attempt, t.RetriesLeft)
			return orchestratum.Snooze(10 * time.Millisecond)
		}
		fmt.Printf("attempt %d: hello, %s\n", t.Attempt, t.Data.Name)
		close(done)
		return nil
	})
	cfg := orchestratum.Config{Logger: quietLogger}
	q, _ := orchestratum.NewQueue(store, reg, cfg)
	runner, _ := orchestratum.NewRunner(store, reg, cfg)
	var wg sync.WaitGroup
	wg.Go(func() { runner.Run(ctx) })

	Greet.Append(ctx, q, Greeting{Name: "Ada"}, orchestratum.WithRetries(0))
	<-done
	stop()
	wg.Wait()
	// Output:
	// attempt 1: not ready, 0 retries left
	// attempt 2: not ready, 0 retries left
	// attempt 3: hello, Ada
}
