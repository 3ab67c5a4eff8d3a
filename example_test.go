package orchestratum_test

import (
	"context"
	"fmt"
	"sync"

	"github.com/orchestratum/orchestratum"
	"github.com/orchestratum/orchestratum/memstore"
)

// Greeting is the payload of the example's tasks.
type Greeting struct{ Name string }

// Greet is a kind of task: its key and its payload type.
var Greet = orchestratum.NewExecutor[Greeting]("greet")

// An executor, a handler, a queue and a runner: the task appended is
// decoded back into a Greeting and run in the background.
func Example() {
	ctx, stop := context.WithCancel(context.Background())
	store := memstore.New(memstore.Options{})

	reg := orchestratum.NewRegistry()
	done := make(chan struct{})
	orchestratum.Register(reg, Greet, func(ctx context.Context, t *orchestratum.Task[Greeting]) error {
		fmt.Printf("hello, %s (attempt %d)\n", t.Data.Name, t.Attempt)
		close(done)
		return nil
	})

	cfg := orchestratum.Config{Logger: quietLogger}
	q, _ := orchestratum.NewQueue(store, reg, cfg)
	runner, _ := orchestratum.NewRunner(store, reg, cfg)
	var wg sync.WaitGroup
	wg.Go(func() { runner.Run(ctx) })

	if _, err := Greet.Append(ctx, q, Greeting{Name: "Ada"}); err != nil {
		fmt.Println(err)
	}
	<-done
	stop()
	wg.Wait()
	// Output: hello, Ada (attempt 1)
}
