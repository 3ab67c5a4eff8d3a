package orchestratum_test

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/orchestratum/orchestratum"
	"github.com/orchestratum/orchestratum/memstore"
)

// Cancelling a running task ends its handler's context with ErrCancelled;
// the task ends cancelled. A pending task is cancelled at once.
func ExampleQueue_Cancel() {
	ctx, stop := context.WithCancel(context.Background())
	store := memstore.New(memstore.Options{})
	reg := orchestratum.NewRegistry()
	started, stopped := make(chan struct{}), make(chan error, 1)
	orchestratum.Register(reg, Greet, func(ctx context.Context, t *orchestratum.Task[Greeting]) error {
		close(started)
		<-ctx.Done()
		stopped <- context.Cause(ctx)
		return ctx.Err()
	})
	ended := make(chan orchestratum.Event, 1)
	cfg := orchestratum.Config{Logger: quietLogger, OnEvent: func(e orchestratum.Event) { ended <- e }}
	q, _ := orchestratum.NewQueue(store, reg, cfg)
	runner, _ := orchestratum.NewRunner(store, reg, cfg)
	var wg sync.WaitGroup
	wg.Go(func() { runner.Run(ctx) })

	id, _ := Greet.Append(ctx, q, Greeting{Name: "Ada"})
	<-started
	state, _ := q.Cancel(ctx, id)
	fmt.Println("cancel requested while", state)
	fmt.Println("handler stopped:", errors.Is(<-stopped, orchestratum.ErrCancelled))
	fmt.Println("task ended", (<-ended).Kind)
	stop()
	wg.Wait()
	// Output:
	// cancel requested while running
	// handler stopped: true
	// task ended cancelled
}
