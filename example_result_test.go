package orchestratum_test

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/orchestratum/orchestratum"
	"github.com/orchestratum/orchestratum/memstore"
)

// Shout is a task kind whose handler returns a result.
var Shout = orchestratum.NewExecutor[string]("shout")

// Loud is the result of a Shout task.
type Loud struct{ Text string }

// A handler registered with RegisterResult returns a value besides its
// error; it is stored with the completed task and read back typed.
func ExampleRegisterResult() {
	ctx, stop := context.WithCancel(context.Background())
	store := memstore.New(memstore.Options{})
	reg := orchestratum.NewRegistry()
	orchestratum.RegisterResult(reg, Shout, func(ctx context.Context, t *orchestratum.Task[string]) (Loud, error) {
		return Loud{Text: strings.ToUpper(t.Data) + "!"}, nil
	})
	done := make(chan struct{})
	cfg := orchestratum.Config{Logger: quietLogger, OnEvent: func(orchestratum.Event) { close(done) }}
	q, _ := orchestratum.NewQueue(store, reg, cfg)
	runner, _ := orchestratum.NewRunner(store, reg, cfg)
	var wg sync.WaitGroup
	wg.Go(func() { runner.Run(ctx) })

	id, _ := Shout.Append(ctx, q, "hello")
	<-done
	loud, err := orchestratum.GetResult[Loud](ctx, q, id)
	fmt.Println(loud.Text, err)
	stop()
	wg.Wait()
	// Output: HELLO! <nil>
}
