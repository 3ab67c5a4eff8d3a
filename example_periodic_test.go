package orchestratum_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/orchestratum/orchestratum"
	"github.com/orchestratum/orchestratum/memstore"
)

// A periodic task is appended once per fire of its schedule, however many
// runners serve the registry.
func ExampleRegisterPeriodic() {
	ctx, stop := context.WithCancel(context.Background())
	store := memstore.New(memstore.Options{})
	reg := orchestratum.NewRegistry()
	ticks := make(chan time.Time, 10)
	orchestratum.Register(reg, Tick, func(ctx context.Context, t *orchestratum.Task[time.Time]) error {
		ticks <- t.Data
		return nil
	})
	orchestratum.RegisterPeriodic(reg, "tick", orchestratum.Every(10*time.Millisecond), Tick,
		func(fire time.Time) time.Time { return fire })
	cfg := orchestratum.Config{Logger: quietLogger}
	var wg sync.WaitGroup
	for range 3 { // three runners; each fire still runs once
		runner, _ := orchestratum.NewRunner(store, reg, cfg)
		wg.Go(func() { runner.Run(ctx) })
	}
	a, b := <-ticks, <-ticks // two fires, run in either order
	fmt.Println("fires 10ms apart:", max(a.Sub(b), b.Sub(a)))
	stop()
	wg.Wait()
	// Output: fires 10ms apart: 10ms
}

// Tick is the example's periodic task kind: its payload is the fire time.
var Tick = orchestratum.NewExecutor[time.Time]("tick")
