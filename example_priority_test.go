package orchestratum_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/orchestratum/orchestratum"
	"github.com/orchestratum/orchestratum/memstore"
)

// Due tasks run by priority, then by run-at time, then in append order.
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
	// One slot, so that tasks run one after the other.
	cfg := orchestratum.Config{Concurrency: 1, Logger: quietLogger}
	q, _ := orchestratum.NewQueue(store, reg, cfg)

	Greet.Append(ctx, q, Greeting{Name: "third"})
	Greet.Append(ctx, q, Greeting{Name: "second"}, orchestratum.WithRunAt(time.Now().Add(-time.Minute)))
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
	// hello, third
}
