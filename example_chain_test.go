package orchestratum_test

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/orchestratum/orchestratum"
	"github.com/orchestratum/orchestratum/memstore"
)

// Follow-up tasks are appended when a task finishes, in the transaction
// that records its final state: on success, on failure, on cancellation.
// A handler may add follow-ups of its own, built from its payload and
// result, which are appended only if it succeeds.
func ExampleOnSuccess() {
	ctx, stop := context.WithCancel(context.Background())
	store := memstore.New(memstore.Options{})
	reg := orchestratum.NewRegistry()
	var wg sync.WaitGroup
	orchestratum.Register(reg, Shout, func(ctx context.Context, t *orchestratum.Task[string]) error {
		if t.Data == "" {
			return orchestratum.Permanent(errors.New("nothing to shout"))
		}
		return orchestratum.AddFollowUp(ctx, orchestratum.Then(Greet, Greeting{Name: "from the handler"}))
	})
	orchestratum.Register(reg, Greet, func(ctx context.Context, t *orchestratum.Task[Greeting]) error {
		fmt.Println("follow-up:", t.Data.Name)
		wg.Done()
		return nil
	})
	cfg := orchestratum.Config{Logger: quietLogger, Concurrency: 1}
	q, _ := orchestratum.NewQueue(store, reg, cfg)
	runner, _ := orchestratum.NewRunner(store, reg, cfg)
	var run sync.WaitGroup
	run.Go(func() { runner.Run(ctx) })

	wg.Add(1)
	Shout.Append(ctx, q, "", // fails at once
		orchestratum.OnSuccess(orchestratum.Then(Greet, Greeting{Name: "never"})),
		orchestratum.OnFailure(orchestratum.Then(Greet, Greeting{Name: "on failure"})))
	wg.Wait()
	wg.Add(1)
	Shout.Append(ctx, q, "hi")
	wg.Wait()
	stop()
	run.Wait()
	// Output:
	// follow-up: on failure
	// follow-up: from the handler
}
