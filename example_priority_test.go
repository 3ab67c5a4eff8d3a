package orchestratum_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/orchestratum/orchestratum"
	"github.com/orchestratum/orchestratum/memstore"
)

// Due tasks run by priority, then by run-at time, then in append order;
// a delayed task waits for its time.
func ExampleWithPriority() {
	ctx, stop := context.WithCancel(context.Background())
	store := memstore.New(memstore.Options{})
	reg := orchestratum.NewRegistry()
	var wg sync.WaitGroup
	wg.Add(3)
	orchestratum.Register(reg, Greet, func(ctx context.Context, t *orchestratum.Task[Greeting]) error {
		fmt.Println("hello,", t.Data.Name)
		wg.Done()
		return nil
	})
	// One slot, so that tasks run one after the other; a short poll, so
	// that the delayed task is found soon after it is due.
	cfg := orchestratum.Config{Concurrency: 1, PollInterval: 10 * time.Millisecond, Logger: quietLogger}
	q, _ := orchestratum.NewQueue(store, reg, cfg)

	Greet.Append(ctx, q, Greeting{Name: "later"}, orchestratum.WithDelay(50*time.Millisecond),
		orchestratum.WithPriority(100))
	Greet.Append(ctx, q, Greeting{Name: "second"})
	Greet.Append(ctx, q, Greeting{Name: "first"}, orchestratum.WithPriority(10))

	runner, _ := orchestratum.NewRunner(store, reg, cfg)
	var run sync.WaitGroup
	run.Go(func() { runner.Run(ctx) })
	wg.Wait()
	stop()
	run.Wait()
	// Output:
	// hello, first
	// hello, second
	// hello, later
}
