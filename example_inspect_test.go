package orchestratum_test

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/orchestratum/orchestratum"
	"github.com/orchestratum/orchestratum/memstore"
)

// Every failed attempt is kept; failed tasks can be listed, retried and
// deleted.
func ExampleQueue_History() {
	ctx, stop := context.WithCancel(context.Background())
	store := memstore.New(memstore.Options{})
	reg := orchestratum.NewRegistry()
	orchestratum.Register(reg, Greet, func(ctx context.Context, t *orchestratum.Task[Greeting]) error {
		return errors.New("mail server down")
	})
	failed := make(chan struct{}, 1)
	cfg := orchestratum.Config{Logger: quietLogger, Backoff: orchestratum.ConstantBackoff(0),
		OnEvent: func(e orchestratum.Event) {
			if e.Kind == orchestratum.EventFailed {
				failed <- struct{}{}
			}
		}}
	q, _ := orchestratum.NewQueue(store, reg, cfg)
	runner, _ := orchestratum.NewRunner(store, reg, cfg)
	var wg sync.WaitGroup
	wg.Go(func() { runner.Run(ctx) })

	id, _ := Greet.Append(ctx, q, Greeting{Name: "Ada"}, orchestratum.WithRetries(1))
	<-failed
	history, _ := q.History(ctx, id)
	for _, a := range history {
		fmt.Println("attempt", a.Attempt, a.Kind, a.Error)
	}
	list, _ := q.List(ctx, orchestratum.ListParams{State: orchestratum.StateFailed})
	fmt.Println("failed tasks:", len(list))
	stop()
	wg.Wait()
	// Output:
	// attempt 1 error mail server down
	// attempt 2 error mail server down
	// failed tasks: 1
}
