package orchestratum_test

import (
	"context"
	"fmt"
	"sync"

	"github.com/orchestratum/orchestratum"
	"github.com/orchestratum/orchestratum/memstore"
)

// A runner serves the queues it is configured for, each with its own
// number of slots; a task for a queue no runner serves waits.
func ExampleWithQueue() {
	ctx, stop := context.WithCancel(context.Background())
	store := memstore.New(memstore.Options{})
	reg := orchestratum.NewRegistry()
	done := make(chan struct{})
	orchestratum.Register(reg, Greet, func(ctx context.Context, t *orchestratum.Task[Greeting]) error {
		fmt.Printf("hello, %s (queue %s)\n", t.Data.Name, t.Queue)
		close(done)
		return nil
	})
	cfg := orchestratum.Config{Logger: quietLogger, Queues: map[string]int{"mail": 5}}
	q, _ := orchestratum.NewQueue(store, reg, cfg)
	runner, _ := orchestratum.NewRunner(store, reg, cfg)
	var wg sync.WaitGroup
	wg.Go(func() { runner.Run(ctx) })

	waiting, _ := Greet.Append(ctx, q, Greeting{Name: "nobody"}, orchestratum.WithQueue("sms"))
	Greet.Append(ctx, q, Greeting{Name: "Ada"}, orchestratum.WithQueue("mail"))
	<-done
	task, _ := q.Get(ctx, waiting)
	fmt.Println("the sms task is", task.State)
	stop()
	wg.Wait()
	// Output:
	// hello, Ada (queue mail)
	// the sms task is pending
}
