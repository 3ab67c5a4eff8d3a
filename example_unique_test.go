package orchestratum_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/orchestratum/orchestratum"
	"github.com/orchestratum/orchestratum/memstore"
)

// While a task with a unique key is pending or running, appending another
// with the key returns the first one's ID and ErrDuplicate.
func ExampleWithUniqueKey() {
	ctx := context.Background()
	q, _ := orchestratum.NewQueue(memstore.New(memstore.Options{}), nil, orchestratum.Config{})

	first, _ := Greet.Append(ctx, q, Greeting{Name: "Ada"}, orchestratum.WithUniqueKey("greet-ada"))
	second, err := Greet.Append(ctx, q, Greeting{Name: "Ada"}, orchestratum.WithUniqueKey("greet-ada"))
	fmt.Println(second == first, errors.Is(err, orchestratum.ErrDuplicate))
	// Output: true true
}
